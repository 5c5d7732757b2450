// What the executions list and an execution's page share: the statuses, which of them are
// final, and where an execution came from.
import { Link } from 'react-router-dom';
import type { Schemas } from '../../api/client';

export type Execution = Schemas['Execution'];

/** Every status, in the order of an execution's life. */
export const STATUSES: Schemas['ExecutionStatus'][] = [
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
const FINAL = new Set<string>(['completed', 'failed', 'cancelled', 'timeout', 'abandoned']);

/** Whether an execution has ended. */
export function isFinished(status: string): boolean {
  return FINAL.has(status);
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
