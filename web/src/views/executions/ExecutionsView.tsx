// Executions, newest first: filtered by status (several), action, rule, parent workflow and
// creation time, all kept in the URL. Pages load as the list is scrolled; only the rows in
// view are rendered. Live notices refresh the list (its key starts with 'executions').
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { listen } from '../../api/stream';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { elapsed, Time } from '../../components/Time';
import { VirtualList } from '../../components/VirtualList';
import { Origin, type Execution } from './executionParts';
import { StatusPicker } from './StatusPicker';
import './executions.css';

const PAGE_SIZE = 100;
const ROW_HEIGHT = 44;
const TEXT_FILTERS = ['action_ref', 'rule'] as const;

interface ExecutionFilters {
  status?: string;
  action_ref?: string;
  rule?: string;
  since?: string;
  parent?: number;
}

/** The filters in a query string (only the ones set). */
export function filtersFrom(params: URLSearchParams): ExecutionFilters {
  const filters: ExecutionFilters = {};
  const status = (params.get('status') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (status.length) filters.status = status.join(',');
  for (const name of TEXT_FILTERS) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const since = params.get('since');
  if (since) filters.since = since;
  const parent = Number(params.get('parent'));
  if (params.get('parent') && Number.isInteger(parent) && parent > 0) filters.parent = parent;
  return filters;
}

/** `iso` as the value of a `datetime-local` input (local time, to the minute). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** A text filter typed into a field, sent to the URL once typing pauses. */
function useTypedFilter(name: string, committed: string, commit: (name: string, value: string) => void) {
  const [text, setText] = useState(committed);
  const [seen, setSeen] = useState(committed);
  if (seen !== committed) {
    // The URL changed (cleared, or back/forward): the field follows.
    setSeen(committed);
    setText(committed);
  }
  // The latest `commit`, so that re-renders (live updates) do not restart the pause.
  const latest = useRef(commit);
  useEffect(() => {
    latest.current = commit;
  }, [commit]);
  useEffect(() => {
    if (text.trim() === committed) return undefined;
    const timer = setTimeout(() => latest.current(name, text.trim()), 400);
    return () => clearTimeout(timer);
  }, [text, committed, name]);
  return [text, setText] as const;
}

function ExecutionRow({ execution, index }: { execution: Execution; index: number }) {
  const took = elapsed(execution.started, execution.finished);
  return (
    <tr className="ex-row" aria-rowindex={index + 2}>
      <td>
        <Link to={`/executions/${execution.id}`} aria-label={`Execution ${execution.id}`}>
          {execution.id}
        </Link>
      </td>
      <td className="ex-cell-action mono" title={execution.action_ref}>
        {execution.action_ref}
      </td>
      <td>
        <StatusBadge status={execution.status} />
      </td>
      <td>
        <Time at={execution.created} />
      </td>
      <td className="wide">{took ?? <span className="muted">—</span>}</td>
      <td className="wide ex-cell-origin">
        <Origin execution={execution} />
      </td>
    </tr>
  );
}

export function ExecutionsView() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFrom(params), [params]);
  const statusId = useId();

  const setFilter = useCallback(
    (name: string, value: string) =>
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (value) next.set(name, value);
          else next.delete(name);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const [action, setAction] = useTypedFilter('action_ref', filters.action_ref ?? '', setFilter);
  const [rule, setRule] = useTypedFilter('rule', filters.rule ?? '', setFilter);

  const query = useInfiniteQuery({
    queryKey: ['executions', filters],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/executions', { params: { query: { ...filters, page: pageParam, page_size: PAGE_SIZE } } })),
    initialPageParam: 1,
    getNextPageParam: (last) => {
      const { page, page_size, total } = last.pagination;
      return page * page_size < total ? page + 1 : undefined;
    },
  });
  const { data, error, hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  // The app-wide stream keeps the list fresh once it is subscribed; executions created while
  // it was still connecting (just after a page load) are read again when it is. The same
  // filter as the app's shares its connection (src/api/live.ts).
  const client = useQueryClient();
  useEffect(
    () =>
      listen({ entity: ['execution', 'event', 'enforcement', 'inquiry'] }, (notice) => {
        if (notice.type === 'subscribed') void client.invalidateQueries({ queryKey: ['executions'] });
      }),
    [client],
  );

  // Rows may shift between pages while new executions arrive: each shows once.
  const rows = useMemo(() => {
    if (!data) return undefined;
    const seen = new Set<number>();
    const all: Execution[] = [];
    for (const page of data.pages) {
      for (const execution of page.data) {
        if (!seen.has(execution.id)) {
          seen.add(execution.id);
          all.push(execution);
        }
      }
    }
    return all;
  }, [data]);
  const total = data?.pages[data.pages.length - 1]?.pagination.total;
  const more = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const filtered = Object.keys(filters).length > 0;

  return (
    <Page title="Executions">
      <form className="filters ex-filters" role="search" aria-label="Filter executions" onSubmit={(e) => e.preventDefault()}>
        <StatusPicker committed={filters.status ?? ''} onChange={(statuses) => setFilter('status', statuses.join(','))} />
        <label>
          Action
          <input
            value={action}
            onChange={(e) => setAction(e.target.value)}
            placeholder="pack.action"
            spellCheck={false}
            autoCapitalize="off"
          />
        </label>
        <label>
          Rule
          <input value={rule} onChange={(e) => setRule(e.target.value)} placeholder="pack.rule" spellCheck={false} autoCapitalize="off" />
        </label>
        <label>
          Created since
          <input
            type="datetime-local"
            value={toLocalInput(filters.since)}
            onChange={(e) => setFilter('since', e.target.value ? new Date(e.target.value).toISOString() : '')}
          />
        </label>
        {filters.parent != null && (
          <span className="ex-chip">
            Tasks of <Link to={`/executions/${filters.parent}`}>execution {filters.parent}</Link>
            <button type="button" className="ghost" aria-label="Show executions of any workflow" onClick={() => setFilter('parent', '')}>
              ×
            </button>
          </span>
        )}
        {filtered && (
          <button type="button" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
            Clear filters
          </button>
        )}
      </form>

      <ErrorNotice error={error} what="list the executions" />
      {!error && rows === undefined && <p className="muted">Loading…</p>}
      {rows !== undefined && rows.length === 0 && (
        <p className="muted">{filtered ? 'No executions match these filters.' : 'No executions yet: run an action to see it here.'}</p>
      )}
      {rows !== undefined && rows.length > 0 && (
        <>
          <p className="muted ex-count" id={statusId}>
            {total !== undefined && total > rows.length
              ? `Showing the newest ${rows.length} of ${total} executions.`
              : `${rows.length} ${rows.length === 1 ? 'execution' : 'executions'}.`}
          </p>
          <VirtualList
            className="ex-list"
            label="Execution list"
            items={rows}
            rowHeight={ROW_HEIGHT}
            itemKey={(e) => e.id}
            total={total}
            columns={6}
            onEndReached={more}
            head={
              <thead>
                <tr aria-rowindex={1}>
                  <th scope="col">Id</th>
                  <th scope="col">Action</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created</th>
                  <th scope="col" className="wide">
                    Took
                  </th>
                  <th scope="col" className="wide">
                    Origin
                  </th>
                </tr>
              </thead>
            }
            renderItem={(execution, index) => <ExecutionRow execution={execution} index={index} />}
          />
          {hasNextPage && (
            <button type="button" className="ex-more" onClick={more} disabled={isFetchingNextPage} aria-describedby={statusId}>
              {isFetchingNextPage ? 'Loading more…' : 'Load more'}
            </button>
          )}
        </>
      )}
    </Page>
  );
}
