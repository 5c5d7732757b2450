// JSON as text: what forms read from a textarea (parameters, criteria, grants), and values
// shown on one line. Every form words a mistake the same way.

/** Whether `value` is a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The JSON value in `text`, or why it is not JSON. */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (caught) {
    return { error: `Not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}` };
  }
}

/** The JSON object in `text` (blank means `{}`), or why it is not one. */
export function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  if (text.trim() === '') return { value: {} };
  const parsed = parseJson(text);
  if ('error' in parsed) return parsed;
  return isRecord(parsed.value) ? { value: parsed.value } : { error: 'Must be a JSON object ({ … }).' };
}

/** `value` as one line of JSON text, cut at `max` characters. */
export function preview(value: unknown, max = 100): string {
  const text = value === undefined ? '' : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
