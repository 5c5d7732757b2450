// Test support for the automation views' component tests: a fake API answering by method and
// path (recording what was sent), profiles with given grants, and rendering inside the
// query client and a router.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';

export interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (sent: Sent) => { status?: number; body?: unknown } | undefined;

/** Stubs `fetch`: each request goes to the first handler answering it; unanswered ones are a 404. */
export function fakeApi(handlers: Record<string, Handler>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const request: Sent = {
      method: input.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined,
    };
    sent.push(request);
    const handler = handlers[`${input.method} ${url.pathname}`];
    const answer = handler?.(request) ?? { status: 404, body: { error: { code: 'not_found', message: 'no such route' } } };
    const status = answer.status ?? 200;
    return new Response(status === 204 ? null : JSON.stringify(answer.body ?? null), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  });
  return sent;
}

/** `/auth/me` for `login` holding `grants` (compact `resource[@pack]:verb,verb`). */
export function profile(login: string, grants: string[]) {
  return () => ({
    body: {
      data: {
        id: 1,
        login,
        display_name: login,
        enabled: true,
        attributes: {},
        permission_sets: [],
        created: '2026-01-01T00:00:00Z',
        updated: '2026-01-01T00:00:00Z',
        grants: grants.map((grant) => {
          const [target = '', verbs = ''] = grant.split(':');
          const [resource, pack] = target.split('@');
          return { resource, pack: pack ?? null, verbs: verbs.split(',') };
        }),
      },
    },
  });
}

/** A list answer. */
export function page<T>(data: T[]) {
  return { body: { data, pagination: { page: 1, page_size: 50, total: data.length } } };
}

function Where() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Renders `element` at `url` (matched by `path`), with the current location in `location`. */
export function renderAt(element: ReactElement, url: string, path = '*') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <Routes>
          <Route path={path} element={element} />
          <Route path="*" element={null} />
        </Routes>
        <Where />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
