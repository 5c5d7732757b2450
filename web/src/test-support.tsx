// What the views' component tests share: a fake API answering by method and path (recording
// what was sent), a signed-in profile with given grants, list answers, and rendering pages
// inside a query client and a router, with the current location shown.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';

/** A request the page sent. */
interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** What a route answers: a JSON body (200), a `Response`, or nothing (204). */
type Handler = (sent: Sent) => unknown;

/** A JSON answer with `status`. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/**
 * Stubs `fetch`: each request goes to the route named `METHOD /path` (or `/path` alone, for a
 * GET); any other is a 404. Returns what was sent, in order.
 */
export function serve(routes: Record<string, Handler>): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const request: Sent = { method: input.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined };
    sent.push(request);
    const handler = routes[`${input.method} ${url.pathname}`] ?? (input.method === 'GET' ? routes[url.pathname] : undefined);
    if (!handler) return json(404, { error: { code: 'not_found', message: 'no such route' } });
    const answer = handler(request);
    if (answer instanceof Response) return answer;
    return answer === undefined ? new Response(null, { status: 204 }) : json(200, answer);
  });
  return sent;
}

/** `/auth/me` for `login` holding `grants` (compact: `resource[@pack]:verb,verb`) through `sets`. */
export function profile(login: string, grants: string[], sets: string[] = []): Handler {
  const now = new Date().toISOString();
  return () => ({
    data: {
      id: 1,
      login,
      display_name: null,
      enabled: true,
      attributes: {},
      permission_sets: sets,
      created: now,
      updated: now,
      grants: grants.map((grant) => {
        const [target = '', verbs = ''] = grant.split(':');
        const [resource, pack] = target.split('@');
        return { resource, pack: pack ?? null, verbs: verbs.split(',') };
      }),
    },
  });
}

/** A list answer: `data` as the first page of `total`. */
export function page(data: unknown[], total = data.length) {
  return { data, pagination: { page: 1, page_size: 50, total } };
}

function Where() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Renders the page of `routes` (path → element) that `url` matches, with the current location in `location`. */
export function renderAt(url: string, routes: Record<string, ReactElement>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <Routes>
          {Object.entries(routes).map(([path, element]) => (
            <Route key={path} path={path} element={element} />
          ))}
          <Route path="*" element={null} />
        </Routes>
        <Where />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
