// A workflow execution's run: its graph with each task's state, its tasks, the variables it
// published, and pause/resume while it runs.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JsonView } from '../../components/JsonView';
import { WorkflowGraph, WorkflowTasks } from '../../components/WorkflowGraph';
import { isFinished, type Execution } from './executionParts';

type RunView = Schemas['RunView'];

export function WorkflowRun({
  execution,
  run,
  error,
  mayModify,
}: {
  execution: Execution;
  run: RunView | undefined;
  error: unknown;
  mayModify: boolean;
}) {
  const client = useQueryClient();
  const control = useMutation({
    mutationFn: (verb: 'pause' | 'resume') =>
      verb === 'pause'
        ? unwrap(api.POST('/api/v1/executions/{id}/pause', { params: { path: { id: execution.id } }, body: {} }))
        : unwrap(api.POST('/api/v1/executions/{id}/resume', { params: { path: { id: execution.id } } })),
    onSuccess: (answer) => {
      client.setQueryData(['workflow', execution.id], answer.data);
      void client.invalidateQueries({ queryKey: ['execution', execution.id] });
    },
  });
  const running = !isFinished(execution.status) && execution.status !== 'canceling';
  return (
    <section className="card" aria-labelledby="workflow-title">
      <div className="ex-card-header">
        <h2 id="workflow-title">Workflow{run ? ` ${run.workflow}` : ''}</h2>
        {run && running && mayModify && (
          <button type="button" onClick={() => control.mutate(run.paused ? 'resume' : 'pause')} disabled={control.isPending}>
            {run.paused ? 'Resume' : 'Pause'}
          </button>
        )}
      </div>
      <ErrorNotice error={error} what="show the workflow" />
      <ErrorNotice error={control.error} what={control.variables === 'resume' ? 'resume the workflow' : 'pause the workflow'} />
      {!run && !error && <p className="muted">Loading…</p>}
      {run && (
        <>
          {run.paused && (
            <p className="notice notice-forbidden">
              <strong>Paused:</strong> no task starts until it is resumed{run.pause_reason ? ` (${run.pause_reason})` : ''}.
            </p>
          )}
          {run.error && (
            <p className="notice notice-error">
              <strong>The workflow failed:</strong> {run.error}
            </p>
          )}
          <WorkflowGraph tasks={run.tasks} run label={`Graph of workflow ${run.workflow}`} />
          <WorkflowTasks tasks={run.tasks} run />
          <h3 className="ex-subtitle">Variables</h3>
          {Object.keys(run.variables).length === 0 ? (
            <p className="muted">No variables published yet.</p>
          ) : (
            <JsonView value={run.variables} label="Workflow variables" />
          )}
        </>
      )}
    </section>
  );
}
