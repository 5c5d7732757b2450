// What the server said about a form's fields. A `validation_failed` answer (422) names the
// fields it refused: those the form has are shown beside them, the rest above the form.
import { ApiError } from '../api/errors';

/**
 * The messages of a refusal by field of `known` (`parameters.message` and `grants[0]` go to
 * `parameters` and `grants`, named), and what is left to show above the form: the error
 * itself when it is no refusal of fields, the messages naming none of `known`, or null.
 */
export function formErrors(error: unknown, known: string[]): { fields: Record<string, string>; general: unknown } {
  if (!(error instanceof ApiError) || error.code !== 'validation_failed') return { fields: {}, general: error };
  const fields: Record<string, string> = {};
  const others: string[] = [];
  for (const [field, messages] of Object.entries(error.fields())) {
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

/** The fields a 422 names, when it names any: what a `SchemaForm` shows on its fields. */
export function refusedFields(error: unknown): Record<string, string[]> | undefined {
  if (!(error instanceof ApiError) || error.status !== 422) return undefined;
  const fields = error.fields();
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/** The message of a 409 (a name already taken), which belongs beside the name's field. */
export function conflictMessage(error: unknown): string | undefined {
  return error instanceof ApiError && error.status === 409 ? error.message : undefined;
}
