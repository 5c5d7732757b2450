// What the actions, inquiries and packs views share: the page of a list in the URL, a pager,
// and how a parameter schema reads in a table.
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import type { Schemas } from '../api/client';
import { fieldsOf } from '../components/SchemaForm';

/** The `page` query parameter (1 when absent or not a page number). */
export function usePage(): number {
  const [params] = useSearchParams();
  const page = Number(params.get('page') ?? '1');
  return Number.isInteger(page) && page > 0 ? page : 1;
}

/** The URL search with `changes` applied (an empty value removes the parameter); the page goes back to 1. */
export function withParams(params: URLSearchParams, changes: Record<string, string | null>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null || value === '') next.delete(name);
    else next.set(name, value);
  }
  if (!('page' in changes)) next.delete('page');
  return next;
}

/** Previous/next links for a paged list, when it has more than one page. */
export function Pager({ pagination, label }: { pagination: Schemas['Pagination'] | undefined; label: string }) {
  const [params] = useSearchParams();
  if (!pagination) return null;
  const pages = Math.max(1, Math.ceil(pagination.total / Math.max(1, pagination.page_size)));
  if (pages <= 1) return null;
  const page = pagination.page;
  const to = (n: number) => `?${withParams(params, { page: n === 1 ? null : String(n) })}`;
  return (
    <nav className="catalog-pager" aria-label={label}>
      {page > 1 ? (
        <Link to={to(page - 1)} rel="prev">
          Previous page
        </Link>
      ) : (
        <span className="muted">Previous page</span>
      )}
      <span>
        Page {page} of {pages} ({pagination.total} in all)
      </span>
      {page < pages ? (
        <Link to={to(page + 1)} rel="next">
          Next page
        </Link>
      ) : (
        <span className="muted">Next page</span>
      )}
    </nav>
  );
}

/**
 * The frame of a table that may scroll sideways on narrow screens: focusable (as a labelled
 * region), so that keyboard users can scroll it too.
 */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

/** A JSON value in one short line, for table cells. */
export function brief(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The type of a schema property in words (`string`, `array of string`, `any`). */
function typeWords(property: { type?: unknown; items?: unknown }): string {
  const type = Array.isArray(property.type) ? property.type.join(' or ') : typeof property.type === 'string' ? property.type : 'any';
  const items = property.items as { type?: unknown } | undefined;
  if (type === 'array' && items && typeof items.type === 'string') return `array of ${items.type}`;
  return type;
}

/** A parameter schema as a table: name, type, required, default, description. */
export function ParameterTable({ schema, caption }: { schema: unknown; caption: string }) {
  const fields = fieldsOf(schema);
  if (fields.length === 0) return <p className="muted">No parameters.</p>;
  return (
    <ScrollTable label={caption}>
      <table className="data-table catalog-table">
        <caption className="catalog-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Required</th>
            <th scope="col" className="wide">
              Default
            </th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => {
            const { property } = field;
            const limits: string[] = [];
            if (Array.isArray(property.enum)) limits.push(`one of ${property.enum.map((v) => brief(v)).join(', ')}`);
            if (typeof property.minimum === 'number') limits.push(`≥ ${property.minimum}`);
            if (typeof property.maximum === 'number') limits.push(`≤ ${property.maximum}`);
            if (typeof property.minLength === 'number') limits.push(`at least ${property.minLength} characters`);
            if (typeof property.maxLength === 'number') limits.push(`at most ${property.maxLength} characters`);
            if (typeof property.pattern === 'string') limits.push(`matches ${property.pattern}`);
            return (
              <tr key={field.name}>
                <td>
                  <code>{field.name}</code>
                  {property.secret && <span className="badge badge-idle catalog-secret">secret</span>}
                </td>
                <td>{typeWords(property)}</td>
                <td>{field.required ? 'yes' : 'no'}</td>
                <td className="wide">
                  {property.default === undefined ? (
                    <span className="muted">—</span>
                  ) : property.secret ? (
                    <span className="muted">(hidden)</span>
                  ) : (
                    <code>{brief(property.default)}</code>
                  )}
                </td>
                <td>
                  {property.description ?? ''}
                  {limits.length > 0 && <span className="hint">{limits.join('; ')}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollTable>
  );
}
