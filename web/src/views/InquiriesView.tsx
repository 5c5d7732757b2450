// Inquiries: questions executions wait on. The list (pending ones by default; `?status=`
// and `?mine=true` in the URL) and one inquiry's page — the question, who may answer, the
// execution that asks, and, while it waits, a form for the answer built from its schema.
// Both follow the live stream: the lists are keyed ['inquiries', ...], one inquiry
// ['inquiry', id].
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router-dom';
import { useCan, useMe, type Profile } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { refusedFields } from '../components/formErrors';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { SchemaForm } from '../components/SchemaForm';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import { useParam } from '../components/useParam';
import './catalog.css';

type Inquiry = Schemas['Inquiry'];
type InquiryStatus = Schemas['InquiryStatus'];

const STATUSES: InquiryStatus[] = ['pending', 'responded', 'timeout', 'cancelled'];
const PAGE_SIZE = 50;

/** Who may answer, in words. */
function assigneesOf(inquiry: Inquiry): string {
  const { identities = [], permission_sets: sets = [] } = inquiry.assignees;
  const parts = [...identities, ...sets.map((set) => `holders of ${set}`)];
  if (parts.length > 0) return parts.join(', ');
  return inquiry.pack_ref ? `anyone who may respond to inquiries of ${inquiry.pack_ref}` : 'anyone who may respond to inquiries';
}

/** Whether `me` may answer `inquiry`, as the server decides it. */
function mayAnswer(me: Profile | undefined, inquiry: Inquiry, can: ReturnType<typeof useCan>): boolean {
  if (!me) return false;
  const { identities = [], permission_sets: sets = [] } = inquiry.assignees;
  return (
    identities.includes(me.login) ||
    me.permission_sets.some((set) => sets.includes(set)) ||
    can('inquiry', 'respond', inquiry.pack_ref ?? null)
  );
}

export function InquiriesView() {
  // Pending by default; `all` shows every status.
  const [statusText, setStatus] = useParam('status');
  const [mineText, setMine] = useParam('mine');
  const chosen = statusText || 'pending';
  const status = STATUSES.includes(chosen as InquiryStatus) ? (chosen as InquiryStatus) : undefined;
  const mine = mineText === 'true';
  const page = usePage();
  const inquiries = useQuery({
    queryKey: ['inquiries', 'list', { status: status ?? 'all', mine, page }],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/inquiries', {
          params: { query: { status, mine: mine || undefined, page, page_size: PAGE_SIZE } },
        }),
      ),
  });
  const empty = status
    ? `No ${status === 'timeout' ? 'timed out' : status} inquiries${mine ? ' assigned to you' : ''}.`
    : `No inquiries${mine ? ' assigned to you' : ''}.`;

  return (
    <Page title="Inquiries">
      <form className="filters" role="search" aria-label="Filter inquiries" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status ?? 'all'} onChange={(e) => setStatus(e.target.value === 'pending' ? '' : e.target.value)}>
            <option value="pending">Pending</option>
            <option value="responded">Responded</option>
            <option value="timeout">Timed out</option>
            <option value="cancelled">Cancelled</option>
            <option value="all">Any status</option>
          </select>
        </label>
        <label className="catalog-filters-check">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked ? 'true' : '')} />
          Only those assigned to me
        </label>
      </form>
      <ErrorNotice error={inquiries.error} what="list inquiries" />
      {!inquiries.error && (
        <>
          <DataTable<Inquiry>
            caption="Inquiries"
            rows={inquiries.data?.data}
            rowKey={(inquiry) => inquiry.id}
            rowLink={(inquiry) => `/inquiries/${inquiry.id}`}
            empty={empty}
            columns={[
              { header: 'Inquiry', cell: (inquiry) => `#${inquiry.id}` },
              { header: 'Question', cell: (inquiry) => inquiry.prompt },
              { header: 'Status', cell: (inquiry) => <StatusBadge status={inquiry.status} /> },
              { header: 'Assigned to', wide: true, cell: assigneesOf },
              {
                header: 'Asked by',
                wide: true,
                cell: (inquiry) =>
                  inquiry.execution != null ? (
                    <Link to={`/executions/${inquiry.execution}`}>Execution {inquiry.execution}</Link>
                  ) : (
                    <span className="muted">—</span>
                  ),
              },
              { header: 'Asked', cell: (inquiry) => <Time at={inquiry.created} /> },
            ]}
          />
          <Pager pagination={inquiries.data?.pagination} label="Pages of inquiries" />
        </>
      )}
    </Page>
  );
}

/** The execution that asked: its status and, once answered, its result. */
function AskingExecution({ id }: { id: number }) {
  const execution = useQuery({
    queryKey: ['execution', id, 'asking'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/executions/{id}', { params: { path: { id } } })).then((answer) => answer.data),
  });
  return (
    <section className="card" aria-labelledby="inquiry-execution">
      <h2 id="inquiry-execution">The asking execution</h2>
      <ErrorNotice error={execution.error} what="load the asking execution" />
      {execution.isPending && <p className="muted">Loading…</p>}
      {execution.data && (
        <dl className="facts">
          <Fact label="Execution">
            <Link to={`/executions/${id}`}>Execution {id}</Link> of{' '}
            <Link to={`/actions/${encodeURIComponent(execution.data.action_ref)}`}>{execution.data.action_ref}</Link>
          </Fact>
          <Fact label="Status">
            <span data-testid="asking-status">
              <StatusBadge status={execution.data.status} />
            </span>
          </Fact>
          {execution.data.parent != null && (
            <Fact label="Part of">
              <Link to={`/executions/${execution.data.parent}`}>Execution {execution.data.parent}</Link>
            </Fact>
          )}
          {execution.data.result != null && (
            <Fact label="Result">
              <JsonView value={execution.data.result} label="Result of the asking execution" />
            </Fact>
          )}
        </dl>
      )}
    </section>
  );
}

function Answer({ inquiry }: { inquiry: Inquiry }) {
  const client = useQueryClient();
  const respond = useMutation({
    mutationFn: (response: Record<string, unknown>) =>
      unwrap(
        api.POST('/api/v1/inquiries/{id}/respond', {
          params: { path: { id: inquiry.id } },
          body: { response },
        }),
      ).then((answer) => answer.data),
    onSuccess: (answered) => {
      client.setQueryData(['inquiry', inquiry.id, 'view'], answered);
      void client.invalidateQueries({ queryKey: ['inquiries'] });
      if (answered.execution != null) void client.invalidateQueries({ queryKey: ['execution', answered.execution] });
    },
    // Answered or closed meanwhile (409): show what it is now.
    onError: () => void client.invalidateQueries({ queryKey: ['inquiry', inquiry.id] }),
  });
  const fields = refusedFields(respond.error);
  return (
    <>
      {!fields && <ErrorNotice error={respond.error} what="answer this inquiry" />}
      <SchemaForm
        schema={inquiry.response_schema}
        submitLabel="Respond"
        onSubmit={(values) => respond.mutate(values)}
        serverErrors={fields}
        busy={respond.isPending}
        emptyText="The answer takes no fields: responding is the answer."
      />
    </>
  );
}

export function InquiryView() {
  const { id: param = '' } = useParams();
  const id = Number(param);
  const valid = Number.isInteger(id) && id > 0;
  const me = useMe();
  const can = useCan();
  const inquiry = useQuery({
    queryKey: ['inquiry', id, 'view'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/inquiries/{id}', { params: { path: { id } } })).then((answer) => answer.data),
    enabled: valid,
  });
  const data = inquiry.data;
  return (
    <Page title={`Inquiry ${param}`}>
      {!valid && <p className="notice notice-error">“{param}” is not an inquiry’s number.</p>}
      <ErrorNotice error={inquiry.error} what="load this inquiry" />
      {valid && inquiry.isPending && <p className="muted">Loading…</p>}
      {data && (
        <div className="catalog-columns">
          <div>
            <section className="card" aria-labelledby="inquiry-question">
              <h2 id="inquiry-question">Question</h2>
              <p className="inquiry-prompt">{data.prompt}</p>
              <dl className="facts">
                <Fact label="Status">
                  <span data-testid="inquiry-status">
                    <StatusBadge status={data.status} />
                  </span>
                </Fact>
                <Fact label="Assigned to">{assigneesOf(data)}</Fact>
                {data.pack_ref && (
                  <Fact label="Pack">
                    <Link to={`/packs/${encodeURIComponent(data.pack_ref)}`}>{data.pack_ref}</Link>
                  </Fact>
                )}
                <Fact label="Asked">
                  <Time at={data.created} />
                </Fact>
                {data.timeout_at && (
                  <Fact label={data.status === 'pending' ? 'Expires' : 'Was to expire'}>
                    <time dateTime={data.timeout_at}>{new Date(data.timeout_at).toLocaleString()}</time>
                  </Fact>
                )}
                {data.responded_by && <Fact label="Answered by">{data.responded_by}</Fact>}
                {data.responded_at && (
                  <Fact label="Answered">
                    <Time at={data.responded_at} />
                  </Fact>
                )}
              </dl>
            </section>
            <section className="card" aria-labelledby="inquiry-answer">
              <h2 id="inquiry-answer">Answer</h2>
              {data.status === 'pending' ? (
                me.isPending ? (
                  <p className="muted">Loading…</p>
                ) : mayAnswer(me.data, data, can) ? (
                  <Answer inquiry={data} />
                ) : (
                  <p className="notice notice-forbidden">
                    You may view this inquiry but not answer it: it is assigned to {assigneesOf(data)}.
                  </p>
                )
              ) : data.response != null ? (
                <JsonView value={data.response} label="The answer" />
              ) : (
                <p className="muted">
                  {data.status === 'timeout'
                    ? 'Nobody answered in time.'
                    : data.status === 'cancelled'
                      ? 'The inquiry was withdrawn before anyone answered.'
                      : 'No answer was recorded.'}
                </p>
              )}
            </section>
          </div>
          <div>
            {data.execution != null ? (
              <AskingExecution id={data.execution} />
            ) : (
              <section className="card" aria-labelledby="inquiry-execution">
                <h2 id="inquiry-execution">The asking execution</h2>
                <p className="muted">No execution waits on this inquiry.</p>
              </section>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}
