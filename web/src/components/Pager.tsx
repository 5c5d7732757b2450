// Paged lists keep their page in the URL (`?page=2`, with the filters beside it), so that a
// page can be linked to and survives a reload; the pager links to the pages around it.
import { Link, useSearchParams } from 'react-router-dom';
import type { Schemas } from '../api/client';

/** The `page` of the URL (1 when absent or not a page number). */
export function usePage(): number {
  const [params] = useSearchParams();
  const page = Number(params.get('page') ?? '1');
  return Number.isInteger(page) && page > 0 ? page : 1;
}

/** Previous/next links for a paged list, when it has more than one page; `label` names it. */
export function Pager({ pagination, label }: { pagination: Schemas['Pagination'] | undefined; label: string }) {
  const [params] = useSearchParams();
  if (!pagination) return null;
  const { page, total } = pagination;
  const pages = Math.max(1, Math.ceil(total / Math.max(1, pagination.page_size)));
  if (pages <= 1) return null;
  const to = (n: number) => {
    const next = new URLSearchParams(params);
    if (n > 1) next.set('page', String(n));
    else next.delete('page');
    return `?${next}`;
  };
  return (
    <nav className="pager" aria-label={label}>
      {page > 1 ? (
        <Link to={to(page - 1)} rel="prev">
          Previous page
        </Link>
      ) : (
        <span className="muted">Previous page</span>
      )}
      <span>
        Page {page} of {pages} ({total} in all)
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
