// Events (each firing of a trigger, newest first; `?selected=ID` shows one with its payload
// and the rules that matched it) and enforcements (each rule's match of an event, with the
// execution it started or why none). Both lists follow the live stream. Payloads come from
// anyone (webhook posters): they are only ever rendered as text.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable, type Column } from '../components/DataTable';
import { enforcementColumns } from '../components/enforcementColumns';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { preview } from '../components/json';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { RefSelect, useRefs } from '../components/RefSelect';
import { Time } from '../components/Time';
import { useParam } from '../components/useParam';
import './automation.css';

type Event = Schemas['Event'];

/** `/events` with the current filters and `selected` set to `id` (or dropped). */
function useSelectedLink(): (id: number | null) => string {
  const [params] = useSearchParams();
  return (id) => {
    const copy = new URLSearchParams(params);
    if (id === null) copy.delete('selected');
    else copy.set('selected', String(id));
    const query = copy.toString();
    return `/events${query ? `?${query}` : ''}`;
  };
}

function EventDetail({ id, closeLink }: { id: number; closeLink: string }) {
  const can = useCan();
  const event = useQuery({
    queryKey: ['events', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/events/{id}', { params: { path: { id } } })),
  });
  const enforcements = useQuery({
    queryKey: ['enforcements', { event: id }],
    queryFn: () => unwrap(api.GET('/api/v1/enforcements', { params: { query: { event: id, page_size: 100 } } })),
    enabled: can('enforcement', 'view', null),
  });
  const data = event.data?.data;
  const heading = useRef<HTMLHeadingElement>(null);
  // Opened from the list below: take the reader to it.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card" aria-labelledby="event-detail">
      <div className="detail-header">
        <h2 id="event-detail" ref={heading} tabIndex={-1}>
          Event #{id}
        </h2>
        <Link to={closeLink}>Close</Link>
      </div>
      <ErrorNotice error={event.error} what={`show event #${id}`} />
      {!data ? (
        !event.error && <p className="muted">Loading…</p>
      ) : (
        <>
          <dl className="facts">
            <Fact label="Trigger">
              <Link to={`/triggers?ref=${encodeURIComponent(data.trigger_ref)}`}>{data.trigger_ref}</Link>
            </Fact>
            <Fact label="Source">{data.source_ref ?? <span className="muted">none (a webhook or the API)</span>}</Fact>
            <Fact label="Created">
              <Time at={data.created} />
            </Fact>
            <Fact label="Rules evaluated">{data.processed ? <Time at={data.processed} /> : <span className="muted">not yet</span>}</Fact>
          </dl>
          <h3>Payload</h3>
          <JsonView value={data.payload} label={`Payload of event #${id}`} />
          {data.config !== null && data.config !== undefined && (
            <>
              <h3>Configuration that produced it</h3>
              <JsonView value={data.config} label={`Configuration of event #${id}`} />
            </>
          )}
          {can('enforcement', 'view', null) && (
            <>
              <h3>Rules that matched</h3>
              <ErrorNotice error={enforcements.error} what="list its enforcements" />
              {!enforcements.error && (
                <DataTable
                  caption={`Enforcements of event #${id}`}
                  rows={enforcements.data?.data}
                  columns={enforcementColumns(true, false)}
                  rowKey={(e) => e.id}
                  empty={data.processed ? 'No rule matched this event.' : 'Its rules have not been evaluated yet.'}
                />
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

export function EventsView() {
  const can = useCan();
  const [trigger, setTrigger] = useParam('trigger');
  const [selectedText] = useParam('selected');
  const page = usePage();
  const link = useSelectedLink();
  const triggers = useRefs('triggers', can('trigger', 'view'));
  const selected = /^\d+$/.test(selectedText) ? Number(selectedText) : null;
  const events = useQuery({
    queryKey: ['events', { trigger, page }],
    queryFn: () => unwrap(api.GET('/api/v1/events', { params: { query: { trigger: trigger || undefined, page } } })),
  });
  const columns: Column<Event>[] = [
    { header: 'Event', cell: (e) => <span aria-current={e.id === selected ? 'true' : undefined}>#{e.id}</span> },
    { header: 'Trigger', cell: (e) => e.trigger_ref },
    { header: 'Source', cell: (e) => e.source_ref ?? <span className="muted">—</span>, wide: true },
    { header: 'When', cell: (e) => <Time at={e.created} /> },
    {
      header: 'Payload',
      cell: (e) => <code className="payload-preview">{preview(e.payload, 90)}</code>,
    },
  ];
  return (
    <Page title="Events">
      <div className="filters" role="search" aria-label="Filter events">
        <RefSelect label="Trigger" value={trigger} onChange={setTrigger} options={triggers} any="Any trigger" />
      </div>
      {selected !== null && <EventDetail key={selected} id={selected} closeLink={link(null)} />}
      <ErrorNotice error={events.error} what="list the events" />
      {!events.error && (
        <DataTable
          caption="Events, newest first; open one to see its payload"
          rows={events.data?.data}
          columns={columns}
          rowKey={(e) => e.id}
          rowLink={(e) => link(e.id)}
          empty={trigger ? `No events of ${trigger} yet.` : 'No events yet.'}
        />
      )}
      <Pager pagination={events.data?.pagination} label="Pages of events" />
    </Page>
  );
}

export function EnforcementsView() {
  const can = useCan();
  const [rule, setRule] = useParam('rule');
  const [status, setStatus] = useParam('status');
  const [eventText, setEvent] = useParam('event');
  const page = usePage();
  const rules = useRefs('rules', can('rule', 'view', null));
  const event = /^\d+$/.test(eventText) ? Number(eventText) : undefined;
  const statusFilter = status === 'created' || status === 'processed' || status === 'disabled' ? status : undefined;
  const enforcements = useQuery({
    queryKey: ['enforcements', { rule, status: statusFilter, event, page }],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/enforcements', {
          params: { query: { rule: rule || undefined, status: statusFilter, event, page } },
        }),
      ),
  });
  return (
    <Page title="Enforcements">
      <div className="filters" role="search" aria-label="Filter enforcements">
        <RefSelect label="Rule" value={rule} onChange={setRule} options={rules} any="Any rule" />
        <label>
          Status
          <select value={statusFilter ?? ''} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            <option value="created">created</option>
            <option value="processed">processed</option>
            <option value="disabled">disabled</option>
          </select>
        </label>
        <label>
          Event
          <input
            inputMode="numeric"
            value={eventText}
            onChange={(e) => setEvent(e.target.value.replace(/\D/g, ''))}
            placeholder="id"
          />
        </label>
      </div>
      <ErrorNotice error={enforcements.error} what="list the enforcements" />
      {!enforcements.error && (
        <DataTable
          caption="Enforcements, newest first"
          rows={enforcements.data?.data}
          columns={enforcementColumns(true, true)}
          rowKey={(e) => e.id}
          empty={rule || statusFilter || event ? 'No enforcement matches these filters.' : 'No enforcements yet.'}
        />
      )}
      <Pager pagination={enforcements.data?.pagination} label="Pages of enforcements" />
    </Page>
  );
}
