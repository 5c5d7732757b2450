// Triggers (what can fire: their parameters and payloads, with links to the rules and events
// of each) and sensors (what watches for them, and whether the sensor service runs each).
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable, type Column } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { ParameterList } from '../components/Parameters';
import { PackFilter } from '../components/RefSelect';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import { useParam } from '../components/useParam';
import './automation.css';

function TriggerCard({ trigger }: { trigger: Schemas['Trigger'] }) {
  const can = useCan();
  const id = `trigger-${trigger.id}`;
  return (
    <section className="card trigger-card" aria-labelledby={id}>
      <div className="section-header">
        <h2 id={id}>
          <code>{trigger.ref}</code>
        </h2>
        {!trigger.enabled && <StatusBadge status="disabled" />}
        <span className="muted">{trigger.label}</span>
      </div>
      {trigger.description && <p>{trigger.description}</p>}
      <div className="grid">
        <div>
          <h3>Parameters</h3>
          <ParameterList schema={trigger.param_schema} empty="None." />
        </div>
        <div>
          <h3>Payload</h3>
          <ParameterList schema={trigger.payload_schema} empty="Not described." />
        </div>
      </div>
      <p className="links">
        <Link to={`/packs/${encodeURIComponent(trigger.pack_ref)}`}>
          Pack {trigger.pack_ref}
        </Link>
        {can('rule', 'view') && (
          <Link to={`/rules?trigger=${encodeURIComponent(trigger.ref)}`} aria-label={`Rules on it (${trigger.ref})`}>
            Rules on it
          </Link>
        )}
        {can('event', 'view') && (
          <Link to={`/events?trigger=${encodeURIComponent(trigger.ref)}`} aria-label={`Its events (${trigger.ref})`}>
            Its events
          </Link>
        )}
        {can('rule', 'create') && (
          <Link to={`/rules/new?trigger=${encodeURIComponent(trigger.ref)}`} aria-label={`New rule on it (${trigger.ref})`}>
            New rule on it
          </Link>
        )}
      </p>
    </section>
  );
}

export function TriggersView() {
  const [pack, setPack] = useParam('pack');
  const [ref] = useParam('ref');
  const page = usePage();
  const triggers = useQuery({
    queryKey: ['triggers', { pack, page }],
    queryFn: () => unwrap(api.GET('/api/v1/triggers', { params: { query: { pack: pack || undefined, page } } })),
    enabled: !ref,
  });
  const one = useQuery({
    queryKey: ['trigger', ref],
    queryFn: () => unwrap(api.GET('/api/v1/triggers/{trigger_ref}', { params: { path: { trigger_ref: ref } } })),
    enabled: !!ref,
  });
  const shown = ref ? (one.data ? [one.data.data] : undefined) : triggers.data?.data;
  const error = ref ? one.error : triggers.error;
  return (
    <Page title={ref ? `Trigger ${ref}` : 'Triggers'}>
      {ref ? (
        <p>
          <Link to="/triggers">Every trigger</Link>
        </p>
      ) : (
        <div className="filters" role="search" aria-label="Filter triggers">
          <PackFilter value={pack} onChange={setPack} />
        </div>
      )}
      <ErrorNotice error={error} what={ref ? `show trigger ${ref}` : 'list the triggers'} />
      {!error &&
        (shown === undefined ? (
          <p className="muted">Loading…</p>
        ) : shown.length === 0 ? (
          <p className="muted">{pack ? `Pack ${pack} has no triggers.` : 'No triggers.'}</p>
        ) : (
          shown.map((trigger) => <TriggerCard key={trigger.ref} trigger={trigger} />)
        ))}
      {!ref && <Pager pagination={triggers.data?.pagination} label="Pages of triggers" />}
    </Page>
  );
}

type Sensor = Schemas['Sensor'];

const sensorColumns: Column<Sensor>[] = [
  { header: 'Sensor', cell: (sensor) => <code>{sensor.ref}</code> },
  {
    header: 'Triggers',
    cell: (sensor) =>
      sensor.trigger_types.length === 0 ? (
        <span className="muted">none</span>
      ) : (
        <span className="row-actions">
          {sensor.trigger_types.map((ref) => (
            <Link key={ref} to={`/triggers?ref=${encodeURIComponent(ref)}`}>
              {ref}
            </Link>
          ))}
        </span>
      ),
  },
  {
    header: 'Status',
    cell: (sensor) => (
      <>
        <span className="row-actions">
          {!sensor.enabled && <StatusBadge status="disabled" />}
          <StatusBadge status={sensor.status} />
        </span>
        {sensor.status_detail && <span className="status-detail">{sensor.status_detail}</span>}
        {sensor.status_updated && (
          <span className="hint">
            since <Time at={sensor.status_updated} />
          </span>
        )}
      </>
    ),
  },
  { header: 'Runner', cell: (sensor) => sensor.runner_type, wide: true },
  {
    header: 'Polls every',
    cell: (sensor) => (sensor.poll_interval_s != null ? `${sensor.poll_interval_s} s` : <span className="muted">—</span>),
    wide: true,
  },
  { header: 'Description', cell: (sensor) => sensor.description ?? <span className="muted">—</span>, wide: true },
  { header: 'Pack', cell: (sensor) => <Link to={`/packs/${encodeURIComponent(sensor.pack_ref)}`}>{sensor.pack_ref}</Link>, wide: true },
];

export function SensorsView() {
  const [pack, setPack] = useParam('pack');
  const page = usePage();
  const sensors = useQuery({
    queryKey: ['sensors', { pack, page }],
    queryFn: () => unwrap(api.GET('/api/v1/sensors', { params: { query: { pack: pack || undefined, page } } })),
  });
  return (
    <Page title="Sensors">
      <div className="filters" role="search" aria-label="Filter sensors">
        <PackFilter value={pack} onChange={setPack} />
      </div>
      <p className="muted">
        A sensor's status is what the sensor service last reported.{' '}
        <button type="button" onClick={() => void sensors.refetch()} disabled={sensors.isFetching}>
          {sensors.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </p>
      <ErrorNotice error={sensors.error} what="list the sensors" />
      {!sensors.error && (
        <DataTable
          caption="Sensors"
          rows={sensors.data?.data}
          columns={sensorColumns}
          rowKey={(sensor) => sensor.ref}
          empty={pack ? `Pack ${pack} has no sensors.` : 'No sensors.'}
        />
      )}
      <Pager pagination={sensors.data?.pagination} label="Pages of sensors" />
    </Page>
  );
}
