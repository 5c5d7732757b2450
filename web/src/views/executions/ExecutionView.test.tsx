import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { Notice } from '../../api/stream';
import { renderAt } from '../../test-support';
import type { Execution } from './executionParts';
import { ExecutionView } from './ExecutionView';
import { changedParameters } from './Rerun';
import { failureOf, meteringFacts } from './Summary';
import { timeline } from './Timeline';

const listeners: ((notice: Notice) => void)[] = [];
vi.mock('../../api/stream', () => ({
  listen: (_filter: unknown, listener: (notice: Notice) => void) => {
    listeners.push(listener);
    return () => listeners.splice(listeners.indexOf(listener), 1);
  },
}));

const base: Execution = {
  id: 7,
  action_ref: 'core.echo',
  attempt: 1,
  created: '2026-01-01T00:00:00Z',
  started: '2026-01-01T00:00:02Z',
  finished: null,
  updated: '2026-01-01T00:00:02Z',
  parameters: { message: 'hello', token: '********' },
  runner_type: 'shell',
  status: 'running',
  worker: 1,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
};

interface Sent {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

function serve(execution: Execution, extra: (sent: Sent) => Response | undefined = () => undefined) {
  const sent: Sent[] = [];
  let current = execution;
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const request = { method: input.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined };
    sent.push(request);
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const answer = extra(request);
    if (answer) return answer;
    switch (`${request.method} ${request.path}`) {
      case 'GET /api/v1/auth/me':
        return json({ data: { login: 'admin', permission_sets: ['admin'], grants: [{ resource: '*', verbs: ['view', 'modify', 'execute'] }] } });
      case `GET /api/v1/executions/${execution.id}`:
        return json({ data: current });
      case `GET /api/v1/executions/${execution.id}/children`:
        return json({ data: [], pagination: { page: 1, page_size: 100, total: 0 } });
      case `GET /api/v1/executions/${execution.id}/output`:
        return json({
          data:
            request.query.get('after') === '0'
              ? {
                  lines: [
                    { seq: 1, stream: 'stdout', text: 'first line', created: '', execution: 7, id: 1 },
                    { seq: 2, stream: 'stderr', text: 'a warning', created: '', execution: 7, id: 2 },
                  ],
                  next: 2,
                  status: current.status,
                }
              : { lines: [], next: Number(request.query.get('after')), status: current.status },
        });
      case `POST /api/v1/executions/${execution.id}/cancel`:
        current = { ...current, status: 'canceling' };
        return json({ data: current });
      default:
        return json({ error: { code: 'not_found', message: `no ${request.path}` } }, 404);
    }
  });
  return sent;
}

function page(path = '/executions/7') {
  return renderAt(path, { '/executions/:id': <ExecutionView /> });
}

afterEach(() => {
  vi.unstubAllGlobals();
  listeners.length = 0;
});

describe('ExecutionView', () => {
  it('shows the stored output, then the stream, each line once', async () => {
    serve(base);
    page();
    expect(await screen.findByRole('heading', { name: 'Execution 7' })).toBeInTheDocument();
    expect(await screen.findByText('4bf92f3577b34da6a3ce929d0e0e4736')).toBeInTheDocument();
    const log = await screen.findByRole('log', { name: 'Output' });
    await waitFor(() => expect(log).toHaveTextContent('first line'));
    expect(within(log).getByText('a warning').closest('.ex-line')).toHaveClass('ex-stream-stderr');
    await waitFor(() => expect(listeners.length).toBeGreaterThan(0));
    act(() => {
      for (const listener of listeners) {
        listener({ type: 'execution_output', execution: 7, seq: 2, stream: 'stderr', text: 'a warning' });
        listener({ type: 'execution_output', execution: 7, seq: 3, stream: 'stdout', text: 'live line' });
        listener({ type: 'execution_output', execution: 8, seq: 4, stream: 'stdout', text: 'not ours' });
      }
    });
    await waitFor(() => expect(log).toHaveTextContent('live line'));
    expect(within(log).getAllByText('a warning')).toHaveLength(1);
    expect(log).not.toHaveTextContent('not ours');
    expect([...log.querySelectorAll('.ex-line')].map((l) => l.textContent)).toEqual([
      'first line\n',
      'stderr: a warning\n',
      'live line\n',
    ]);
  });

  it('cancels a running execution and then offers it no more', async () => {
    const sent = serve(base);
    page();
    const cancel = await screen.findByRole('button', { name: 'Cancel' });
    fireEvent.click(cancel);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull());
    expect(sent.some((s) => s.method === 'POST' && s.path === '/api/v1/executions/7/cancel')).toBe(true);
    expect(screen.getAllByText('canceling').length).toBeGreaterThan(0);
  });

  it('re-runs with only the parameters that changed, and goes to the new execution', async () => {
    const sent = serve({ ...base, status: 'completed', finished: '2026-01-01T00:00:03Z' }, (request) =>
      request.method === 'POST' && request.path === '/api/v1/executions/7/rerun'
        ? new Response(JSON.stringify({ data: { ...base, id: 99 } }), { status: 201, headers: { 'content-type': 'application/json' } })
        : undefined,
    );
    page();
    fireEvent.click(await screen.findByRole('button', { name: 'Re-run' }));
    const field = screen.getByLabelText(/Parameters \(JSON\)/) as HTMLTextAreaElement;
    expect(JSON.parse(field.value)).toEqual({ message: 'hello', token: '********' });
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
    fireEvent.change(field, { target: { value: '{"message": "again", "token": "********"}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }));
    expect(await screen.findByRole('heading', { name: 'Execution 99' })).toBeInTheDocument();
    const rerun = sent.find((s) => s.path === '/api/v1/executions/7/rerun')!;
    expect(rerun.body).toEqual({ parameters: { message: 'again' }, task: null });
  });

  it('shows what the server refused in a re-run, and JSON that does not parse', async () => {
    serve({ ...base, status: 'failed', finished: '2026-01-01T00:00:03Z' }, (request) =>
      request.method === 'POST' && request.path.endsWith('/rerun')
        ? new Response(
            JSON.stringify({
              error: {
                code: 'validation_failed',
                message: 'invalid parameters for core.echo',
                details: { fields: [{ field: 'message', message: 'value is not of type "string"' }] },
              },
            }),
            { status: 422, headers: { 'content-type': 'application/json' } },
          )
        : undefined,
    );
    page('/executions/7?rerun=1');
    const field = (await screen.findByLabelText(/Parameters \(JSON\)/)) as HTMLTextAreaElement;
    fireEvent.change(field, { target: { value: '{"message": ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }));
    expect(await screen.findByText(/Not valid JSON/)).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
    fireEvent.change(field, { target: { value: '{"message": 5}' } });
    fireEvent.click(screen.getByRole('button', { name: 'Run again' }));
    expect(await screen.findByText('message: value is not of type "string"')).toBeInTheDocument();
  });
});

describe('execution parts', () => {
  it('send only changed parameters, keeping masked secrets', () => {
    expect(changedParameters({ a: 1, s: '********', o: { x: [1, 2] } }, { a: 2, s: '********', o: { x: [1, 2] }, n: null })).toEqual({
      a: 2,
      n: null,
    });
  });

  it('tell the timeline from the record', () => {
    const steps = timeline({ ...base, status: 'completed', finished: '2026-01-01T00:00:05Z' });
    expect(steps.map((s) => [s.label, s.reached])).toEqual([
      ['Requested', true],
      ['Scheduled', true],
      ['Started', true],
      ['Ended: completed', true],
    ]);
    expect(steps[2]!.note).toBe('after 2.0 s');
    expect(steps[3]!.note).toBe('ran 3.0 s');
    const waiting = timeline({ ...base, status: 'delayed', started: null, run_after: '2026-01-01T01:00:00Z' });
    expect(waiting.map((s) => [s.label, s.reached])).toEqual([
      ['Requested', true],
      ['Delayed until', false],
      ['Scheduled', false],
      ['Started', false],
      ['Finished', false],
    ]);
  });

  it('read failures and metering', () => {
    expect(failureOf({ error: { kind: 'timeout', message: 'took too long' } })).toEqual({ kind: 'timeout', message: 'took too long' });
    expect(failureOf({ stdout: 'ok' })).toBeNull();
    expect(meteringFacts({ fuel_consumed: 1278, peak_memory_bytes: 65536, wall_ms: 1500 })).toEqual([
      { label: 'Fuel', value: '1,278 units' },
      { label: 'Peak memory', value: '64.0 KiB' },
      { label: 'Wall clock', value: '1.5 s' },
    ]);
    expect(meteringFacts({ cpu_ms: 12, io_bytes: 5 })).toEqual([
      { label: 'CPU', value: '12 ms' },
      { label: 'Io bytes', value: '5' },
    ]);
  });
});
