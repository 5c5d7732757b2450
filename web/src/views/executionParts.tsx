// Pieces the executions list and an execution's page share: the statuses, which of them
// are final, how long a run took, where it came from, and units for its metering.
import { Link } from 'react-router-dom';
import type { Schemas } from '../api/client';
import { duration } from '../components/Time';

export type Execution = Schemas['Execution'];
export type ExecutionStatus = Schemas['ExecutionStatus'];

/** Every status, in the order of an execution's life. */
export const STATUSES: ExecutionStatus[] = [
  'requested',
  'delayed',
  'scheduling',
  'queued',
  'pending',
  'scheduled',
  'running',
  'canceling',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'abandoned',
];

/** The statuses an execution ends in. */
export const FINAL = new Set<string>(['completed', 'failed', 'cancelled', 'timeout', 'abandoned']);

/** Whether an execution has ended. */
export function isFinished(status: string): boolean {
  return FINAL.has(status);
}

/** The pack of a ref (`core.echo` → `core`). */
export function packOf(ref: string): string {
  const dot = ref.indexOf('.');
  return dot < 0 ? ref : ref.slice(0, dot);
}

/** How long it ran (started → finished), when both are known. */
export function ranFor(execution: Pick<Execution, 'started' | 'finished'>): string | null {
  if (!execution.started || !execution.finished) return null;
  return duration(Math.max(0, Date.parse(execution.finished) - Date.parse(execution.started)));
}

/** Where an execution came from: a rule (and its trigger), a workflow, a retry; or nothing. */
export function Origin({ execution }: { execution: Execution }) {
  if (execution.rule_ref) {
    return (
      <span>
        rule <Link to={`/rules/${execution.rule_ref}`}>{execution.rule_ref}</Link>
        {execution.trigger_ref && <span className="muted"> ← {execution.trigger_ref}</span>}
      </span>
    );
  }
  if (execution.parent != null) {
    return (
      <span>
        task of <Link to={`/executions/${execution.parent}`}>#{execution.parent}</Link>
      </span>
    );
  }
  if (execution.retry_of != null) {
    return (
      <span>
        retry of <Link to={`/executions/${execution.retry_of}`}>#{execution.retry_of}</Link>
      </span>
    );
  }
  return <span className="muted">—</span>;
}

/** A byte count in binary units. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** The metering of a run as labelled values in readable units, known fields first. */
export function meteringFacts(metering: Record<string, unknown>): { label: string; value: string }[] {
  const facts: { label: string; value: string }[] = [];
  const known: Record<string, [string, (n: number) => string]> = {
    fuel_consumed: ['Fuel', (n) => `${n.toLocaleString('en')} units`],
    cpu_ms: ['CPU', duration],
    peak_memory_bytes: ['Peak memory', bytes],
    wall_ms: ['Wall clock', duration],
  };
  for (const [key, [label, format]] of Object.entries(known)) {
    const value = metering[key];
    if (typeof value === 'number') facts.push({ label, value: format(value) });
  }
  for (const [key, value] of Object.entries(metering)) {
    if (key in known || value == null) continue;
    const label = key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
    facts.push({ label, value: typeof value === 'object' ? JSON.stringify(value) : String(value) });
  }
  return facts;
}
