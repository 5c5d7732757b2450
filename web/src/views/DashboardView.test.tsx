import { screen, within } from '@testing-library/react';
import { json, page, profile, renderAt, serve } from '../test-support';
import { DashboardView, percent, successRate } from './DashboardView';

const now = new Date().toISOString();
const forbidden = () => json(403, { error: { code: 'forbidden', message: 'needs view on execution' } });

function renderDashboard(entry = '/') {
  return renderAt(entry, { '/': <DashboardView /> });
}

function execution(id: number, status: string, action = 'core.noop') {
  return { id, action_ref: action, status, attempt: 1, parameters: {}, created: now, updated: now, finished: null };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('success rate', () => {
  it('counts completed over ended executions, leaving cancelled ones out', () => {
    expect(successRate({ completed: 3, failed: 1, cancelled: 5, running: 2 })).toEqual({ succeeded: 3, ended: 4, percent: 75 });
    expect(successRate({ running: 1 }).percent).toBeNull();
    expect(percent(75)).toBe('75%');
    expect(percent(200 / 3)).toBe('66.7%');
  });
});

it('shows stats, recent executions, work under way, inquiries and workers', async () => {
  const calls = serve({
    '/api/v1/auth/me': profile('pat@example', ['*:view']),
    '/api/v1/executions/stats': () => ({
      data: {
        since: now,
        total: 6,
        by_status: { completed: 3, failed: 1, running: 2 },
        by_action: [{ action_ref: 'core.noop', total: 6, by_status: { completed: 3, failed: 1, running: 2 } }],
      },
    }),
    '/api/v1/executions': ({ query }) =>
      query.get('page_size') === '10'
        ? page([execution(7, 'completed'), execution(6, 'failed', 'examples-wasm.echo')])
        : page([], query.get('status') === 'queued' ? 4 : 2),
    '/api/v1/inquiries': () =>
      page([{ id: 3, prompt: 'Deploy to production?', status: 'pending', created: now, updated: now, assignees: {}, response_schema: {} }]),
    '/api/v1/workers': () =>
      page([
        {
          id: 1,
          name: 'embedded',
          status: 'active',
          runner_types: ['shell', 'wasm'],
          last_heartbeat: now,
          capabilities: { concurrency: 16, sandbox: { status: 'on' } },
          worker_type: 'local',
          created: now,
          updated: now,
        },
      ]),
    '/api/v1/runtimes': () =>
      page([{ id: 1, name: 'wasm', ref: 'core.wasm', description: 'WebAssembly components', created: now, updated: now }]),
  });
  renderDashboard('/?window=7d');
  const success = await screen.findByRole('region', { name: 'Success rate' });
  expect(await within(success).findByText('75%')).toBeInTheDocument();
  expect(screen.getByText(/3 of 4 ended executions completed in the last 7 days/)).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'GET' && c.path === '/api/v1/executions/stats' && c.query.toString() === 'window_s=604800')).toBe(true);
  expect(screen.getByLabelText('Statistics over')).toHaveValue('7d');

  const recent = screen.getByRole('region', { name: 'Recent executions' });
  expect(await within(recent).findByRole('link', { name: '#7' })).toHaveAttribute('href', '/executions/7');
  expect(within(recent).getByText('examples-wasm.echo')).toBeInTheDocument();

  expect(await screen.findByRole('link', { name: '4 queued by a policy' })).toHaveAttribute('href', '/executions?status=queued');
  expect(screen.getByRole('link', { name: 'Deploy to production?' })).toHaveAttribute('href', '/inquiries/3');

  const workers = screen.getByRole('region', { name: 'Workers' });
  expect(await within(workers).findByText('embedded')).toBeInTheDocument();
  expect(within(workers).getByRole('list', { name: 'Runtimes of embedded' })).toHaveTextContent('shellwasm');
  expect(await within(workers).findByText(/worker embedded/)).toBeInTheDocument();

  expect(screen.getByRole('link', { name: 'Your account' })).toHaveAttribute('href', '/admin/identities/pat%40example');
});

it('leaves out what the grants do not show, and says so', async () => {
  const calls = serve({
    '/api/v1/auth/me': profile('pat@example', ['inquiry:view']),
    '/api/v1/inquiries': () => page([]),
  });
  renderDashboard();
  expect(await screen.findByText(/Not shown: executions, workers/)).toBeInTheDocument();
  expect(screen.getByRole('heading', { name: 'Pending inquiries' })).toBeInTheDocument();
  expect(screen.queryByRole('heading', { name: 'Recent executions' })).toBeNull();
  expect(calls.some((c) => c.path.includes('/executions'))).toBe(false);
});

it('explains a refusal of the server', async () => {
  serve({
    '/api/v1/auth/me': profile('pat@example', ['execution:view']),
    '/api/v1/executions/stats': forbidden,
    '/api/v1/executions': forbidden,
  });
  renderDashboard();
  const alerts = await screen.findAllByRole('alert');
  expect(alerts[0]).toHaveTextContent(/Not allowed to load the execution statistics/);
});
