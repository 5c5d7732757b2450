// The dashboard: what is happening now (recent executions, what runs and waits, inquiries
// waiting for an answer), how the last hours went (success rate, counts by status and by
// action, over a window kept in the query string), and the workers with the runtimes they
// run. Execution, stats and inquiry queries are keyed so the app-wide live notices refresh
// them; each card shows only when the caller's grants let them see what it lists.
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router-dom';
import { useCan, useMe } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { Page } from '../components/Page';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import './dashboard.css';

/** The windows the stats may cover, by their query-string value. */
const WINDOWS = [
  { value: '1h', label: 'Last hour', seconds: 3600 },
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400 },
] as const;

/** Statuses of executions that have ended, and the one that counts as a success. */
const FAILED = ['failed', 'timeout', 'abandoned'];

/** Success over the executions that ended (cancelled ones were stopped on purpose: left out). */
export function successRate(byStatus: Record<string, number>): { succeeded: number; ended: number; percent: number | null } {
  const succeeded = byStatus.completed ?? 0;
  const ended = succeeded + FAILED.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);
  return { succeeded, ended, percent: ended === 0 ? null : (100 * succeeded) / ended };
}

/** A percentage as read on a dashboard: whole numbers, one decimal below 100 when not whole. */
export function percent(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)}%`;
}

/** Status counts, largest first, as badges with their numbers. */
function StatusCounts({ byStatus, label }: { byStatus: Record<string, number>; label: string }) {
  const entries = Object.entries(byStatus).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="status-counts" aria-label={label}>
      {entries.map(([status, count]) => (
        <li key={status}>
          <StatusBadge status={status} /> <span className="status-count">{count}</span>
        </li>
      ))}
    </ul>
  );
}

/** The counts of the executions created in the window (one query, shared by the cards). */
function useStats(windowS: number) {
  return useQuery({
    queryKey: ['stats', windowS],
    queryFn: () => unwrap(api.GET('/api/v1/executions/stats', { params: { query: { window_s: windowS } } })).then((a) => a.data),
  });
}

function SuccessCard({ windowS, windowLabel }: { windowS: number; windowLabel: string }) {
  const stats = useStats(windowS);
  const rate = stats.data ? successRate(stats.data.by_status) : null;
  return (
    <section className="card" aria-labelledby="success-title">
      <h2 id="success-title">Success rate</h2>
      <ErrorNotice error={stats.error} what="load the execution statistics" />
      {stats.isPending && <p className="muted">Loading…</p>}
      {rate && (
        <>
          <p className="stat">{rate.percent === null ? '—' : percent(rate.percent)}</p>
          <p className="muted">
            {rate.ended === 0
              ? `No execution ended in the ${windowLabel.toLowerCase()}.`
              : `${rate.succeeded} of ${rate.ended} ended ${rate.ended === 1 ? 'execution' : 'executions'} completed in the ${windowLabel.toLowerCase()} (cancelled ones left out).`}
          </p>
        </>
      )}
    </section>
  );
}

function StatusCard({ windowS, windowLabel }: { windowS: number; windowLabel: string }) {
  const stats = useStats(windowS);
  const data = stats.data;
  return (
    <section className="card" aria-labelledby="counts-title">
      <h2 id="counts-title">By status</h2>
      {stats.isPending && <p className="muted">Loading…</p>}
      {stats.error != null && <p className="muted">Not available.</p>}
      {data && (
        <>
          <p>
            <span className="stat">{data.total}</span>{' '}
            <span className="muted">
              {data.total === 1 ? 'execution' : 'executions'} requested in the{' '}
              <time dateTime={data.since} title={`since ${new Date(data.since).toLocaleString()}`}>
                {windowLabel.toLowerCase()}
              </time>
            </span>
          </p>
          <StatusCounts byStatus={data.by_status} label="Executions by status" />
        </>
      )}
    </section>
  );
}

function ActionsCard({ windowS, windowLabel }: { windowS: number; windowLabel: string }) {
  const stats = useStats(windowS);
  const actions = stats.data ? [...stats.data.by_action].sort((a, b) => b.total - a.total || a.action_ref.localeCompare(b.action_ref)) : undefined;
  const shown = actions?.slice(0, 10);
  return (
    <section className="card dashboard-wide" aria-labelledby="by-action-title">
      <h2 id="by-action-title">By action</h2>
      {stats.error != null ? (
        <p className="muted">Not available.</p>
      ) : (
        <DataTable
          rows={shown}
          rowKey={(row) => row.action_ref}
          empty={`No execution in the ${windowLabel.toLowerCase()}.`}
          caption={
            actions && shown && actions.length > shown.length
              ? `The ${shown.length} busiest of ${actions.length} actions`
              : `Executions per action, ${windowLabel.toLowerCase()}`
          }
          columns={[
            {
              header: 'Action',
              cell: (row) => <Link to={`/executions?action_ref=${encodeURIComponent(row.action_ref)}`}>{row.action_ref}</Link>,
            },
            { header: 'Executions', cell: (row) => row.total },
            {
              header: 'Success',
              cell: (row) => {
                const own = successRate(row.by_status);
                return own.percent === null ? <span className="muted">—</span> : percent(own.percent);
              },
            },
            { header: 'By status', cell: (row) => <StatusCounts byStatus={row.by_status} label={`${row.action_ref} by status`} /> },
          ]}
        />
      )}
    </section>
  );
}

/** How many executions are in `status` now (the list's total, one row fetched). */
function useCount(status: string) {
  return useQuery({
    queryKey: ['executions', 'count', status],
    queryFn: () =>
      unwrap(api.GET('/api/v1/executions', { params: { query: { status, page_size: 1 } } })).then((a) => a.pagination.total),
  });
}

function UnderWayCard() {
  const running = useCount('running,canceling');
  const queued = useCount('queued');
  const waiting = useCount('requested,scheduling,scheduled');
  const rows = [
    { label: 'Running', query: running, status: 'running,canceling' },
    { label: 'Queued by a policy', query: queued, status: 'queued' },
    { label: 'Waiting for a worker', query: waiting, status: 'requested,scheduling,scheduled' },
  ];
  return (
    <section className="card" aria-labelledby="underway-title">
      <h2 id="underway-title">Under way</h2>
      <ErrorNotice error={running.error ?? queued.error ?? waiting.error} what="count the executions under way" />
      <dl className="facts counts">
        {rows.map(({ label, query, status }) => (
          <Fact key={status} label={label}>
            {query.data === undefined ? (
              <span className="muted">…</span>
            ) : (
              <Link to={`/executions?status=${encodeURIComponent(status)}`} aria-label={`${query.data} ${label.toLowerCase()}`}>
                {query.data}
              </Link>
            )}
          </Fact>
        ))}
      </dl>
    </section>
  );
}

function InquiriesCard() {
  const pending = useQuery({
    queryKey: ['inquiries', 'pending', 'dashboard'],
    queryFn: () => unwrap(api.GET('/api/v1/inquiries', { params: { query: { status: 'pending', page_size: 5 } } })),
  });
  const total = pending.data?.pagination.total;
  return (
    <section className="card" aria-labelledby="inquiries-title">
      <h2 id="inquiries-title">Pending inquiries</h2>
      <ErrorNotice error={pending.error} what="load the pending inquiries" />
      {pending.isPending && !pending.error && <p className="muted">Loading…</p>}
      {total !== undefined && (
        <>
          <p>
            <Link to="/inquiries?status=pending">
              <span className="stat">{total}</span> {total === 1 ? 'inquiry waits' : 'inquiries wait'} for an answer
            </Link>
          </p>
          {pending.data && pending.data.data.length > 0 && (
            <ul className="inquiry-list">
              {pending.data.data.map((inquiry) => (
                <li key={inquiry.id}>
                  <Link to={`/inquiries/${inquiry.id}`}>{inquiry.prompt || `Inquiry ${inquiry.id}`}</Link>{' '}
                  <span className="muted">
                    <Time at={inquiry.created} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function RecentCard() {
  const recent = useQuery({
    queryKey: ['executions', 'recent', 10],
    queryFn: () => unwrap(api.GET('/api/v1/executions', { params: { query: { page_size: 10 } } })).then((a) => a.data),
  });
  return (
    <section className="card dashboard-wide" aria-labelledby="recent-title">
      <div className="card-header">
        <h2 id="recent-title">Recent executions</h2>
        <Link to="/executions">All executions</Link>
      </div>
      <ErrorNotice error={recent.error} what="load the recent executions" />
      {!recent.error && (
        <DataTable
          rows={recent.data}
          rowKey={(row) => row.id}
          rowLink={(row) => `/executions/${row.id}`}
          empty="No execution yet. Run an action to see it here."
          columns={[
            { header: 'Execution', cell: (row) => `#${row.id}` },
            { header: 'Action', cell: (row) => row.action_ref },
            { header: 'Status', cell: (row) => <StatusBadge status={row.status} /> },
            { header: 'Requested', cell: (row) => <Time at={row.created} /> },
            { header: 'Ended', cell: (row) => <Time at={row.finished} />, wide: true },
          ]}
        />
      )}
    </section>
  );
}

/** What a worker's capabilities say, as far as they are known. */
function capability(worker: Schemas['Worker'], name: 'concurrency'): number | undefined;
function capability(worker: Schemas['Worker'], name: 'sandbox'): string | undefined;
function capability(worker: Schemas['Worker'], name: 'concurrency' | 'sandbox'): number | string | undefined {
  const caps = worker.capabilities as Record<string, unknown> | null;
  if (!caps || typeof caps !== 'object') return undefined;
  if (name === 'concurrency') return typeof caps.concurrency === 'number' ? caps.concurrency : undefined;
  const sandbox = caps.sandbox as { status?: unknown } | undefined;
  return typeof sandbox?.status === 'string' ? sandbox.status : undefined;
}

/** A worker's health as a badge: the word, coloured by how well it is. */
function WorkerStatus({ status }: { status: Schemas['WorkerStatus'] }) {
  const tone = { active: 'ok', busy: 'busy', inactive: 'idle', error: 'bad' }[status] ?? 'idle';
  return <span className={`badge badge-${tone}`}>{status}</span>;
}

function WorkersCard({ showRuntimes }: { showRuntimes: boolean }) {
  const workers = useQuery({
    queryKey: ['workers'],
    queryFn: () => unwrap(api.GET('/api/v1/workers', { params: { query: { page_size: 1000 } } })).then((a) => a.data),
  });
  const runtimes = useQuery({
    queryKey: ['runtimes'],
    queryFn: () => unwrap(api.GET('/api/v1/runtimes', { params: { query: { page_size: 1000 } } })).then((a) => a.data),
    enabled: showRuntimes,
  });
  const runtimeByName = new Map((runtimes.data ?? []).map((runtime) => [runtime.name, runtime]));
  return (
    <section className="card dashboard-wide" aria-labelledby="workers-title">
      <h2 id="workers-title">Workers</h2>
      <ErrorNotice error={workers.error} what="load the workers" />
      <ErrorNotice error={runtimes.error} what="load the runtimes" />
      {!workers.error && (
        <DataTable
          rows={workers.data}
          rowKey={(row) => row.id}
          empty="No worker has registered: executions wait until one does."
          caption="Workers and the runtimes they run"
          columns={[
            { header: 'Worker', cell: (row) => <span className="mono">{row.name}</span> },
            { header: 'Status', cell: (row) => <WorkerStatus status={row.status} /> },
            {
              header: 'Runtimes',
              cell: (row) =>
                row.runner_types.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="runner-list" aria-label={`Runtimes of ${row.name}`}>
                    {row.runner_types.map((type) => {
                      const runtime = runtimeByName.get(type);
                      return (
                        <li key={type} title={runtime?.description ?? undefined}>
                          <code>{type}</code>
                        </li>
                      );
                    })}
                  </ul>
                ),
            },
            { header: 'Last heartbeat', cell: (row) => <Time at={row.last_heartbeat} /> },
            { header: 'Slots', cell: (row) => capability(row, 'concurrency') ?? <span className="muted">—</span>, wide: true },
            { header: 'Sandbox', cell: (row) => capability(row, 'sandbox') ?? <span className="muted">—</span>, wide: true },
            { header: 'Where', cell: (row) => [row.worker_type, row.host].filter(Boolean).join(' · '), wide: true },
          ]}
        />
      )}
      {showRuntimes && runtimes.data && (
        <>
          <h3 className="runtimes-title">Runtimes</h3>
          <ul className="runtime-list">
            {runtimes.data.map((runtime) => {
              const runners = (workers.data ?? []).filter((worker) => worker.runner_types.includes(runtime.name));
              return (
                <li key={runtime.id}>
                  <code>{runtime.name}</code> <span className="muted">{runtime.description}</span>{' '}
                  {workers.data && (
                    <span className="runtime-workers">
                      {runners.length === 0
                        ? '· no worker lists it'
                        : `· ${runners.length === 1 ? 'worker' : 'workers'} ${runners.map((w) => w.name).join(', ')}`}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export function DashboardView() {
  const [params, setParams] = useSearchParams();
  const { data: me, error: meError } = useMe();
  const can = useCan();
  const chosen = WINDOWS.find((w) => w.value === params.get('window')) ?? WINDOWS[1];
  const executions = can('execution', 'view', null);
  const inquiries = can('inquiry', 'view', null);
  const workers = can('worker', 'view', null);
  const runtimes = can('runtime', 'view', null);
  const hidden = [
    !executions && 'executions',
    !inquiries && 'inquiries',
    !workers && 'workers',
    workers && !runtimes && 'runtimes',
  ].filter((x): x is string => typeof x === 'string');

  const setWindow = (value: string) => {
    const next = new URLSearchParams(params);
    if (value === '24h') next.delete('window');
    else next.set('window', value);
    setParams(next, { replace: true });
  };

  return (
    <Page
      title="Dashboard"
      actions={
        me && (
          <Link className="button" to={`/admin/identities/${encodeURIComponent(me.login)}`}>
            Your account
          </Link>
        )
      }
    >
      <ErrorNotice error={meError} what="load your profile" />
      {me && executions && (
        <div className="filters">
          <label>
            Statistics over
            <select value={chosen.value} onChange={(event) => setWindow(event.target.value)}>
              {WINDOWS.map((w) => (
                <option key={w.value} value={w.value}>
                  {w.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {!me && !meError && <p className="muted">Loading…</p>}
      {me && (
        <div className="grid dashboard hidden-captions">
          {executions && <SuccessCard windowS={chosen.seconds} windowLabel={chosen.label} />}
          {executions && <StatusCard windowS={chosen.seconds} windowLabel={chosen.label} />}
          {executions && <UnderWayCard />}
          {inquiries && <InquiriesCard />}
          {executions && <RecentCard />}
          {executions && <ActionsCard windowS={chosen.seconds} windowLabel={chosen.label} />}
          {workers && <WorkersCard showRuntimes={runtimes} />}
        </div>
      )}
      {me && hidden.length > 0 && (
        <p className="notice notice-forbidden">
          Not shown: {hidden.join(', ')}. Your permission sets do not grant <code>view</code> on{' '}
          {hidden.length === 1 ? 'it' : 'them'}; an administrator can add a permission set that does.
        </p>
      )}
    </Page>
  );
}
