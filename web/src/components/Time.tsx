/** How long ago `at` was, in words (`12 s ago`, `3 min ago`, then the date). */
function ago(at: string | Date, now = Date.now()): string {
  const then = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const seconds = Math.round((now - then) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(then).toLocaleDateString();
}

/** A duration in milliseconds, in the unit that reads best. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A timestamp: relative, with the exact time on hover and for assistive technology. */
export function Time({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const exact = new Date(at).toLocaleString();
  return (
    <time dateTime={at} title={exact}>
      {ago(at)}
    </time>
  );
}

/** How long from `start` to `end` (a run, a wait), when both are known. */
export function elapsed(start: string | null | undefined, end: string | null | undefined): string | null {
  if (!start || !end) return null;
  return duration(Math.max(0, Date.parse(end) - Date.parse(start)));
}
