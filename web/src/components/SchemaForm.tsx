// A form generated from a parameter schema, with client-side validation and the server's
// field errors shown inline.
//
// Usage:
//
//   <SchemaForm
//     schema={action.param_schema}          // flat parameter schema, or a JSON Schema object
//     submitLabel="Run"                     // the submit button's text (its accessible name)
//     onSubmit={(values) => run(values)}    // the typed values, once they pass validation
//     serverErrors={error?.fields()}        // optional: a 422's fields (ApiError.fields())
//     busy={mutation.isPending}             // optional: disables the button while sending
//   />
//
// Schemas accepted:
// - Attune's flat parameter schema: `{name: {type, required: true, secret: true, default,
//   enum, description, minimum, maximum, minLength, maxLength, pattern, items, ...}}`;
// - a JSON Schema object: `{type: 'object', properties: {...}, required: [...]}`.
//
// Fields by type: string → text input (`secret` → password input, `enum` → select,
// `multiline: true`, `format: 'textarea'` or a `maxLength` over 256 → textarea); integer and
// number → number input (min/max); boolean → checkbox (always sent, checked or not); array of
// strings/numbers/integers → textarea with one item per line; object, other arrays and
// untyped fields → JSON textarea (checked to parse, and to be of the declared type; what is
// inside is the server's to check). Defaults are prefilled (secret ones are not: an empty
// secret field leaves the server to apply its default).
//
// Validation before submit: required, type, enum, minimum/maximum (and exclusive ones),
// multipleOf, minLength/maxLength, pattern, minItems/maxItems, JSON parse. Each message is
// shown next to its field (`.field-error`, linked by aria-describedby, aria-invalid on the
// control); the first invalid control is focused. `serverErrors` keys are parameter names or
// JSON pointers (`/approved`, `/rows/0`), shown on the field they name; keys naming no field
// (`/`, `''`, an unknown parameter) are listed above the button. A server error is hidden
// once its field is edited, and shown again when the next submit brings it back.
//
// Values produced: integers and numbers as numbers, booleans as booleans, lines as arrays of
// the item type, JSON fields parsed; empty optional fields are omitted.
import { useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import './SchemaForm.css';

/** One property of a schema, as far as the form reads it. */
export interface Property {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  secret?: boolean;
  required?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  multiline?: boolean;
  items?: Property;
  minItems?: number;
  maxItems?: number;
  [key: string]: unknown;
}

export type FieldKind = 'string' | 'text' | 'secret' | 'enum' | 'integer' | 'number' | 'boolean' | 'lines' | 'json';

/** A field of the form. */
export interface Field {
  name: string;
  label: string;
  kind: FieldKind;
  /** The declared type the value must have (`undefined`: any JSON). */
  type: string | undefined;
  required: boolean;
  property: Property;
}

/** What a control holds while being edited: text, or a checkbox's state. */
export type RawValue = string | boolean;

const SCALARS = ['string', 'integer', 'number'];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The declared type of a property: the first that is not `null` of a type list. */
function typeOf(property: Property): string | undefined {
  if (Array.isArray(property.type)) return property.type.find((t) => t !== 'null');
  return typeof property.type === 'string' ? property.type : undefined;
}

function kindOf(property: Property, type: string | undefined): FieldKind {
  if (Array.isArray(property.enum) && property.enum.length > 0) return 'enum';
  switch (type) {
    case 'string':
      if (property.secret) return 'secret';
      if (property.multiline === true || property.format === 'textarea' || (property.maxLength ?? 0) > 256) return 'text';
      return 'string';
    case 'integer':
    case 'number':
    case 'boolean':
      return type;
    case 'array': {
      const items = property.items;
      const itemType = items && isObject(items) ? typeOf(items) : undefined;
      return itemType && SCALARS.includes(itemType) ? 'lines' : 'json';
    }
    default:
      return 'json';
  }
}

/** Whether `schema` is a JSON Schema object rather than a flat parameter schema. */
function isJsonSchema(schema: Record<string, unknown>): boolean {
  // A flat schema's entries are properties, so its `type` (a parameter named so) is an object.
  if (typeof schema.type === 'string' || Array.isArray(schema.type)) return true;
  return isObject(schema.properties) && typeof schema.properties.type !== 'string';
}

/** The fields of a schema, required ones first (otherwise in the schema's order). */
export function fieldsOf(schema: unknown): Field[] {
  if (!isObject(schema)) return [];
  let entries: [string, Property, boolean][];
  if (isJsonSchema(schema)) {
    const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
    const properties = isObject(schema.properties) ? schema.properties : {};
    entries = Object.entries(properties)
      .filter((entry): entry is [string, Property] => isObject(entry[1]))
      .map(([name, property]) => [name, property, required.includes(name)]);
  } else {
    entries = Object.entries(schema)
      .filter((entry): entry is [string, Property] => isObject(entry[1]))
      .map(([name, property]) => [name, property, property.required === true]);
  }
  const fields = entries.map(([name, property, required]): Field => {
    const type = typeOf(property);
    return {
      name,
      label: typeof property.title === 'string' && property.title ? property.title : name,
      kind: kindOf(property, type),
      type,
      required,
      property,
    };
  });
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** What a field holds before anything is typed: its default, if any (never a secret's). */
export function initialValue(field: Field): RawValue {
  const fallback = field.property.default;
  if (field.kind === 'boolean') return fallback === true;
  if (fallback === undefined || field.kind === 'secret') return '';
  switch (field.kind) {
    case 'enum': {
      const index = (field.property.enum ?? []).findIndex((option) => JSON.stringify(option) === JSON.stringify(fallback));
      return index < 0 ? '' : String(index);
    }
    case 'lines':
      return Array.isArray(fallback) ? fallback.map(String).join('\n') : '';
    case 'json':
      return JSON.stringify(fallback, null, 2);
    default:
      return String(fallback);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Checks a number against a property's bounds; the message, or null. */
function checkNumber(value: number, property: Property, integer: boolean): string | null {
  if (!Number.isFinite(value)) return 'Must be a number.';
  if (integer && !Number.isInteger(value)) return 'Must be a whole number.';
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = property;
  if (typeof minimum === 'number' && value < minimum) return `Must be at least ${minimum}.`;
  if (typeof maximum === 'number' && value > maximum) return `Must be at most ${maximum}.`;
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) return `Must be more than ${exclusiveMinimum}.`;
  if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) return `Must be less than ${exclusiveMaximum}.`;
  if (typeof multipleOf === 'number' && multipleOf > 0) {
    const ratio = value / multipleOf;
    if (Math.abs(ratio - Math.round(ratio)) > 1e-9) return `Must be a multiple of ${multipleOf}.`;
  }
  return null;
}

/** Checks a string against a property's lengths and pattern; the message, or null. */
function checkString(value: string, property: Property): string | null {
  const length = [...value].length;
  if (typeof property.minLength === 'number' && length < property.minLength) {
    return `Must be at least ${plural(property.minLength, 'character')} long.`;
  }
  if (typeof property.maxLength === 'number' && length > property.maxLength) {
    return `Must be at most ${plural(property.maxLength, 'character')} long.`;
  }
  if (typeof property.pattern === 'string') {
    let pattern: RegExp | null = null;
    try {
      pattern = new RegExp(property.pattern, 'u');
    } catch {
      // A pattern this browser cannot read is left to the server.
    }
    if (pattern && !pattern.test(value)) return `Must match the pattern ${property.pattern}.`;
  }
  return null;
}

/** A scalar typed as `type` from text; the value, or the message. */
function parseScalar(text: string, type: string, property: Property): { value: unknown } | { error: string } {
  if (type === 'integer' || type === 'number') {
    const value = text.trim() === '' ? NaN : Number(text.trim());
    if (Number.isNaN(value)) return { error: type === 'integer' ? 'Must be a whole number.' : 'Must be a number.' };
    const problem = checkNumber(value, property, type === 'integer');
    return problem ? { error: problem } : { value };
  }
  const problem = checkString(text, property);
  return problem ? { error: problem } : { value: text };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Whether a parsed JSON value has the declared type. */
function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function checkCount(count: number, property: Property): string | null {
  if (typeof property.minItems === 'number' && count < property.minItems) return `Needs at least ${plural(property.minItems, 'item')}.`;
  if (typeof property.maxItems === 'number' && count > property.maxItems) return `Takes at most ${plural(property.maxItems, 'item')}.`;
  return null;
}

/**
 * Checks one field's raw value: `{value}` to send, `{}` for an empty optional field (omitted),
 * or `{error}`. `badInput` is the browser's word that a number input holds no number.
 */
export function checkField(field: Field, raw: RawValue, badInput = false): { value?: unknown; error?: string } {
  const { property } = field;
  if (field.kind === 'boolean') return { value: raw === true };
  const text = typeof raw === 'string' ? raw : '';
  if (badInput) return { error: field.kind === 'integer' ? 'Must be a whole number.' : 'Must be a number.' };
  const empty = field.kind === 'json' || field.kind === 'lines' || field.kind === 'integer' || field.kind === 'number' ? text.trim() === '' : text === '';
  if (empty) return field.required ? { error: 'Required.' } : {};
  switch (field.kind) {
    case 'enum': {
      const options = property.enum ?? [];
      const index = Number(text);
      if (!Number.isInteger(index) || index < 0 || index >= options.length) return { error: 'Choose one of the options.' };
      return { value: options[index] };
    }
    case 'integer':
    case 'number': {
      const parsed = parseScalar(text, field.kind, property);
      return 'error' in parsed ? { error: parsed.error } : { value: parsed.value };
    }
    case 'lines': {
      const itemProperty = property.items ?? {};
      const itemType = typeOf(itemProperty) ?? 'string';
      const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
      const items: unknown[] = [];
      for (const [index, line] of lines.entries()) {
        if (line.trim() === '') continue;
        const options = Array.isArray(itemProperty.enum) ? itemProperty.enum : null;
        const parsed = parseScalar(itemType === 'string' ? line : line.trim(), itemType, itemProperty);
        if ('error' in parsed) return { error: `Line ${index + 1}: ${parsed.error}` };
        if (options && !options.some((option) => option === parsed.value)) {
          return { error: `Line ${index + 1}: must be one of ${options.map((o) => String(o)).join(', ')}.` };
        }
        items.push(parsed.value);
      }
      if (items.length === 0) return field.required ? { error: 'Required.' } : {};
      const problem = checkCount(items.length, property);
      return problem ? { error: problem } : { value: items };
    }
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        return { error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (field.type && !hasType(value, field.type)) {
        const wanted = field.type === 'object' ? 'a JSON object' : field.type === 'array' ? 'a JSON array' : `a JSON ${field.type}`;
        return { error: `Must be ${wanted}, not ${describeType(value)}.` };
      }
      if (Array.isArray(value)) {
        const problem = checkCount(value.length, property);
        if (problem) return { error: problem };
      }
      return { value };
    }
    default: {
      const problem = checkString(text, property);
      return problem ? { error: problem } : { value: text };
    }
  }
}

/** Checks every field; the values to send and the messages by field name. */
export function checkAll(
  fields: Field[],
  raw: Record<string, RawValue>,
  badInput: Record<string, boolean> = {},
): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const result = checkField(field, raw[field.name] ?? initialValue(field), badInput[field.name] ?? false);
    if (result.error) errors[field.name] = result.error;
    else if ('value' in result) values[field.name] = result.value;
  }
  return { values, errors };
}

/** The field a server error key names: a parameter name or a JSON pointer's first step. */
export function fieldOfKey(key: string, names: string[]): string | null {
  if (names.includes(key)) return key;
  if (!key.startsWith('/')) return null;
  const first = key.slice(1).split('/')[0] ?? '';
  const name = first.replace(/~1/g, '/').replace(/~0/g, '~');
  return names.includes(name) ? name : null;
}

/** Splits server errors into those of fields and those of the form as a whole. */
export function placeServerErrors(
  serverErrors: Record<string, string[]> | undefined,
  names: string[],
): { byField: Record<string, string[]>; general: string[] } {
  const byField: Record<string, string[]> = {};
  const general: string[] = [];
  for (const [key, messages] of Object.entries(serverErrors ?? {})) {
    const name = fieldOfKey(key, names);
    if (name) (byField[name] ??= []).push(...messages);
    else general.push(...messages.map((message) => (key && key !== '/' ? `${key}: ${message}` : message)));
  }
  return { byField, general };
}

/** A field's hint: its description, and how to type it when that is not obvious. */
function hintOf(field: Field): string | null {
  const parts: string[] = [];
  const description = typeof field.property.description === 'string' ? field.property.description.trim() : '';
  if (description) parts.push(/[.!?:;)]$/.test(description) ? description : `${description}.`);
  if (field.kind === 'lines') parts.push('One item per line.');
  if (field.kind === 'json') parts.push(field.type === 'object' ? 'A JSON object.' : field.type === 'array' ? 'A JSON array.' : 'A JSON value.');
  if (field.kind === 'secret' && field.property.default !== undefined) parts.push('Leave empty to use the default.');
  return parts.length > 0 ? parts.join(' ') : null;
}

function initialRaw(fields: Field[]): Record<string, RawValue> {
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

  const change = (field: Field, value: RawValue) => {
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
        const describedBy = [hint ? `${base}-hint` : null, messages.length > 0 ? `${base}-error` : null].filter(Boolean).join(' ') || undefined;
        const common = {
          id: base,
          name: field.name,
          'aria-required': field.required || undefined,
          'aria-invalid': messages.length > 0 || undefined,
          'aria-describedby': describedBy,
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
