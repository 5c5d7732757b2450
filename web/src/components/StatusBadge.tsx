/** The tone of a status: how it is coloured. */
function tone(status: string): 'ok' | 'bad' | 'busy' | 'idle' | 'warn' {
  switch (status) {
    case 'completed':
    case 'succeeded':
    case 'responded':
    case 'processed':
    case 'enabled':
    case 'running_ok':
      return 'ok';
    case 'failed':
    case 'timeout':
    case 'abandoned':
    case 'unschedulable':
    case 'disabled':
      return 'bad';
    case 'running':
    case 'scheduled':
    case 'scheduling':
    case 'canceling':
    case 'ready':
      return 'busy';
    case 'paused':
    case 'pending':
    case 'delayed':
      return 'warn';
    default:
      return 'idle';
  }
}

/** A status as a coloured label (the word is always shown: colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${tone(status)}`}>{status}</span>;
}

/** Whether something (a rule, an identity, a webhook) is enabled, as a badge. */
export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return <StatusBadge status={enabled ? 'enabled' : 'disabled'} />;
}
