// A form generated from a parameter schema (read by `schemaFields`), with client-side
// validation and the server's field errors shown inline.
//
// Usage:
//
//   <SchemaForm
//     schema={action.param_schema}          // flat parameter schema, or a JSON Schema object
//     submitLabel="Run"                     // the submit button's text (its accessible name)
//     onSubmit={(values) => run(values)}    // the typed values, once they pass validation
//     serverErrors={refusedFields(error)}   // optional: a 422's fields (ApiError.fields())
//     busy={mutation.isPending}             // optional: disables the button while sending
//   />
//
// Fields by type: string → text input (`secret` → password input, `enum` → select,
// `multiline: true`, `format: 'textarea'` or a `maxLength` over 256 → textarea); integer and
// number → number input (min/max); boolean → checkbox; array of strings/numbers/integers →
// textarea with one item per line; object, other arrays and untyped fields → JSON textarea.
// Defaults are prefilled (secret ones are not: an empty secret field leaves the server to
// apply its default).
//
// Each problem is shown next to its field (`.field-error`, linked by aria-describedby,
// aria-invalid on the control); the first invalid control is focused on submit. Server errors
// are shown on the field they name; keys naming no field (`/`, `''`, an unknown parameter) are
// listed above the button. A server error is hidden once its field is edited, and shown again
// when the next submit brings it back.
import { useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { describedBy } from './Field';
import { checkAll, fieldsOf, initialValue, placeServerErrors, type RawValue, type SchemaField } from './schemaFields';
import './SchemaForm.css';

/** A field's hint: its description, and how to type it when that is not obvious. */
function hintOf(field: SchemaField): string | null {
  const parts: string[] = [];
  const description = typeof field.property.description === 'string' ? field.property.description.trim() : '';
  if (description) parts.push(/[.!?:;)]$/.test(description) ? description : `${description}.`);
  if (field.kind === 'lines') parts.push('One item per line.');
  if (field.kind === 'json') parts.push(field.type === 'object' ? 'A JSON object.' : field.type === 'array' ? 'A JSON array.' : 'A JSON value.');
  if (field.kind === 'secret' && field.property.default !== undefined) parts.push('Leave empty to use the default.');
  return parts.length > 0 ? parts.join(' ') : null;
}

function initialRaw(fields: SchemaField[]): Record<string, RawValue> {
  return Object.fromEntries(fields.map((f) => [f.name, initialValue(f)]));
}

export interface SchemaFormProps {
  /** A flat parameter schema or a JSON Schema object. */
  schema: unknown;
  /** The submit button's text. */
  submitLabel: string;
  /** Called with the typed values once they pass validation. */
  onSubmit: (values: Record<string, unknown>) => void;
  /** A 422's fields by name (`ApiError.fields()`), shown inline. */
  serverErrors?: Record<string, string[]>;
  /** Disables the submit button (a request is under way). */
  busy?: boolean;
  /** Shown when the schema declares no fields. */
  emptyText?: string;
}

export function SchemaForm({ schema, submitLabel, onSubmit, serverErrors, busy = false, emptyText = 'No parameters.' }: SchemaFormProps) {
  const id = useId();
  const schemaKey = JSON.stringify(schema ?? null);
  const fields = useMemo(() => fieldsOf(schema), [schemaKey]);
  const [seenKey, setSeenKey] = useState(schemaKey);
  const [raw, setRaw] = useState<Record<string, RawValue>>(() => initialRaw(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [attempted, setAttempted] = useState(false);
  const serverKey = JSON.stringify(serverErrors ?? {});
  const [seenServer, setSeenServer] = useState(serverKey);
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const controls = useRef<Record<string, HTMLElement | null>>({});

  // Another schema (another action, another inquiry) is another form.
  if (seenKey !== schemaKey) {
    setSeenKey(schemaKey);
    setRaw(initialRaw(fields));
    setErrors({});
    setAttempted(false);
  }
  // New server errors are shown until their field is edited.
  if (seenServer !== serverKey) {
    setSeenServer(serverKey);
    setEdited(new Set());
  }

  const server = placeServerErrors(
    serverErrors,
    fields.map((f) => f.name),
  );

  /** Which number inputs hold text the browser cannot read as a number. */
  const badInputs = (): Record<string, boolean> =>
    Object.fromEntries(
      fields
        .filter((f) => f.kind === 'integer' || f.kind === 'number')
        .map((f) => [f.name, (controls.current[f.name] as HTMLInputElement | null)?.validity?.badInput ?? false]),
    );

  const change = (field: SchemaField, value: RawValue) => {
    const next = { ...raw, [field.name]: value };
    setRaw(next);
    if (!edited.has(field.name)) setEdited(new Set(edited).add(field.name));
    // Once a submit has shown the errors, they follow what is typed.
    if (attempted) setErrors(checkAll(fields, next, badInputs()).errors);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = checkAll(fields, raw, badInputs());
    setErrors(checked.errors);
    setAttempted(true);
    const invalid = fields.find((f) => checked.errors[f.name]);
    if (invalid) {
      controls.current[invalid.name]?.focus();
      return;
    }
    // The server's answer to this submit replaces what it said before, even if it says the same.
    setEdited(new Set());
    onSubmit(checked.values);
  };

  const errorCount = Object.keys(errors).length;

  return (
    <form className="schema-form" onSubmit={submit} noValidate>
      {fields.length === 0 ? (
        <p className="muted">{emptyText}</p>
      ) : (
        fields.some((f) => f.required) && <p className="hint schema-form-legend">Required fields are marked with *.</p>
      )}
      {fields.map((field, index) => {
        const base = `${id}-f${index}`;
        const messages = [
          ...(errors[field.name] ? [errors[field.name]!] : []),
          ...(edited.has(field.name) ? [] : (server.byField[field.name] ?? [])),
        ];
        const hint = hintOf(field);
        const common = {
          id: base,
          name: field.name,
          'aria-required': field.required || undefined,
          'aria-invalid': messages.length > 0 || undefined,
          'aria-describedby': describedBy(hint ? `${base}-hint` : undefined, messages.length > 0 && `${base}-error`),
        };
        const value = raw[field.name];
        const text = typeof value === 'string' ? value : '';
        const ref = (element: HTMLElement | null) => {
          controls.current[field.name] = element;
        };
        let control: ReactNode;
        switch (field.kind) {
          case 'boolean':
            control = (
              <input
                {...common}
                ref={ref}
                type="checkbox"
                checked={value === true}
                onChange={(e) => change(field, e.target.checked)}
              />
            );
            break;
          case 'enum': {
            const options = field.property.enum ?? [];
            const hasDefault = field.property.default !== undefined && initialValue(field) !== '';
            control = (
              <select {...common} ref={ref} value={text} onChange={(e) => change(field, e.target.value)}>
                {!(field.required && hasDefault) && <option value="">{field.required ? 'Choose…' : '(none)'}</option>}
                {options.map((option, i) => (
                  <option key={i} value={String(i)}>
                    {typeof option === 'string' ? option : JSON.stringify(option)}
                  </option>
                ))}
              </select>
            );
            break;
          }
          case 'integer':
          case 'number':
            control = (
              <input
                {...common}
                ref={ref}
                type="number"
                inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'}
                step={typeof field.property.multipleOf === 'number' ? field.property.multipleOf : field.kind === 'integer' ? 1 : 'any'}
                min={typeof field.property.minimum === 'number' ? field.property.minimum : undefined}
                max={typeof field.property.maximum === 'number' ? field.property.maximum : undefined}
                value={text}
                onChange={(e) => change(field, e.target.value)}
              />
            );
            break;
          case 'text':
          case 'lines':
          case 'json':
            control = (
              <textarea
                {...common}
                ref={ref}
                className={field.kind === 'text' ? 'schema-text' : undefined}
                spellCheck={field.kind === 'text'}
                rows={field.kind === 'json' ? Math.min(12, Math.max(3, text.split('\n').length)) : 4}
                value={text}
                onChange={(e) => change(field, e.target.value)}
              />
            );
            break;
          default:
            control = (
              <input
                {...common}
                ref={ref}
                type={field.kind === 'secret' ? 'password' : 'text'}
                autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
                spellCheck={false}
                minLength={typeof field.property.minLength === 'number' ? field.property.minLength : undefined}
                maxLength={typeof field.property.maxLength === 'number' ? field.property.maxLength : undefined}
                value={text}
                onChange={(e) => change(field, e.target.value)}
              />
            );
        }
        // The label holds the field's name alone; the required mark and the parameter's name
        // (when a title is shown instead) sit beside it.
        const label = (
          <span className="schema-label">
            <label htmlFor={base}>{field.label}</label>
            {field.required && (
              <span className="required-mark" aria-hidden="true">
                *
              </span>
            )}
            {field.label !== field.name && <code className="schema-field-name">{field.name}</code>}
          </span>
        );
        return (
          <div key={field.name} className={field.kind === 'boolean' ? 'schema-field schema-field-check' : 'schema-field'}>
            {field.kind === 'boolean' ? (
              <div className="schema-check-row">
                {control}
                {label}
              </div>
            ) : (
              <>
                {label}
                {control}
              </>
            )}
            {hint && (
              <span id={`${base}-hint`} className="hint">
                {hint}
              </span>
            )}
            {messages.length > 0 && (
              <span id={`${base}-error`} className="field-error">
                {messages.join(' ')}
              </span>
            )}
          </div>
        );
      })}
      {(errorCount > 0 || server.general.length > 0) && (
        <div className="notice notice-error schema-form-summary" role="alert">
          {errorCount > 0 && <p>{errorCount === 1 ? '1 field needs attention.' : `${errorCount} fields need attention.`}</p>}
          {server.general.length > 0 && (
            <>
              <p>The server refused it:</p>
              <ul>
                {server.general.map((message, i) => (
                  <li key={i}>{message}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
      <div className="schema-form-actions">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
