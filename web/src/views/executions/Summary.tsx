// What an execution's record says beside its timeline: the summary (runner, origin, attempt,
// worker, trace) with its failure, and the metering of its run in readable units.
import { Link } from 'react-router-dom';
import { Fact } from '../../components/Fact';
import { duration, Time } from '../../components/Time';
import { Origin, type Execution } from './executionParts';

/** The failure recorded in a result (`{"error": {"kind", "message"}}`), if any. */
export function failureOf(result: Execution['result']): { kind: string; message: string } | null {
  const error = (result as { error?: unknown } | null | undefined)?.error;
  if (!error || typeof error !== 'object') return typeof error === 'string' ? { kind: 'error', message: error } : null;
  const { kind, message } = error as { kind?: unknown; message?: unknown };
  return { kind: typeof kind === 'string' ? kind : 'error', message: typeof message === 'string' ? message : JSON.stringify(error) };
}

/** A byte count in binary units. */
function bytes(n: number): string {
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

export function Summary({ execution }: { execution: Execution }) {
  const failure = failureOf(execution.result);
  return (
    <section className="card" aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      <dl className="facts">
        {execution.runner_type && <Fact label="Runner">{execution.runner_type}</Fact>}
        <Fact label="Origin">
          {execution.rule_ref || execution.parent != null || execution.retry_of != null ? (
            <Origin execution={execution} />
          ) : (
            'requested directly'
          )}
        </Fact>
        {execution.parent != null && execution.rule_ref && (
          <Fact label="Workflow">
            <Link to={`/executions/${execution.parent}`}>execution {execution.parent}</Link>
          </Fact>
        )}
        {execution.enforcement != null && <Fact label="Enforcement">{execution.enforcement}</Fact>}
        {(execution.attempt > 1 || execution.retry_of != null) && (
          <Fact label="Attempt">
            {execution.attempt}
            {execution.retry_of != null && (
              <>
                {' '}
                (retries <Link to={`/executions/${execution.retry_of}`}>execution {execution.retry_of}</Link>)
              </>
            )}
          </Fact>
        )}
        {execution.worker != null && <Fact label="Worker">{execution.worker}</Fact>}
        {execution.trace_id && (
          <Fact label="Trace">
            <code title="Look this trace up in your tracing backend">{execution.trace_id}</code>
          </Fact>
        )}
        <Fact label="Last change">
          <Time at={execution.updated} />
        </Fact>
      </dl>
      {failure && (
        <div className="notice notice-error ex-failure">
          <strong>{failure.kind === 'cancelled' ? 'Cancelled' : `Failed (${failure.kind})`}:</strong> {failure.message}
        </div>
      )}
    </section>
  );
}

export function Metering({ metering }: { metering: Record<string, unknown> }) {
  const facts = meteringFacts(metering);
  if (facts.length === 0) return null;
  return (
    <section className="card" aria-labelledby="metering-title">
      <h2 id="metering-title">Metering</h2>
      <dl className="facts">
        {facts.map((fact) => (
          <Fact key={fact.label} label={fact.label}>
            {fact.value}
          </Fact>
        ))}
      </dl>
    </section>
  );
}
