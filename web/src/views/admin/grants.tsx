// A permission set's grants as text: readable lines where they are shown
// (`action@core: view, execute`), and the compact form the API accepts
// (`action@core:view,execute`) in the JSON that the set's form edits.
import type { Schemas } from '../../api/client';
import { isRecord, parseJson } from '../../components/json';

type Grant = Schemas['Grant'];

/** A grant as a line: `action@core: view, execute`. */
export function grantLine(grant: Grant): string {
  return `${grant.resource}${grant.pack ? `@${grant.pack}` : ''}: ${grant.verbs.join(', ')}`;
}

/** A grant in the compact form the API accepts: `action@core:view,execute`. */
export function compactGrant(grant: Grant): string {
  return `${grant.resource}${grant.pack ? `@${grant.pack}` : ''}:${grant.verbs.join(',')}`;
}

/** The grants text of the form, checked: the array to send, or why it cannot be sent. */
export function parseGrants(text: string): { grants: Schemas['GrantInput'][] } | { error: string } {
  const parsed = parseJson(text);
  if ('error' in parsed) return parsed;
  const { value } = parsed;
  if (!Array.isArray(value)) return { error: 'Grants must be a JSON array, e.g. ["action@core:view,execute"].' };
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' && !isRecord(item)) {
      return { error: `Grant ${index + 1} must be a string like "execution:view" or an object {"resource", "pack", "verbs"}.` };
    }
  }
  return { grants: value as Schemas['GrantInput'][] };
}

/** Grants as a list of lines. */
export function GrantLines({ grants, label }: { grants: Grant[]; label?: string }) {
  if (grants.length === 0) return <p className="muted">No grant.</p>;
  return (
    <ul className="grant-lines" aria-label={label}>
      {grants.map((grant, index) => (
        <li key={index}>
          <code>{grantLine(grant)}</code>
        </li>
      ))}
    </ul>
  );
}
