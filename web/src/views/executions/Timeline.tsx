// An execution's life as its record tells it: requested, delayed, scheduled, started, ended;
// each step with its time, or why it has none yet.
import { elapsed, Time } from '../../components/Time';
import { isFinished, type Execution } from './executionParts';

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
  const waited = elapsed(e.created, e.started);
  steps.push({ label: 'Started', at: e.started, reached: e.started != null, note: waited ? `after ${waited}` : undefined });
  const ran = elapsed(e.started, e.finished);
  steps.push({
    label: finished ? `Ended: ${e.status}` : e.status === 'canceling' ? 'Canceling' : 'Finished',
    at: e.finished ?? (e.status === 'canceling' ? e.updated : null),
    reached: finished || e.status === 'canceling',
    note: ran ? `ran ${ran}` : undefined,
  });
  return steps;
}

export function Timeline({ execution }: { execution: Execution }) {
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
