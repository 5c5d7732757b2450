// The typed API client: openapi-fetch over the generated `paths`, with the session's bearer
// token on every request and one refresh-and-retry when the access token has expired.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiError, toApiError } from './errors';
import { session } from './session';

/** The API's schemas, by name. */
export type Schemas = components['schemas'];

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.accessToken();
    if (token && !request.headers.has('authorization')) {
      request.headers.set('authorization', `Bearer ${token}`);
    }
    return request;
  },
};

/** Sends `request`; an expired access token is refreshed once and the request retried. */
async function fetchWithRefresh(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(request);
  if (response.status !== 401 || !session.current()) {
    return response;
  }
  if (!(await session.refresh())) {
    return response;
  }
  retry.headers.set('authorization', `Bearer ${session.accessToken()}`);
  return fetch(retry);
}

// Absolute: a Request needs a full URL outside the browser (component tests) too.
export const api = createClient<paths>({ baseUrl: window.location.origin, fetch: fetchWithRefresh });
api.use(auth);

/** What an openapi-fetch call resolves to. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an answer, or the API's error thrown as an [`ApiError`]. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    throw toApiError(response.status, error);
  }
  if (data === undefined && response.status !== 204) {
    throw new ApiError(response.status, 'empty', 'the server sent no answer');
  }
  return data as T;
}
