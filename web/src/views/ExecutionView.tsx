// One execution: what ran and where it came from, its timeline, parameters, live output,
// result, metering and failure; cancel and re-run (with edited parameters); for a workflow,
// its graph with each task's state, its variables, pause/resume, and its child executions.
// Queries are keyed ['execution', id], ['children', id] and ['workflow', id], which live
// notices invalidate; the output follows the stream's lines for this execution.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useCan } from '../api/access';
import { api, unwrap, type Schemas } from '../api/client';
import { ApiError } from '../api/errors';
import { listen } from '../api/stream';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { JsonView } from '../components/JsonView';
import { Page } from '../components/Page';
import { StatusBadge } from '../components/StatusBadge';
import { duration, Time } from '../components/Time';
import { WorkflowGraph, WorkflowTasks } from '../components/WorkflowGraph';
import { isFinished, meteringFacts, Origin, packOf, ranFor, type Execution } from './executionParts';
import './executions.css';

type RunView = Schemas['RunView'];

export interface OutputLine {
  seq: number;
  stream: string;
  text: string;
}

const OUTPUT_PAGE = 1000;

/**
 * The output of execution `id`: the stored lines (read page by page), then the stream's new
 * ones, each once (by `seq`). What the stream may have missed (before it was subscribed, a
 * reconnect, a line cut short, the end of the run) is read again from the REST route.
 */
export function useOutput(id: number) {
  const client = useQueryClient();
  const [lines, setLines] = useState<OutputLine[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    let cancelled = false;
    const bySeq = new Map<number, OutputLine>();
    const stored = new Set<number>(); // lines read from the REST route (complete)
    let after = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const publish = () => {
      timer = null;
      if (!cancelled) setLines([...bySeq.values()].sort((a, b) => a.seq - b.seq));
    };
    // Lines come in bursts: the view renders at most ten times a second.
    const schedule = () => {
      if (!timer) timer = setTimeout(publish, 100);
    };

    let reading = false;
    let again = false;
    const catchUp = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          for (;;) {
            // Without `follow` the answer is JSON (the route's other type is its NDJSON stream).
            const page = (await unwrap(
              api.GET('/api/v1/executions/{id}/output', { params: { path: { id }, query: { after, limit: OUTPUT_PAGE } } }),
            )) as Schemas['Data_ExecutionOutput'];
            if (cancelled) return;
            for (const line of page.data.lines) {
              bySeq.set(line.seq, { seq: line.seq, stream: line.stream, text: line.text });
              stored.add(line.seq);
            }
            after = Math.max(after, page.data.next);
            if (page.data.lines.length < OUTPUT_PAGE) break;
          }
        } while (again && !cancelled);
        if (!cancelled) {
          setError(null);
          setLoaded(true);
        }
      } catch (failure) {
        if (!cancelled) setError(failure);
      } finally {
        reading = false;
        schedule();
      }
    };

    // The app-wide stream refreshes the page's queries, but this page may have read them
    // before that stream was subscribed: once this one is, and on its own notices of this
    // execution, they are read again (gathered, at most every 300 ms).
    const stale = new Set<string>();
    let refresh: ReturnType<typeof setTimeout> | null = null;
    const invalidate = (...keys: string[]) => {
      for (const key of keys) stale.add(key);
      refresh ??= setTimeout(() => {
        refresh = null;
        for (const key of stale) void client.invalidateQueries({ queryKey: [key, id] });
        stale.clear();
      }, 300);
    };

    const unsubscribe = listen({ entity: ['execution'], id, output: true }, (notice) => {
      if (notice.type === 'subscribed') {
        invalidate('execution', 'workflow', 'children');
        void catchUp();
      } else if (notice.type === 'execution_status' && notice.execution === id) {
        invalidate('execution', 'workflow');
      } else if (notice.type === 'workflow_task' && notice.execution === id) {
        invalidate('workflow');
      }
      if (notice.type === 'execution_output' && notice.execution === id && typeof notice.seq === 'number') {
        if (!stored.has(notice.seq)) {
          bySeq.set(notice.seq, { seq: notice.seq, stream: notice.stream ?? 'stdout', text: notice.text ?? '' });
          schedule();
        }
        if (notice.truncated) void catchUp();
      } else if (notice.type === 'reconnecting') {
        void catchUp();
      } else if (notice.type === 'execution_status' && notice.execution === id && isFinished(notice.status ?? '')) {
        void catchUp();
      }
    });
    void catchUp();
    return () => {
      cancelled = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      if (refresh) clearTimeout(refresh);
    };
  }, [id, client]);

  return { lines, error, loaded };
}

/** The output as a log that keeps to its end while the reader is there. */
function Output({ id, finished, quietWhenEmpty }: { id: number; finished: boolean; quietWhenEmpty: boolean }) {
  const { lines, error, loaded } = useOutput(id);
  const log = useRef<HTMLPreElement>(null);
  const atEnd = useRef(true);
  useLayoutEffect(() => {
    const element = log.current;
    if (element && atEnd.current) element.scrollTop = element.scrollHeight;
  }, [lines]);
  const onScroll = () => {
    const element = log.current;
    if (element) atEnd.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };
  // A workflow prints nothing itself (its tasks do): no empty box for it.
  if (quietWhenEmpty && lines.length === 0 && !error) return null;
  return (
    <section className="card" aria-labelledby="output-title">
      <h2 id="output-title">Output</h2>
      <ErrorNotice error={error} what="read the output" />
      <pre ref={log} className="output ex-output" role="log" aria-label="Output" tabIndex={0} onScroll={onScroll}>
        {lines.length === 0 && (
          <span className="muted">{!loaded ? 'Loading…' : finished ? 'No output.' : 'Waiting for output…'}</span>
        )}
        {lines.map((line) => (
          <span key={line.seq} className={`ex-line ex-stream-${line.stream}`}>
            {line.stream === 'stderr' && <span className="ex-visually-hidden">stderr: </span>}
            {line.text}
            {'\n'}
          </span>
        ))}
      </pre>
      {lines.some((l) => l.stream !== 'stdout') && (
        <p className="hint ex-legend">
          <span className="ex-stream-stderr">Standard error</span> and <span className="ex-stream-log">log lines</span> are
          shown apart from standard output.
        </p>
      )}
    </section>
  );
}

interface Step {
  label: string;
  at: string | null | undefined;
  reached: boolean;
  note?: string;
}

/** The steps of an execution's life that its record tells. */
export function timeline(e: Execution): Step[] {
  const finished = isFinished(e.status);
  const steps: Step[] = [{ label: 'Requested', at: e.created, reached: true }];
  if (e.run_after) steps.push({ label: 'Delayed until', at: e.run_after, reached: e.status !== 'delayed' });
  const scheduled = e.started != null || ['scheduled', 'running'].includes(e.status);
  steps.push({
    label: 'Scheduled',
    at: null,
    reached: scheduled,
    note: scheduled && e.worker != null ? `on worker ${e.worker}` : undefined,
  });
  const waited = e.started ? duration(Math.max(0, Date.parse(e.started) - Date.parse(e.created))) : null;
  steps.push({ label: 'Started', at: e.started, reached: e.started != null, note: waited ? `after ${waited}` : undefined });
  const ran = ranFor(e);
  steps.push({
    label: finished ? `Ended: ${e.status}` : e.status === 'canceling' ? 'Canceling' : 'Finished',
    at: e.finished ?? (e.status === 'canceling' ? e.updated : null),
    reached: finished || e.status === 'canceling',
    note: ran ? `ran ${ran}` : undefined,
  });
  return steps;
}

function Timeline({ execution }: { execution: Execution }) {
  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol className="ex-timeline">
        {timeline(execution).map((step) => (
          <li key={step.label} className={step.reached ? 'ex-step-reached' : 'ex-step-pending'}>
            <span className="ex-step-label">{step.label}</span>
            {step.at ? (
              <span className="ex-step-time">
                <Time at={step.at} /> <span className="muted">({new Date(step.at).toLocaleString()})</span>
              </span>
            ) : (
              <span className="muted ex-step-time">{step.reached ? 'no time recorded' : 'not yet'}</span>
            )}
            {step.note && <span className="hint">{step.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The failure recorded in a result (`{"error": {"kind", "message"}}`), if any. */
export function failureOf(result: Execution['result']): { kind: string; message: string } | null {
  const error = (result as { error?: unknown } | null | undefined)?.error;
  if (!error || typeof error !== 'object') return typeof error === 'string' ? { kind: 'error', message: error } : null;
  const { kind, message } = error as { kind?: unknown; message?: unknown };
  return { kind: typeof kind === 'string' ? kind : 'error', message: typeof message === 'string' ? message : JSON.stringify(error) };
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The parameters that differ from the original ones (so masked secrets, left alone, are kept). */
export function changedParameters(original: Record<string, unknown>, edited: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(edited).filter(([key, value]) => !(key in original) || !equal(value, original[key])));
}

function Rerun({ execution, run, onClose }: { execution: Execution; run: RunView | undefined; onClose: () => void }) {
  const navigate = useNavigate();
  const [text, setText] = useState(() => JSON.stringify(execution.parameters, null, 2));
  const [task, setTask] = useState('');
  const [parseError, setParseError] = useState<string | null>(null);
  const errorId = useId();
  const rerun = useMutation({
    mutationFn: (body: Schemas['RerunRequest']) =>
      unwrap(api.POST('/api/v1/executions/{id}/rerun', { params: { path: { id: execution.id } }, body })),
    onSuccess: (answer) => navigate(`/executions/${answer.data.id}`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    let edited: unknown;
    try {
      edited = JSON.parse(text || '{}');
    } catch (failure) {
      setParseError(`Not valid JSON: ${failure instanceof Error ? failure.message : String(failure)}`);
      return;
    }
    if (edited === null || typeof edited !== 'object' || Array.isArray(edited)) {
      setParseError('The parameters must be a JSON object ({"name": value, ...}).');
      return;
    }
    setParseError(null);
    const changed = changedParameters(execution.parameters, edited as Record<string, unknown>);
    rerun.mutate({
      parameters: Object.keys(changed).length ? changed : null,
      task: task || null,
    });
  };
  const fieldErrors = rerun.error instanceof ApiError ? Object.entries(rerun.error.fields()) : [];
  const invalid = parseError !== null || fieldErrors.length > 0;
  const finishedWorkflow = run && isFinished(execution.status);
  return (
    <section className="card" aria-labelledby="rerun-title">
      <h2 id="rerun-title">Run again</h2>
      <form onSubmit={submit} noValidate>
        <label>
          Parameters (JSON)
          <span className="hint">
            Only the values you change are sent; the others (secrets shown as ******** among them) keep their original value.
          </span>
          <textarea
            className="ex-params"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={Math.min(16, Math.max(4, text.split('\n').length + 1))}
            spellCheck={false}
            aria-invalid={invalid}
            aria-describedby={invalid ? errorId : undefined}
          />
        </label>
        {(parseError || fieldErrors.length > 0) && (
          <div id={errorId} role="alert">
            {fieldErrors.length > 0 && <span className="field-error">The server refused these parameters:</span>}
            {parseError && <span className="field-error">{parseError}</span>}
            {fieldErrors.map(([field, messages]) => (
              <span key={field} className="field-error">
                {field}: {messages.join('; ')}
              </span>
            ))}
          </div>
        )}
        {finishedWorkflow && (
          <label>
            Start from task
            <span className="hint">The variables the run published are kept and the tasks it completed are not run again.</span>
            <select value={task} onChange={(e) => setTask(e.target.value)}>
              <option value="">The beginning</option>
              {run.tasks.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {rerun.error != null && fieldErrors.length === 0 && <ErrorNotice error={rerun.error} what="run it again" />}
        <div className="ex-form-actions">
          <button type="submit" className="primary" disabled={rerun.isPending}>
            {rerun.isPending ? 'Starting…' : 'Run again'}
          </button>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}

function Summary({ execution }: { execution: Execution }) {
  const failure = failureOf(execution.result);
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl className="facts">
        {execution.runner_type && (
          <>
            <dt>Runner</dt>
            <dd>{execution.runner_type}</dd>
          </>
        )}
        <dt>Origin</dt>
        <dd>
          {execution.rule_ref || execution.parent != null || execution.retry_of != null ? (
            <Origin execution={execution} />
          ) : (
            'requested directly'
          )}
        </dd>
        {execution.parent != null && execution.rule_ref && (
          <>
            <dt>Workflow</dt>
            <dd>
              <Link to={`/executions/${execution.parent}`}>execution {execution.parent}</Link>
            </dd>
          </>
        )}
        {execution.enforcement != null && (
          <>
            <dt>Enforcement</dt>
            <dd>{execution.enforcement}</dd>
          </>
        )}
        {(execution.attempt > 1 || execution.retry_of != null) && (
          <>
            <dt>Attempt</dt>
            <dd>
              {execution.attempt}
              {execution.retry_of != null && (
                <>
                  {' '}
                  (retries <Link to={`/executions/${execution.retry_of}`}>execution {execution.retry_of}</Link>)
                </>
              )}
            </dd>
          </>
        )}
        {execution.worker != null && (
          <>
            <dt>Worker</dt>
            <dd>{execution.worker}</dd>
          </>
        )}
        <dt>Last change</dt>
        <dd>
          <Time at={execution.updated} />
        </dd>
      </dl>
      {failure && (
        <div className="notice notice-error ex-failure">
          <strong>{failure.kind === 'cancelled' ? 'Cancelled' : `Failed (${failure.kind})`}:</strong> {failure.message}
        </div>
      )}
    </section>
  );
}

function Metering({ metering }: { metering: Record<string, unknown> }) {
  const facts = meteringFacts(metering);
  if (facts.length === 0) return null;
  return (
    <section className="card" aria-labelledby="metering-title">
      <h2 id="metering-title">Metering</h2>
      <dl className="facts">
        {facts.map((fact) => (
          <Fragment key={fact.label}>
            <dt>{fact.label}</dt>
            <dd>{fact.value}</dd>
          </Fragment>
        ))}
      </dl>
    </section>
  );
}

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
            { header: 'Took', cell: (e) => ranFor(e) ?? '—', wide: true },
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

function Workflow({
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
        <Workflow
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
