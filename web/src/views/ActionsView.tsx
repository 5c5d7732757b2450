// Actions: the list (filtered by pack through `?pack=`), and one action's page — what it is,
// its parameters, a form to run it (for those who may), and its latest executions.
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useCan, useMe } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { refusedFields } from '../components/formErrors';
import { isRecord } from '../components/json';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { Pager, usePage } from '../components/Pager';
import { ParameterTable } from '../components/Parameters';
import { RefSelect, useRefs } from '../components/RefSelect';
import { SchemaForm } from '../components/SchemaForm';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import { useParam } from '../components/useParam';
import './catalog.css';

type Action = Schemas['Action'];

const PAGE_SIZE = 50;

export function ActionsView() {
  const [pack, setPack] = useParam('pack');
  const page = usePage();
  const packs = useRefs('packs');
  const actions = useQuery({
    queryKey: ['catalog', 'actions', { pack, page }],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/actions', {
          params: { query: { pack: pack || undefined, page, page_size: PAGE_SIZE } },
        }),
      ),
  });

  return (
    <Page title="Actions">
      <form className="filters" role="search" aria-label="Filter actions" onSubmit={(e) => e.preventDefault()}>
        <RefSelect label="Pack" value={pack} onChange={setPack} options={packs} any="All packs" />
      </form>
      <ErrorNotice error={actions.error} what="list actions" />
      {!actions.error && (
        <>
          <DataTable<Action>
            caption={pack ? `Actions of pack ${pack}` : 'Actions'}
            rows={actions.data?.data}
            rowKey={(action) => action.ref}
            rowLink={(action) => `/actions/${encodeURIComponent(action.ref)}`}
            empty={pack ? `Pack ${pack} has no actions.` : 'No actions are registered.'}
            columns={[
              { header: 'Action', cell: (action) => action.ref },
              {
                header: 'Description',
                cell: (action) => (
                  <>
                    {action.label}
                    {action.description && <span className="catalog-desc">{action.description}</span>}
                  </>
                ),
              },
              { header: 'Runner', cell: (action) => action.runner_type },
              {
                header: 'Pack',
                wide: true,
                cell: (action) => <Link to={`/packs/${encodeURIComponent(action.pack_ref)}`}>{action.pack_ref}</Link>,
              },
            ]}
          />
          <Pager pagination={actions.data?.pagination} label="Pages of actions" />
        </>
      )}
    </Page>
  );
}

/** Limits in words (`fuel 10000000, memory 16 MB`), or null when none are asked for. */
function limitsOf(limits: unknown): string | null {
  if (!isRecord(limits)) return null;
  const parts = Object.entries(limits).map(([name, value]) =>
    name === 'memory_mb' ? `memory ${String(value)} MB` : `${name.replace(/_/g, ' ')} ${String(value)}`,
  );
  return parts.length > 0 ? parts.join(', ') : null;
}

function About({ action }: { action: Action }) {
  const limits = limitsOf(action.limits);
  const native = !['wasm', 'workflow', 'builtin', 'inquiry'].includes(action.runner_type);
  return (
    <section className="card" aria-labelledby="action-about">
      <h2 id="action-about">About</h2>
      {action.description && <p className="catalog-lede">{action.description}</p>}
      <dl className="facts">
        <Fact label="Pack">
          <Link to={`/packs/${encodeURIComponent(action.pack_ref)}`}>{action.pack_ref}</Link>
        </Fact>
        <Fact label="Runner">{action.runner_type}</Fact>
        {action.runner_type === 'workflow' ? (
          <Fact label="Workflow">
            <Link to={`/workflows/${encodeURIComponent(action.ref)}`}>Its tasks and graph</Link>
          </Fact>
        ) : (
          action.entry_point && (
            <Fact label="Entry point">
              <code>{action.entry_point}</code>
            </Fact>
          )
        )}
        <Fact label="Timeout">{action.timeout_s != null ? `${action.timeout_s} s` : 'the server’s default'}</Fact>
        {limits && <Fact label="Limits">{limits}</Fact>}
        {native && <Fact label="Output">{action.output_format} on standard output</Fact>}
        {action.secrets.length > 0 && <Fact label="Secrets">{action.secrets.join(', ')}</Fact>}
        {action.allowed_hosts.length > 0 && <Fact label="Allowed hosts">{action.allowed_hosts.join(', ')}</Fact>}
        <Fact label="Safe to rerun">{action.idempotent ? 'yes (idempotent)' : 'no'}</Fact>
        <Fact label="Updated">
          <Time at={action.updated} />
        </Fact>
      </dl>
    </section>
  );
}

function RunForm({ action }: { action: Action }) {
  const navigate = useNavigate();
  const run = useMutation({
    mutationFn: (parameters: Record<string, unknown>) =>
      unwrap(
        api.POST('/api/v1/actions/{action_ref}/execute', {
          params: { path: { action_ref: action.ref } },
          body: { parameters },
        }),
      ).then((answer) => answer.data),
    onSuccess: (execution) => navigate(`/executions/${execution.id}`),
  });
  const fields = refusedFields(run.error);
  return (
    <>
      {!fields && <ErrorNotice error={run.error} what="run this action" />}
      <SchemaForm
        schema={action.param_schema}
        submitLabel="Run"
        onSubmit={(values) => run.mutate(values)}
        serverErrors={fields}
        busy={run.isPending || run.isSuccess}
        emptyText="This action takes no parameters."
      />
      {run.isPending && (
        <p className="muted" role="status">
          Requesting an execution…
        </p>
      )}
    </>
  );
}

function RunCard({ action }: { action: Action }) {
  const me = useMe();
  const can = useCan();
  return (
    <section className="card" aria-labelledby="action-run">
      <h2 id="action-run">Run</h2>
      {me.isPending ? (
        <p className="muted">Loading…</p>
      ) : me.error ? (
        <ErrorNotice error={me.error} what="read your permissions" />
      ) : can('action', 'execute', action.pack_ref) ? (
        <RunForm action={action} />
      ) : (
        <p className="notice notice-forbidden">
          You may view this action but not run it. Running it needs the <code>execute</code> grant on actions of pack{' '}
          <code>{action.pack_ref}</code>.
        </p>
      )}
    </section>
  );
}

function RecentExecutions({ action }: { action: Action }) {
  const can = useCan();
  // Listing executions needs `view` on executions outside any pack scope.
  const allowed = can('execution', 'view', null);
  const executions = useQuery({
    queryKey: ['executions', 'of-action', action.ref],
    queryFn: () =>
      unwrap(api.GET('/api/v1/executions', { params: { query: { action_ref: action.ref, page_size: 10 } } })),
    enabled: allowed,
  });
  if (!allowed) return null;
  return (
    <section className="card" aria-labelledby="action-executions">
      <h2 id="action-executions">Latest executions</h2>
      <ErrorNotice error={executions.error} what="list its executions" />
      {!executions.error && (
        <DataTable<Schemas['Execution']>
          caption={`Latest executions of ${action.ref}`}
          rows={executions.data?.data}
          rowKey={(execution) => execution.id}
          rowLink={(execution) => `/executions/${execution.id}`}
          empty="It has not run yet."
          columns={[
            { header: 'Execution', cell: (execution) => `#${execution.id}` },
            { header: 'Status', cell: (execution) => <StatusBadge status={execution.status} /> },
            { header: 'Requested', cell: (execution) => <Time at={execution.created} /> },
          ]}
        />
      )}
      {executions.data && executions.data.pagination.total > executions.data.data.length && (
        <p>
          <Link to={`/executions?action_ref=${encodeURIComponent(action.ref)}`}>All {executions.data.pagination.total} executions</Link>
        </p>
      )}
    </section>
  );
}

export function ActionView() {
  const { ref = '' } = useParams();
  const action = useQuery({
    queryKey: ['catalog', 'action', ref],
    queryFn: () =>
      unwrap(api.GET('/api/v1/actions/{action_ref}', { params: { path: { action_ref: ref } } })).then(
        (answer) => answer.data,
      ),
  });
  const data = action.data;
  return (
    <Page
      title={ref}
      actions={
        data?.runner_type === 'workflow' ? (
          <Link className="button" to={`/workflows/${encodeURIComponent(data.ref)}`}>
            View the workflow
          </Link>
        ) : undefined
      }
    >
      {data && <p className="catalog-subtitle">{data.label}</p>}
      <ErrorNotice error={action.error} what="load this action" />
      {action.isPending && <p className="muted">Loading…</p>}
      {data && (
        <div className="catalog-columns">
          <div>
            <RunCard action={data} />
            <section className="card" aria-labelledby="action-parameters">
              <h2 id="action-parameters">Parameters</h2>
              <ParameterTable schema={data.param_schema} caption={`Parameters of ${data.ref}`} />
            </section>
          </div>
          <div>
            <About action={data} />
            {data.output_schema != null && (
              <section className="card" aria-labelledby="action-output-schema">
                <h2 id="action-output-schema">Result schema</h2>
                <JsonView value={data.output_schema} label="Result schema" />
              </section>
            )}
            <RecentExecutions action={data} />
          </div>
        </div>
      )}
    </Page>
  );
}
