// The live stream (`GET /api/v1/stream`, a WebSocket): one connection per filter, opened
// while someone listens and closed when the last listener leaves, reconnecting with backoff
// (and a fresh token) when it drops. Browsers cannot set headers on a WebSocket, so the
// token goes in the `access_token` query parameter, as the API documents.
import { session } from './session';

/** A notice, as the API documents its frames (`type` plus the fields of that type). */
export interface Notice {
  type: string;
  execution?: number;
  action_ref?: string;
  status?: string;
  parent?: number | null;
  seq?: number;
  stream?: string;
  text?: string;
  truncated?: boolean;
  event?: number;
  trigger_ref?: string;
  enforcement?: number;
  rule_ref?: string;
  inquiry?: number;
  task?: string;
}

/** What a stream carries: entity types, one entity, and output lines or not. */
interface Filter {
  entity?: string[];
  id?: number;
  output?: boolean;
}

type Listener = (notice: Notice) => void;

/** The stream's URL for `filter`, with the current token. */
export function streamUrl(filter: Filter, token: string | null, origin = window.location): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams();
  if (filter.entity?.length) query.set('entity', filter.entity.join(','));
  if (filter.id !== undefined) query.set('id', String(filter.id));
  if (filter.output) query.set('output', 'true');
  if (token) query.set('access_token', token);
  return `${scheme}//${origin.host}/api/v1/stream?${query}`;
}

class Connection {
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly filter: Filter) {}

  add(listener: Listener): void {
    this.listeners.add(listener);
    if (!this.socket && !this.timer) this.open();
  }

  /** Removes `listener`; true when none is left (the connection is closed). */
  remove(listener: Listener): boolean {
    this.listeners.delete(listener);
    if (this.listeners.size > 0) return false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
    return true;
  }

  private open(): void {
    this.timer = null;
    const socket = new WebSocket(streamUrl(this.filter, session.accessToken()));
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
    };
    socket.onmessage = (message) => {
      let notice: Notice;
      try {
        notice = JSON.parse(String(message.data)) as Notice;
      } catch {
        return;
      }
      for (const listener of [...this.listeners]) listener(notice);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Tell listeners, so that they read what they missed from the REST routes.
      for (const listener of [...this.listeners]) listener({ type: 'reconnecting' });
      const delay = Math.min(30_000, 500 * 2 ** this.retry++);
      this.timer = setTimeout(() => {
        // A refresh first: a stream closed with 1008 had an expired token.
        void session.refresh().finally(() => {
          if (this.listeners.size > 0 && session.current()) this.open();
        });
      }, delay);
    };
  }
}

const connections = new Map<string, Connection>();

/** Listens to the notices passing `filter` until the returned function is called. */
export function listen(filter: Filter, listener: Listener): () => void {
  const key = JSON.stringify([filter.entity ?? [], filter.id ?? null, filter.output ?? false]);
  let connection = connections.get(key);
  if (!connection) {
    connection = new Connection(filter);
    connections.set(key, connection);
  }
  connection.add(listener);
  const owned = connection;
  return () => {
    if (owned.remove(listener)) connections.delete(key);
  };
}
