// A parameter schema read as the fields of a form, and the checks of what is typed into them:
// shared by the run form (`SchemaForm`) and the pages that describe parameters.
//
// Schemas accepted:
// - Attune's flat parameter schema: `{name: {type, required: true, secret: true, default,
//   enum, description, minimum, maximum, minLength, maxLength, pattern, items, ...}}`;
// - a JSON Schema object: `{type: 'object', properties: {...}, required: [...]}`.
//
// Validation: required, type, enum, minimum/maximum (and exclusive ones), multipleOf,
// minLength/maxLength, pattern, minItems/maxItems, JSON parse. Values produced: integers and
// numbers as numbers, booleans as booleans (always sent, checked or not), lines as arrays of
// the item type, JSON fields parsed (checked to be of the declared type; what is inside is the
// server's to check); empty optional fields are omitted. Server error keys are parameter names
// or JSON pointers (`/approved`, `/rows/0`).
import { isRecord, parseJson } from './json';

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

type FieldKind = 'string' | 'text' | 'secret' | 'enum' | 'integer' | 'number' | 'boolean' | 'lines' | 'json';

/** A field of the form. */
export interface SchemaField {
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
      const itemType = items && isRecord(items) ? typeOf(items) : undefined;
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
  return isRecord(schema.properties) && typeof schema.properties.type !== 'string';
}

/** The fields of a schema, required ones first (otherwise in the schema's order). */
export function fieldsOf(schema: unknown): SchemaField[] {
  if (!isRecord(schema)) return [];
  let entries: [string, Property, boolean][];
  if (isJsonSchema(schema)) {
    const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
    const properties = isRecord(schema.properties) ? schema.properties : {};
    entries = Object.entries(properties)
      .filter((entry): entry is [string, Property] => isRecord(entry[1]))
      .map(([name, property]) => [name, property, required.includes(name)]);
  } else {
    entries = Object.entries(schema)
      .filter((entry): entry is [string, Property] => isRecord(entry[1]))
      .map(([name, property]) => [name, property, property.required === true]);
  }
  const fields = entries.map(([name, property, required]): SchemaField => {
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
export function initialValue(field: SchemaField): RawValue {
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
      return isRecord(value);
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
export function checkField(field: SchemaField, raw: RawValue, badInput = false): { value?: unknown; error?: string } {
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
      const parsed = parseJson(text);
      if ('error' in parsed) return parsed;
      const { value } = parsed;
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
  fields: SchemaField[],
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
function fieldOfKey(key: string, names: string[]): string | null {
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
