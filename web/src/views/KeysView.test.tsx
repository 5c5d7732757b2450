import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EventsView } from './EventsView';
import { KeysView, keyPack } from './KeysView';
import { fakeApi, page, profile, renderAt } from './rulesTestSupport';
import { WebhooksView, webhookUrl } from './WebhooksView';

afterEach(() => vi.unstubAllGlobals());

function key(name: string, encrypted: boolean, value: string, scope = 'system', owner: string | null = null) {
  return {
    id: name.length,
    name,
    ref: owner ? `${owner}.${name}` : name,
    scope,
    owner,
    value: encrypted ? '********' : value,
    encrypted,
    expires_at: null,
    created: '2026-01-01T00:00:00Z',
    updated: '2026-01-01T00:00:00Z',
  };
}

const keys = [key('db_password', true, 'hunter2'), key('region', false, 'eu-west')];

describe('keys', () => {
  it('name the pack whose grants cover them', () => {
    expect(keyPack('system', null)).toBeNull();
    expect(keyPack('identity', 'ada')).toBeNull();
    expect(keyPack('pack', 'slack')).toBe('slack');
    expect(keyPack('action', 'slack.post')).toBe('slack');
  });

  it('are masked when encrypted, and revealed and hidden again for an admin', async () => {
    const sent = fakeApi({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'GET /api/v1/keys/db_password': ({ query }) => ({
        body: { data: { ...keys[0], value: query.get('decrypt') === 'true' ? 'hunter2' : '********' } },
      }),
    });
    renderAt(<KeysView />, '/keys');
    const row = (await screen.findByText('db_password')).closest('tr') as HTMLElement;
    expect(within(row).getByText('********')).toBeInTheDocument();
    expect(screen.getByText('eu-west')).toBeInTheDocument();
    await userEvent.click(await within(row).findByRole('button', { name: 'Reveal db_password' }));
    expect(await within(row).findByText('hunter2')).toBeInTheDocument();
    expect(sent.find((s) => s.path === '/api/v1/keys/db_password')?.query.get('scope')).toBe('system');
    await userEvent.click(within(row).getByRole('button', { name: 'Hide db_password' }));
    expect(screen.queryByText('hunter2')).toBeNull();
    expect(screen.getByRole('button', { name: 'Set a key' })).toBeInTheDocument();
  });

  it('explain a refused reveal', async () => {
    fakeApi({
      'GET /api/v1/auth/me': profile('eddie', ['key:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'GET /api/v1/keys/db_password': () => ({
        status: 403,
        body: { error: { code: 'forbidden', message: 'needs execute on key' } },
      }),
    });
    renderAt(<KeysView />, '/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Reveal db_password' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not allowed to reveal db_password');
    expect(alert).toHaveTextContent('needs execute on key');
  });

  it('offer a viewer nothing to set, reveal or delete', async () => {
    fakeApi({
      'GET /api/v1/auth/me': profile('vic', ['*:view']),
      'GET /api/v1/keys': () => page(keys),
    });
    renderAt(<KeysView />, '/keys');
    await screen.findByText('db_password');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(3));
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  it('are set encrypted with a hidden value by default', async () => {
    const sent = fakeApi({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'PUT /api/v1/keys/token': () => ({ status: 201, body: { data: key('token', true, 's', 'pack', 'slack') } }),
    });
    renderAt(<KeysView />, '/keys');
    await userEvent.click(await screen.findByRole('button', { name: 'Set a key' }));
    const form = screen.getByRole('form', { name: 'Set a key' });
    await userEvent.type(within(form).getByLabelText('Name'), 'token');
    await userEvent.selectOptions(within(form).getByLabelText('Scope'), 'pack');
    await userEvent.type(within(form).getByLabelText('Owner'), 'slack');
    const value = within(form).getByLabelText('Value');
    expect(value).toHaveAttribute('type', 'password');
    await userEvent.type(value, 'xoxb-1');
    await userEvent.click(within(form).getByRole('button', { name: 'Save key' }));
    await screen.findByText('Key slack.token saved, encrypted.');
    const put = sent.find((s) => s.method === 'PUT');
    expect(put?.query.get('scope')).toBe('pack');
    expect(put?.query.get('owner')).toBe('slack');
    expect(put?.body).toEqual({ value: 'xoxb-1', encrypted: true, ttl_s: null });
  });
});

describe('webhooks', () => {
  it('show the URL to post to, and a new secret only once', async () => {
    const hook = {
      id: 1,
      name: 'alerts',
      description: null,
      enabled: true,
      signed: true,
      replay_window_s: null,
      url: '/api/v1/webhooks/alerts',
      created: '2026-01-01T00:00:00Z',
      updated: '2026-01-01T00:00:00Z',
    };
    const sent = fakeApi({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/webhooks': () => page([]),
      'POST /api/v1/webhooks': () => ({ status: 201, body: { data: hook } }),
    });
    renderAt(<WebhooksView />, '/webhooks');
    await userEvent.click(await screen.findByRole('button', { name: 'Register a webhook' }));
    await userEvent.type(screen.getByLabelText('Name'), 'alerts');
    await userEvent.click(screen.getByRole('button', { name: 'Generate a secret' }));
    const secret = (screen.getByLabelText('Secret') as HTMLInputElement).value;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await userEvent.click(screen.getByRole('button', { name: 'Register webhook' }));
    const created = await screen.findByRole('region', { name: 'Webhook alerts registered' });
    expect(within(created).getByText(secret)).toBeInTheDocument();
    expect(within(created).getByText(webhookUrl('alerts'))).toBeInTheDocument();
    expect(sent.find((s) => s.method === 'POST')?.body).toEqual({
      name: 'alerts',
      description: null,
      secret,
      replay_window_s: null,
    });
    await userEvent.click(within(created).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText(secret)).toBeNull();
  });
});

describe('events', () => {
  it('render payloads as text', async () => {
    const payload = { body: { text: '<img src=x onerror=alert(1)>' } };
    fakeApi({
      'GET /api/v1/auth/me': profile('vic', ['*:view']),
      'GET /api/v1/triggers': () => page([]),
      'GET /api/v1/events': () =>
        page([{ id: 7, trigger_ref: 'core.webhook', payload, config: {}, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' }]),
      'GET /api/v1/events/7': () => ({
        body: { data: { id: 7, trigger_ref: 'core.webhook', payload, config: {}, created: '2026-01-01T00:00:00Z', updated: '2026-01-01T00:00:00Z' } },
      }),
      'GET /api/v1/enforcements': () => page([]),
    });
    const { container } = renderAt(<EventsView />, '/events?selected=7');
    const detail = await screen.findByRole('region', { name: 'Event #7' });
    expect(await within(detail).findByText('"<img src=x onerror=alert(1)>"')).toBeInTheDocument();
    expect(await screen.findByText(/onerror=alert\(1\)>"}}$/)).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
  });
});
