// The API's error envelope (`{"error": {"code", "message", "details"?}}`) as an Error the
// views can show: 422s carry the offending fields, 403s what grant was missing.

/** One field the server refused, as `validation_failed` details list it. */
interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The fields of a `validation_failed` answer, by name (a field may have several messages). */
  fields(): Record<string, string[]> {
    const fields: Record<string, string[]> = {};
    const listed = (this.details as { fields?: FieldError[] } | undefined)?.fields;
    for (const { field, message } of Array.isArray(listed) ? listed : []) {
      (fields[field] ??= []).push(message);
    }
    return fields;
  }

  /** The problems of an `invalid_pack` answer, as lines. */
  problems(): string[] {
    const listed = (this.details as { problems?: { file: string; message: string }[] } | undefined)?.problems;
    return Array.isArray(listed) ? listed.map((p) => `${p.file}: ${p.message}`) : [];
  }
}

/** The error of a failed answer with `status` and parsed body `body`. */
export function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new ApiError(status, error.code, String(error.message ?? error.code), error.details);
  }
  return new ApiError(status, status >= 500 ? 'unavailable' : 'error', `the server answered ${status}`);
}

/** Whether `error` is the API refusing for want of a grant. */
export function isForbidden(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 403;
}
