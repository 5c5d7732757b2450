import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, page, profile, renderAt, serve } from '../test-support';
import { WebhooksView, webhookUrl } from './WebhooksView';

afterEach(() => vi.unstubAllGlobals());

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
    const sent = serve({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/webhooks': () => page([]),
      'POST /api/v1/webhooks': () => json(201, { data: hook }),
    });
    renderAt('/webhooks', { '/webhooks': <WebhooksView /> });
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
