// Live updates for cached queries: one stream of status notices for the whole app, turned
// into invalidations of the queries they make stale. Notices arrive in bursts (a with-items
// workflow changes hundreds of executions a second), so invalidations are gathered and sent
// at most every 500 ms, each query key once: the UI refetches a list once per burst, not once
// per notice.
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { listen, type Notice } from './stream';

/** The query keys a notice makes stale (by prefix: `['executions']` covers every filter). */
export function staleKeys(notice: Notice): unknown[][] {
  switch (notice.type) {
    case 'execution_status': {
      const keys: unknown[][] = [['executions'], ['execution', notice.execution], ['stats']];
      if (notice.parent != null) keys.push(['children', notice.parent], ['workflow', notice.parent]);
      return keys;
    }
    case 'workflow_task':
      return [['workflow', notice.execution]];
    case 'event_created':
      return [['events']];
    case 'enforcement_status':
      return [['enforcements']];
    case 'inquiry_created':
    case 'inquiry_closed':
      return [['inquiries'], ['inquiry', notice.inquiry]];
    case 'subscribed':
    case 'reconnecting':
      // Whatever happened before the stream was (re)connected is in the REST routes: a page
      // that loaded before the subscription was confirmed reads again.
      return [['executions'], ['events'], ['enforcements'], ['inquiries'], ['stats']];
    default:
      return [];
  }
}

/** Gathers stale keys and invalidates them in one go every `everyMs`. */
export function batcher(client: QueryClient, everyMs = 500): (notice: Notice) => void {
  const pending = new Map<string, unknown[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const keys = [...pending.values()];
    pending.clear();
    for (const queryKey of keys) void client.invalidateQueries({ queryKey });
  };
  return (notice) => {
    for (const key of staleKeys(notice)) pending.set(JSON.stringify(key), key);
    if (pending.size > 0 && !timer) timer = setTimeout(flush, everyMs);
  };
}

/** Keeps the app's cached queries fresh from the stream while signed in. */
export function useLiveUpdates(signedIn: boolean): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!signedIn) return undefined;
    return listen({ entity: ['execution', 'event', 'enforcement', 'inquiry'] }, batcher(client));
  }, [client, signedIn]);
}
