// Workflow definitions: the list (optionally of one pack, kept in the URL), and one
// definition with its graph of tasks and transitions, its tasks, parameters and variables.
import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap } from '../api/client';
import { packOf } from '../api/refs';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Fact } from '../components/Fact';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { EnabledBadge } from '../components/StatusBadge';
import { WorkflowGraph, WorkflowTasks } from '../components/WorkflowGraph';
import './executions/executions.css';

export function WorkflowsView() {
  const [params, setParams] = useSearchParams();
  const pack = params.get('pack')?.trim() || undefined;
  const workflows = useQuery({
    queryKey: ['workflows', { pack }],
    queryFn: () => unwrap(api.GET('/api/v1/workflows', { params: { query: { pack, page_size: 1000 } } })),
  });
  const rows = workflows.data?.data;
  const total = workflows.data?.pagination.total ?? 0;
  return (
    <Page title="Workflows">
      <form className="filters" role="search" aria-label="Filter workflows" onSubmit={(e) => e.preventDefault()}>
        <label>
          Pack
          <input
            defaultValue={pack ?? ''}
            key={pack ?? ''}
            placeholder="any pack"
            spellCheck={false}
            autoCapitalize="off"
            onBlur={(e) => setParams(e.target.value.trim() ? { pack: e.target.value.trim() } : {}, { replace: true })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                const value = e.currentTarget.value.trim();
                setParams(value ? { pack: value } : {}, { replace: true });
              }
            }}
          />
        </label>
        {pack && (
          <button type="button" onClick={() => setParams({}, { replace: true })}>
            Any pack
          </button>
        )}
      </form>
      <ErrorNotice error={workflows.error} what="list the workflows" />
      {!workflows.error && (
        <DataTable
          rows={rows}
          rowKey={(w) => w.ref}
          rowLink={(w) => `/workflows/${w.ref}`}
          empty={pack ? `No workflows in pack ${pack}.` : 'No workflows: packs declare them in their workflows/ folder.'}
          columns={[
            { header: 'Workflow', cell: (w) => w.ref },
            { header: 'Label', cell: (w) => w.label },
            { header: 'Tasks', cell: (w) => w.tasks.length },
            { header: 'State', cell: (w) => <EnabledBadge enabled={w.enabled} />, wide: true },
            { header: 'Description', cell: (w) => w.description ?? <span className="muted">—</span>, wide: true },
          ]}
        />
      )}
      {rows && total > rows.length && (
        <p className="muted">
          Showing {rows.length} of {total}.
        </p>
      )}
    </Page>
  );
}

export function WorkflowDefinitionView() {
  const { ref = '' } = useParams();
  const can = useCan();
  const definition = useQuery({
    queryKey: ['workflow-definition', ref],
    queryFn: () =>
      unwrap(api.GET('/api/v1/workflows/{workflow_ref}', { params: { path: { workflow_ref: ref } } })).then((a) => a.data),
  });
  const w = definition.data;
  if (definition.error || !w) {
    return (
      <Page title={`Workflow ${ref}`}>
        <ErrorNotice error={definition.error} what={`show workflow ${ref}`} />
        {!definition.error && <p className="muted">Loading…</p>}
        <p>
          <Link to="/workflows">All workflows</Link>
        </p>
      </Page>
    );
  }
  const actions = (
    <>
      <Link className="button" to={`/executions?action_ref=${encodeURIComponent(w.ref)}`}>
        Its runs
      </Link>
      {w.enabled && can('action', 'execute', packOf(w.ref)) && (
        <Link className="button primary" to={`/actions/${w.ref}`}>
          Run…
        </Link>
      )}
    </>
  );
  return (
    <Page title={w.label || w.ref} actions={actions}>
      <section className="card" aria-labelledby="definition-title">
        <h2 id="definition-title">Definition</h2>
        <dl className="facts">
          <Fact label="Ref" className="mono">
            {w.ref}
          </Fact>
          <Fact label="Pack">
            <Link to={`/packs/${w.pack_ref}`}>{w.pack_ref}</Link>
          </Fact>
          <Fact label="Version">{w.version}</Fact>
          <Fact label="State">
            <EnabledBadge enabled={w.enabled} />
          </Fact>
          {w.description && <Fact label="Description">{w.description}</Fact>}
          {w.tags.length > 0 && <Fact label="Tags">{w.tags.join(', ')}</Fact>}
        </dl>
      </section>
      <section className="card" aria-labelledby="graph-title">
        <h2 id="graph-title">Graph</h2>
        <WorkflowGraph tasks={w.tasks} label={`Graph of workflow ${w.ref}`} />
        <WorkflowTasks tasks={w.tasks} />
      </section>
      <div className="ex-columns">
        <section className="card" aria-labelledby="parameters-title">
          <h2 id="parameters-title">Parameters</h2>
          {Object.keys(w.parameters).length === 0 ? <p className="muted">None.</p> : <JsonView value={w.parameters} label="Parameters" />}
        </section>
        <section className="card" aria-labelledby="vars-title">
          <h2 id="vars-title">Variables and output</h2>
          <h3 className="ex-subtitle">Initial variables</h3>
          {Object.keys(w.vars).length === 0 ? <p className="muted">None.</p> : <JsonView value={w.vars} label="Initial variables" />}
          <h3 className="ex-subtitle">Output</h3>
          {Object.keys(w.output).length === 0 ? <p className="muted">None.</p> : <JsonView value={w.output} label="Output" />}
        </section>
      </div>
    </Page>
  );
}
