// A workflow's graph as SVG: its tasks laid out in layers (left to right, or top down on
// narrow screens), its transitions as curves labelled with their conditions. In a run, each
// task is coloured by its state (the word is shown too) and leads to its child execution.
// Beside the drawing, `WorkflowTasks` lists the same tasks as a table.
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { Schemas } from '../api/client';
import { DataTable, type Column } from './DataTable';
import { StatusBadge } from './StatusBadge';
import { duration, Time } from './Time';
import { DEFAULT_LAYOUT, edgePath, labelPoint, layoutGraph, type Direction } from './graphLayout';
import './workflow-graph.css';

export type TaskView = Schemas['TaskView'];

/** The width of a character of an edge label (11 px monospace), for its backdrop. */
const CHAR_WIDTH = 6.7;

/** A state as words (`not_started` → `not started`). */
function stateWords(state: string): string {
  return state.replace(/_/g, ' ');
}

/** How a task state is coloured. */
function stateTone(state: string | null | undefined): 'ok' | 'bad' | 'busy' | 'warn' | 'idle' {
  switch (state) {
    case 'succeeded':
      return 'ok';
    case 'failed':
      return 'bad';
    case 'running':
    case 'ready':
      return 'busy';
    case 'waiting':
      return 'warn';
    default:
      return 'idle';
  }
}

/** A condition without its template braces: `{{ succeeded() }}` → `succeeded()`. */
export function conditionText(when: string): string {
  const inner = /^\s*\{\{([\s\S]*)\}\}\s*$/.exec(when);
  return (inner ? inner[1]! : when).trim();
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The child execution a task leads to: that of its latest run that has one. */
function childExecution(task: TaskView): number | null {
  for (let i = task.runs.length - 1; i >= 0; i--) {
    const execution = task.runs[i]!.execution;
    if (execution != null) return execution;
  }
  return null;
}

/** The edges of a workflow: one per transition target, in the order of the tasks. */
function workflowEdges(tasks: TaskView[]) {
  const edges: { from: string; to: string; when: string | null; publish: string[] }[] = [];
  for (const task of tasks) {
    for (const transition of task.next) {
      for (const to of transition.to) {
        edges.push({ from: task.name, to, when: transition.when ?? null, publish: transition.publish });
      }
    }
  }
  return edges;
}

/** Starting tasks first, then the order the server lists them in (it breaks layout ties). */
function orderedNames(tasks: TaskView[]): string[] {
  return [...tasks.filter((t) => t.start), ...tasks.filter((t) => !t.start)].map((t) => t.name);
}

/** What a task's third line says: its state in a run, its shape in a definition. */
function detail(task: TaskView, run: boolean): string {
  const parts: string[] = [];
  if (run) {
    parts.push(stateWords(task.state ?? 'not_started'));
    const items = task.items as { total?: number; done?: number } | null | undefined;
    if (items && typeof items.total === 'number') parts.push(`${items.done ?? 0}/${items.total} items`);
    const attempts = Math.max(0, ...task.runs.map((r) => r.attempts));
    if (attempts > 1) parts.push(`${attempts} attempts`);
    if ((task.rounds ?? 0) > 1) parts.push(`round ${task.rounds}`);
  } else {
    if (task.start) parts.push('start');
    if (task.join != null) parts.push(`join ${String(task.join)}`);
    if (task.with_items) parts.push('with items');
    if (task.retries > 0) parts.push(`${task.retries} retries`);
  }
  return parts.join(' · ');
}

/** Whether the screen is narrow (phones): the graph then runs top down. */
function useNarrow(query = '(max-width: 760px)'): boolean {
  const supported = typeof window !== 'undefined' && typeof window.matchMedia === 'function';
  const [narrow, setNarrow] = useState(() => supported && window.matchMedia(query).matches);
  useEffect(() => {
    if (!supported) return undefined;
    const media = window.matchMedia(query);
    const changed = () => setNarrow(media.matches);
    changed();
    media.addEventListener('change', changed);
    return () => media.removeEventListener('change', changed);
  }, [query, supported]);
  return narrow;
}

export function WorkflowGraph({
  tasks,
  label,
  run = false,
  direction,
}: {
  tasks: TaskView[];
  /** What the drawing shows, for assistive technology. */
  label: string;
  /** Whether the tasks carry their state in a run (nodes then lead to child executions). */
  run?: boolean;
  /** Overrides the choice by screen width. */
  direction?: Direction;
}) {
  const narrow = useNarrow();
  const navigate = useNavigate();
  const markerId = `wf-arrow-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const dir: Direction = direction ?? (narrow ? 'TB' : 'LR');
  const edges = useMemo(() => workflowEdges(tasks), [tasks]);
  const layout = useMemo(
    () => layoutGraph(orderedNames(tasks), edges, dir === 'TB' ? { direction: dir, layerGap: 72, nodeGap: 20 } : { direction: dir }),
    [tasks, edges, dir],
  );
  // A condition's label fits between two layers (left to right) or a node's width (top down).
  const room = dir === 'LR' ? DEFAULT_LAYOUT.layerGap - 16 : DEFAULT_LAYOUT.nodeWidth;
  const labelChars = Math.floor((room - 8) / CHAR_WIDTH);
  const byName = useMemo(() => new Map(tasks.map((t) => [t.name, t])), [tasks]);

  if (tasks.length === 0) return <p className="muted">This workflow has no tasks.</p>;

  const follow = (execution: number) => navigate(`/executions/${execution}`);
  const onKey = (event: KeyboardEvent, execution: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      follow(execution);
    }
  };

  return (
    <div className="wf-graph-scroll" role="region" aria-label={label} tabIndex={0}>
      <svg
        className={`wf-graph wf-${dir.toLowerCase()}`}
        role="group"
        aria-label={`${label}: ${tasks.length} ${tasks.length === 1 ? 'task' : 'tasks'}`}
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
      >
        <defs>
          <marker
            id={markerId}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="wf-arrow" />
          </marker>
        </defs>
        <g aria-hidden="true">
          {layout.edges.map((placed) => {
            const edge = edges[placed.index]!;
            const source = byName.get(edge.from);
            const target = byName.get(edge.to);
            const taken =
              run &&
              (source?.state === 'succeeded' || source?.state === 'failed') &&
              target?.state != null &&
              target.state !== 'not_started';
            const at = labelPoint(placed.points);
            const text = edge.when ? fit(conditionText(edge.when), labelChars) : null;
            const tip = `${edge.from} → ${edge.to}${edge.when ? ` when ${edge.when}` : ''}${
              edge.publish.length ? `; publishes ${edge.publish.join(', ')}` : ''
            }`;
            return (
              <g key={placed.index} className={taken ? 'wf-edge wf-edge-taken' : 'wf-edge'}>
                <title>{tip}</title>
                <path d={edgePath(placed.points, dir, placed.back)} markerEnd={`url(#${markerId})`} />
                {text && (
                  <>
                    <rect
                      className="wf-edge-label-bg"
                      x={at.x - (text.length * CHAR_WIDTH + 8) / 2}
                      y={at.y - 9}
                      width={text.length * CHAR_WIDTH + 8}
                      height={18}
                      rx={4}
                    />
                    <text className="wf-edge-label" x={at.x} y={at.y + 4} textAnchor="middle">
                      {text}
                    </text>
                  </>
                )}
              </g>
            );
          })}
        </g>
        {layout.nodes.map((node) => {
          const task = byName.get(node.id)!;
          const state = task.state ?? 'not_started';
          const child = run ? childExecution(task) : null;
          const name = run ? `${task.name}: ${stateWords(state)}` : `${task.name}: ${task.inquiry ? 'inquiry' : task.action}`;
          const tone = run ? stateTone(state) : task.start ? 'busy' : 'idle';
          const tip = [
            task.inquiry ? `${task.name} asks a person` : `${task.name} runs ${task.action}`,
            run ? `state: ${stateWords(state)}` : null,
            task.runs.length ? `${task.runs.length} ${task.runs.length === 1 ? 'run' : 'runs'}` : null,
            task.started ? `started ${new Date(task.started).toLocaleString()}` : null,
            task.started && task.finished
              ? `took ${duration(Date.parse(task.finished) - Date.parse(task.started))}`
              : null,
          ]
            .filter(Boolean)
            .join('; ');
          const link = child != null;
          return (
            <g
              key={node.id}
              className={`wf-node wf-tone-${tone}${link ? ' wf-node-link' : ''}`}
              transform={`translate(${node.x} ${node.y})`}
              role={link ? 'link' : 'img'}
              aria-label={name}
              tabIndex={link ? 0 : undefined}
              onClick={link ? () => follow(child) : undefined}
              onKeyDown={link ? (event) => onKey(event, child) : undefined}
              data-state={run ? state : undefined}
            >
              <title>{tip}</title>
              <rect width={node.width} height={node.height} rx={8} />
              <text className="wf-node-name" x={10} y={20}>
                {fit(task.name, 22)}
              </text>
              <text className="wf-node-action" x={10} y={37}>
                {fit(task.inquiry ? 'asks a person' : task.action, 26)}
              </text>
              <text className="wf-node-state" x={10} y={54}>
                {fit(detail(task, run), 28)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** The links to a task's child executions (the latest few). */
function RunLinks({ task }: { task: TaskView }) {
  const withExecution = task.runs.filter((r) => r.execution != null);
  if (withExecution.length === 0) return <span className="muted">—</span>;
  const shown = withExecution.slice(-5);
  return (
    <span className="wf-runs">
      {withExecution.length > shown.length && <span className="muted">{withExecution.length - shown.length} more, </span>}
      {shown.map((r, i) => (
        <span key={r.id}>
          {i > 0 && ', '}
          <Link to={`/executions/${r.execution}`} aria-label={`Execution ${r.execution} of task ${task.name}`}>
            #{r.execution}
          </Link>
          {r.index != null && <span className="muted"> (item {r.index})</span>}
        </span>
      ))}
    </span>
  );
}

/** The tasks in the order of the graph: layer by layer, each layer from its first node. */
function graphOrder(tasks: TaskView[]): TaskView[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  return layoutGraph(orderedNames(tasks), workflowEdges(tasks))
    .layers.flat()
    .map((name) => byName.get(name)!);
}

/** The tasks of a graph as a table: in a run with state, attempts, executions and times. */
export function WorkflowTasks({ tasks, run = false }: { tasks: TaskView[]; run?: boolean }) {
  const ordered = useMemo(() => graphOrder(tasks), [tasks]);
  const transitions = (task: TaskView) =>
    task.next.length === 0 ? (
      <span className="muted">ends</span>
    ) : (
      <ul className="wf-transitions">
        {task.next.map((t, i) => (
          <li key={i}>
            {t.to.length ? `→ ${t.to.join(', ')}` : 'ends'}
            {t.when && <code> when {conditionText(t.when)}</code>}
            {t.publish.length > 0 && <span className="muted"> · publishes {t.publish.join(', ')}</span>}
          </li>
        ))}
      </ul>
    );
  const columns: Column<TaskView>[] = run
    ? [
        { header: 'Task', cell: (t) => t.name },
        { header: 'Action', cell: (t) => <span className="wf-nowrap">{t.inquiry ? 'inquiry' : t.action}</span>, wide: true },
        { header: 'State', cell: (t) => <StatusBadge status={stateWords(t.state ?? 'not_started')} /> },
        { header: 'Attempts', cell: (t) => Math.max(0, ...t.runs.map((r) => r.attempts)), wide: true },
        { header: 'Executions', cell: (t) => <RunLinks task={t} /> },
        { header: 'Next', cell: transitions, wide: true },
        {
          header: 'Started',
          cell: (t) => (
            <span className="wf-nowrap">
              <Time at={t.started} />
            </span>
          ),
          wide: true,
        },
        {
          header: 'Took',
          cell: (t) =>
            t.started && t.finished ? (
              <span className="wf-nowrap">{duration(Date.parse(t.finished) - Date.parse(t.started))}</span>
            ) : (
              <span className="muted">—</span>
            ),
          wide: true,
        },
      ]
    : [
        { header: 'Task', cell: (t) => t.name },
        {
          header: 'Action',
          cell: (t) => (t.inquiry ? 'inquiry' : <Link to={`/actions/${t.action}`}>{t.action}</Link>),
        },
        { header: 'Next', cell: transitions },
        { header: 'Join', cell: (t) => (t.join != null ? String(t.join) : '—'), wide: true },
        { header: 'Retries', cell: (t) => t.retries, wide: true },
        { header: 'Timeout', cell: (t) => (t.timeout_s != null ? `${t.timeout_s} s` : '—'), wide: true },
      ];
  return <DataTable rows={ordered} columns={columns} rowKey={(t) => t.name} caption="Tasks" />;
}
