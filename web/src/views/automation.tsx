// Pieces the automation views share (rules, triggers, events, webhooks, keys): URL-held
// filters, a pager, an inline delete confirmation, a copy button, JSON text fields, parameter
// schemas shown as help, and a rule's enforcement → execution lookup.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../api/client';
import { ApiError } from '../api/errors';
import './rules.css';

/** One query-string parameter of the page's URL, and a setter that drops it when empty. */
export function useParam(name: string): [string, (value: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? '';
  const set = (next: string) =>
    setParams(
      (current) => {
        const copy = new URLSearchParams(current);
        if (next) copy.set(name, next);
        else copy.delete(name);
        // A filter change starts again at the first page.
        if (name !== 'page' && name !== 'selected') copy.delete('page');
        return copy;
      },
      { replace: true },
    );
  return [value, set];
}

/** The `page` of the URL (1 when absent or malformed). */
export function usePage(): [number, (page: number) => void] {
  const [text, setText] = useParam('page');
  const parsed = Number.parseInt(text, 10);
  return [Number.isFinite(parsed) && parsed > 0 ? parsed : 1, (page) => setText(page > 1 ? String(page) : '')];
}

/** Previous/next links for a paged list, with where this page is. */
export function Pager({
  pagination,
  onPage,
  label,
}: {
  pagination: Schemas['Pagination'] | undefined;
  onPage: (page: number) => void;
  label: string;
}) {
  if (!pagination) return null;
  const { page, page_size: size, total } = pagination;
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages} ({total} in all)
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/**
 * A destructive button asking again in place: the first press shows the question with a
 * confirming button (focused) and Cancel; Cancel puts focus back on the button.
 */
export function ConfirmButton({
  label,
  accessibleLabel,
  question,
  confirmLabel,
  onConfirm,
  busy = false,
}: {
  label: string;
  /** A fuller name for assistive technology (`Delete key api_token`). */
  accessibleLabel?: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      buttonRef.current?.focus();
    }
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className="danger" ref={buttonRef} aria-label={accessibleLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="danger"
        ref={confirmRef}
        disabled={busy}
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        onClick={() => {
          returnFocus.current = true;
          setAsking(false);
        }}
      >
        Cancel
      </button>
    </span>
  );
}

/** Copies `text` to the clipboard, saying whether it worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span className="copy">
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span role="status" className="muted copy-status">
        {state === 'copied' ? 'Copied.' : state === 'failed' ? 'The browser refused; select the text and copy it.' : ''}
      </span>
    </span>
  );
}

/** The JSON object in `text` (blank means `{}`), or why it is not one. */
export function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  if (text.trim() === '') return { value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: 'Must be a JSON object ({ … }).' };
  }
  return { value: value as Record<string, unknown> };
}

/** `value` as one line of JSON text, cut at `max` characters. */
export function preview(value: unknown, max = 100): string {
  const text = value === undefined ? '' : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One parameter of a schema, as listed for help. */
export interface ParamSpec {
  name: string;
  type?: string;
  required: boolean;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  secret: boolean;
}

/**
 * The parameters a schema declares. Packs write them as a map (`name: {type, required,
 * description}`); JSON Schema objects (`{type: object, properties, required: [...]}`) are
 * read too.
 */
export function schemaParams(schema: unknown): ParamSpec[] {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const record = schema as Record<string, unknown>;
  let entries: [string, unknown][];
  let requiredList: unknown[] = [];
  if (record.properties && typeof record.properties === 'object' && !Array.isArray(record.properties)) {
    entries = Object.entries(record.properties as Record<string, unknown>);
    requiredList = Array.isArray(record.required) ? record.required : [];
  } else if (typeof record.type === 'string') {
    return [];
  } else {
    entries = Object.entries(record);
  }
  return entries.map(([name, raw]) => {
    const spec = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
    return {
      name,
      type: typeof spec.type === 'string' ? spec.type : Array.isArray(spec.type) ? spec.type.join(' | ') : undefined,
      required: spec.required === true || requiredList.includes(name),
      description: typeof spec.description === 'string' ? spec.description : undefined,
      default: spec.default,
      enum: Array.isArray(spec.enum) ? spec.enum : undefined,
      secret: spec.secret === true,
    };
  });
}

/** A schema's parameters as a list: name, type, required, default, allowed values, what it is. */
export function ParamList({ schema, empty = 'No parameters.' }: { schema: unknown; empty?: string }) {
  const params = schemaParams(schema);
  if (params.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="params">
      {params.map((param) => (
        <li key={param.name}>
          <code>{param.name}</code>
          {param.type && <span className="muted"> ({param.type})</span>}
          {param.required && <span className="param-required"> required</span>}
          {param.secret && <span className="muted"> secret</span>}
          {param.description && <span> — {param.description}</span>}
          {param.enum && <span className="muted"> one of {param.enum.map((v) => JSON.stringify(v)).join(', ')}</span>}
          {param.default !== undefined && <span className="muted"> default {preview(param.default, 60)}</span>}
        </li>
      ))}
    </ul>
  );
}

/** The fields a `validation_failed` answer names, plus its message when it names none of `known`. */
export function formErrors(error: unknown, known: string[]): { fields: Record<string, string>; general: unknown } {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return { fields: {}, general: error };
  const listed = error.fields();
  const fields: Record<string, string> = {};
  const others: string[] = [];
  for (const [field, messages] of Object.entries(listed)) {
    const top = field.split(/[./[]/)[0] ?? field;
    if (known.includes(field)) fields[field] = messages.join('; ');
    else if (known.includes(top)) fields[top] = [fields[top], `${field}: ${messages.join('; ')}`].filter(Boolean).join('; ');
    else others.push(`${field}: ${messages.join('; ')}`);
  }
  const general =
    Object.keys(fields).length === 0 || others.length > 0
      ? new ApiError(error.status, error.code, others.length > 0 ? others.join('; ') : error.message)
      : null;
  return { fields, general };
}

/** A field's error under it, tied to the control by `id` (`aria-describedby`). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span className="field-error" id={id}>
      {message}
    </span>
  );
}

/** What a form control gets from its [`Field`]: its id, and its description and validity. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * A labelled form control: the label, a hint (its description), the control made by
 * `children`, and the field's error under it (also part of its description).
 */
export function Field({
  id,
  label,
  hint,
  error,
  help,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** The id of more help elsewhere on the page that describes the control. */
  help?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {children({
        id,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(hint ? `${id}-hint` : undefined, help, error && `${id}-error`),
      })}
      <FieldError id={`${id}-error`} message={error} />
    </div>
  );
}

/** Ids of the help and error texts describing a control. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

/**
 * The execution an enforcement created, looked up once it was processed (an enforcement
 * names no execution; the execution names its enforcement).
 */
export function EnforcementExecution({ enforcement }: { enforcement: Schemas['Enforcement'] }) {
  const wanted = enforcement.status === 'processed' && !enforcement.reason;
  const { data, error } = useQuery({
    queryKey: ['enforcement-execution', enforcement.id, enforcement.status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/executions', { params: { query: { enforcement: enforcement.id, page_size: 1 } } })).then(
        (answer) => answer.data[0] ?? null,
      ),
    enabled: wanted,
    staleTime: Infinity,
  });
  if (enforcement.reason) {
    return (
      <span>
        <span className="muted">none: </span>
        {enforcement.reason}
      </span>
    );
  }
  if (!wanted) return <span className="muted">{enforcement.status === 'created' ? 'not yet' : 'none'}</span>;
  if (error) return <span className="muted">not visible to you</span>;
  if (data === undefined) return <span className="muted">…</span>;
  if (data === null) return <span className="muted">none</span>;
  return <Link to={`/executions/${data.id}`}>#{data.id}</Link>;
}

/** A labelled select of refs, with "any" first; a value not in `options` still shows. */
export function RefSelect({
  label,
  value,
  onChange,
  options,
  any,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: string[] | undefined;
  any: string;
}) {
  const refs = options ? [...options] : [];
  if (value && !refs.includes(value)) refs.unshift(value);
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{any}</option>
        {refs.map((ref) => (
          <option key={ref} value={ref}>
            {ref}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Every ref of a component list (first 1000), for selects; undefined while loading or refused. */
export function useRefs(kind: 'triggers' | 'actions' | 'packs' | 'rules', enabled = true): string[] | undefined {
  const { data } = useQuery({
    queryKey: ['refs', kind],
    queryFn: async (): Promise<string[]> => {
      const query = { params: { query: { page_size: 1000 } } };
      switch (kind) {
        case 'triggers':
          return (await unwrap(api.GET('/api/v1/triggers', query))).data.map((t) => t.ref);
        case 'actions':
          return (await unwrap(api.GET('/api/v1/actions', query))).data.map((a) => a.ref);
        case 'packs':
          return (await unwrap(api.GET('/api/v1/packs', query))).data.map((p) => p.ref);
        case 'rules':
          return (await unwrap(api.GET('/api/v1/rules', query))).data.map((r) => r.ref);
      }
    },
    enabled,
    staleTime: 60_000,
  });
  return data;
}
