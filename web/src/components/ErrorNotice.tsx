import { ApiError, isForbidden } from '../api/errors';

/** Why something could not be loaded or done; a 403 says which grant is missing. */
export function ErrorNotice({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  if (isForbidden(error)) {
    return (
      <div className="notice notice-forbidden" role="alert">
        <strong>Not allowed{what ? ` to ${what}` : ''}.</strong> Your permission sets do not grant it: {error.message}.
        An administrator can add a permission set that does.
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  const problems = error instanceof ApiError ? error.problems() : [];
  return (
    <div className="notice notice-error" role="alert">
      <strong>{what ? `Could not ${what}` : 'Something went wrong'}:</strong> {message}
      {problems.length > 0 && (
        <ul>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
