// One execution: what ran and where it came from, its timeline, parameters, live output,
// result, artifacts, metering and failure; cancel and re-run (with edited parameters); for a workflow,
// its run, and its child executions. Queries are keyed ['execution', id], ['children', id]
// and ['workflow', id], which live notices invalidate.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useCan } from '../../api/access';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { packOf } from '../../api/refs';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JsonView } from '../../components/JsonView';
import { Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { elapsed, Time } from '../../components/Time';
import { Artifacts } from './Artifacts';
import { isFinished } from './executionParts';
import { Output } from './Output';
import { Rerun } from './Rerun';
import { Metering, Summary } from './Summary';
import { Timeline } from './Timeline';
import { WorkflowRun } from './WorkflowRun';
import './executions.css';

function Children({ id, workflow }: { id: number; workflow: boolean }) {
  const children = useQuery({
    queryKey: ['children', id],
    queryFn: () => unwrap(api.GET('/api/v1/executions/{id}/children', { params: { path: { id }, query: { page_size: 100 } } })),
  });
  const rows = children.data?.data;
  const total = children.data?.pagination.total ?? 0;
  if (!workflow && !children.error && (!rows || rows.length === 0)) return null;
  return (
    <section className="card" aria-labelledby="children-title">
      <h2 id="children-title">{workflow ? 'Task executions' : 'Executions it started'}</h2>
      <ErrorNotice error={children.error} what="list the child executions" />
      {!children.error && (
        <DataTable
          rows={rows}
          rowKey={(e) => e.id}
          rowLink={(e) => `/executions/${e.id}`}
          empty={workflow ? 'No task has started yet.' : 'None.'}
          columns={[
            { header: 'Id', cell: (e) => e.id },
            { header: 'Action', cell: (e) => e.action_ref },
            { header: 'Status', cell: (e) => <StatusBadge status={e.status} /> },
            { header: 'Created', cell: (e) => <Time at={e.created} />, wide: true },
            { header: 'Took', cell: (e) => elapsed(e.started, e.finished) ?? '—', wide: true },
          ]}
        />
      )}
      {total > (rows?.length ?? 0) && (
        <p>
          <Link to={`/executions?parent=${id}`}>All {total} task executions</Link>
        </p>
      )}
    </section>
  );
}

function ExecutionDetail({ id }: { id: number }) {
  const client = useQueryClient();
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const execution = useQuery({
    queryKey: ['execution', id],
    queryFn: () => unwrap(api.GET('/api/v1/executions/{id}', { params: { path: { id } } })).then((a) => a.data),
  });
  const e = execution.data;
  const maybeWorkflow = e !== undefined && (e.runner_type === 'workflow' || e.runner_type == null);
  const workflow = useQuery({
    queryKey: ['workflow', id],
    queryFn: () => unwrap(api.GET('/api/v1/executions/{id}/workflow', { params: { path: { id } } })).then((a) => a.data),
    enabled: maybeWorkflow,
    retry: false,
  });
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/executions/{id}/cancel', { params: { path: { id } } })),
    onSuccess: (answer) => {
      client.setQueryData(['execution', id], answer.data);
      void client.invalidateQueries({ queryKey: ['workflow', id] });
    },
  });

  if (execution.error) {
    return (
      <Page title={`Execution ${id}`}>
        <ErrorNotice error={execution.error} what={`show execution ${id}`} />
        <p>
          <Link to="/executions">All executions</Link>
        </p>
      </Page>
    );
  }
  if (!e) {
    return (
      <Page title={`Execution ${id}`}>
        <p className="muted">Loading…</p>
      </Page>
    );
  }

  const pack = packOf(e.action_ref);
  const finished = isFinished(e.status);
  // A workflow is known by its runner; with none recorded, by the workflow route answering.
  const notWorkflow = workflow.error instanceof ApiError && (workflow.error.status === 422 || workflow.error.status === 404);
  const isWorkflow = e.runner_type === 'workflow' || (maybeWorkflow && workflow.data !== undefined);
  const rerunOpen = params.get('rerun') === '1';
  const setRerun = (open: boolean) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (open) next.set('rerun', '1');
        else next.delete('rerun');
        return next;
      },
      { replace: true },
    );

  const actions = (
    <>
      {!finished && e.status !== 'canceling' && can('execution', 'modify', pack) && (
        <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
          {cancel.isPending ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {can('action', 'execute', pack) && (
        <button type="button" aria-expanded={rerunOpen} aria-controls="rerun" onClick={() => setRerun(!rerunOpen)}>
          Re-run
        </button>
      )}
    </>
  );

  return (
    <Page title={`Execution ${id}`} actions={actions}>
      <p className="ex-lede">
        <Link to={`/actions/${e.action_ref}`}>{e.action_ref}</Link>{' '}
        <span role="status" aria-label="Status">
          <StatusBadge status={e.status} />
        </span>
      </p>
      <ErrorNotice error={cancel.error} what="cancel the execution" />
      {rerunOpen && can('action', 'execute', pack) && (
        <div id="rerun">
          <Rerun execution={e} run={workflow.data} onClose={() => setRerun(false)} />
        </div>
      )}
      <div className="ex-columns">
        <Summary execution={e} />
        <Timeline execution={e} />
      </div>
      {(isWorkflow || (maybeWorkflow && !notWorkflow && workflow.isLoading)) && (
        <WorkflowRun
          execution={e}
          run={workflow.data}
          error={notWorkflow ? null : workflow.error}
          mayModify={can('execution', 'modify', pack)}
        />
      )}
      <section className="card" aria-labelledby="parameters-title">
        <h2 id="parameters-title">Parameters</h2>
        {Object.keys(e.parameters).length === 0 ? (
          <p className="muted">No parameters.</p>
        ) : (
          <JsonView value={e.parameters} label="Parameters" />
        )}
      </section>
      <Output id={id} finished={finished} quietWhenEmpty={isWorkflow} />
      {e.result != null && (
        <section className="card" aria-labelledby="result-title">
          <h2 id="result-title">Result</h2>
          <JsonView value={e.result} label="Result" />
        </section>
      )}
      {can('artifact', 'view', pack) && <Artifacts id={id} finished={finished} />}
      {e.metering && <Metering metering={e.metering} />}
      <Children id={id} workflow={isWorkflow} />
    </Page>
  );
}

export function ExecutionView() {
  const { id: raw } = useParams();
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) {
    return (
      <Page title="Execution not found">
        <p>
          “{raw}” is not an execution id. <Link to="/executions">All executions</Link>
        </p>
      </Page>
    );
  }
  // A new id is a new page: nothing of the last one's forms or output carries over.
  return <ExecutionDetail key={id} id={id} />;
}
