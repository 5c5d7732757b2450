// The signed-in session: the token pair from `/auth/login`, kept in localStorage so that a
// reload or a second tab stays signed in, refreshed before use when the access token has
// expired, and dropped on sign-out or when refreshing fails. Listeners hear every change.
import { toApiError } from './errors';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch when the access token expires. */
  expiresAt: number;
}

const STORAGE_KEY = 'attune.session';

interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

function read(): Tokens | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Tokens | null;
    return stored && typeof stored.accessToken === 'string' ? stored : null;
  } catch {
    return null;
  }
}

class Session {
  private tokens: Tokens | null = read();
  private listeners = new Set<() => void>();
  private refreshing: Promise<boolean> | null = null;

  constructor() {
    // Another tab signed in or out.
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) {
        this.tokens = read();
        this.notify();
      }
    });
  }

  current(): Tokens | null {
    return this.tokens;
  }

  accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signs in; throws the API's error (wrong password, throttled) as a message. */
  async login(login: string, password: string): Promise<void> {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw toApiError(response.status, body);
    }
    this.store((body as { data: TokenPair }).data);
  }

  /** Uses the refresh token once (concurrent callers share the attempt); false when it failed. */
  refresh(): Promise<boolean> {
    const tokens = this.tokens;
    if (!tokens) {
      return Promise.resolve(false);
    }
    this.refreshing ??= fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: tokens.refreshToken }),
    })
      .then(async (response) => {
        if (!response.ok) {
          this.logout();
          return false;
        }
        this.store(((await response.json()) as { data: TokenPair }).data);
        return true;
      })
      .catch(() => false)
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  logout(): void {
    this.tokens = null;
    localStorage.removeItem(STORAGE_KEY);
    this.notify();
  }

  private store(pair: TokenPair): void {
    this.tokens = {
      accessToken: pair.access_token,
      refreshToken: pair.refresh_token,
      expiresAt: Date.now() + pair.expires_in * 1000,
    };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(this.tokens));
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}

export const session = new Session();
