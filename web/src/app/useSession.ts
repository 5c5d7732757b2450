import { useSyncExternalStore } from 'react';
import { session, type Tokens } from '../api/session';

/** The current session's tokens, re-rendering on sign-in and sign-out. */
export function useSession(): Tokens | null {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.current(),
  );
}
