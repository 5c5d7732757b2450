// An enforcement (a rule's match of an event) as a row, in the events, enforcements and rule
// pages' tables: with the event it matched and the execution it started, or why none.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../api/client';
import type { Column } from './DataTable';
import { StatusBadge } from './StatusBadge';
import { Time } from './Time';

type Enforcement = Schemas['Enforcement'];

/**
 * The execution an enforcement created, looked up once it was processed (an enforcement
 * names no execution; the execution names its enforcement).
 */
function EnforcementExecution({ enforcement }: { enforcement: Enforcement }) {
  const wanted = enforcement.status === 'processed' && !enforcement.reason;
  const { data, error } = useQuery({
    queryKey: ['enforcement-execution', enforcement.id, enforcement.status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/executions', { params: { query: { enforcement: enforcement.id, page_size: 1 } } })).then(
        (answer) => answer.data[0] ?? null,
      ),
    enabled: wanted,
    staleTime: Infinity,
  });
  if (enforcement.reason) {
    return (
      <span>
        <span className="muted">none: </span>
        {enforcement.reason}
      </span>
    );
  }
  if (!wanted) return <span className="muted">{enforcement.status === 'created' ? 'not yet' : 'none'}</span>;
  if (error) return <span className="muted">not visible to you</span>;
  if (data === undefined) return <span className="muted">…</span>;
  if (data === null) return <span className="muted">none</span>;
  return <Link to={`/executions/${data.id}`}>#{data.id}</Link>;
}

/** The columns of an enforcements table; the rule and the event are left out where known. */
export function enforcementColumns(showRule: boolean, showEvent: boolean): Column<Enforcement>[] {
  const columns: Column<Enforcement>[] = [{ header: 'Enforcement', cell: (e) => `#${e.id}` }];
  if (showRule) {
    columns.push({
      header: 'Rule',
      cell: (e) =>
        e.rule != null ? (
          <Link to={`/rules/${encodeURIComponent(e.rule_ref)}`}>{e.rule_ref}</Link>
        ) : (
          <span>
            {e.rule_ref} <span className="muted">(deleted)</span>
          </span>
        ),
    });
  }
  if (showEvent) {
    columns.push({
      header: 'Event',
      cell: (e) => (e.event != null ? <Link to={`/events?selected=${e.event}`}>#{e.event}</Link> : <span className="muted">deleted</span>),
    });
  }
  columns.push(
    { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
    { header: 'Execution', cell: (e) => <EnforcementExecution enforcement={e} /> },
    { header: 'When', cell: (e) => <Time at={e.created} />, wide: true },
  );
  return columns;
}
