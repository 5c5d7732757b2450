import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, page, profile, renderAt, serve } from '../test-support';
import { KeysView, keyPack } from './KeysView';

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
    const sent = serve({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'GET /api/v1/keys/db_password': ({ query }) => ({
        data: { ...keys[0], value: query.get('decrypt') === 'true' ? 'hunter2' : '********' },
      }),
    });
    renderAt('/keys', { '/keys': <KeysView /> });
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
    serve({
      'GET /api/v1/auth/me': profile('eddie', ['key:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'GET /api/v1/keys/db_password': () => json(403, { error: { code: 'forbidden', message: 'needs execute on key' } }),
    });
    renderAt('/keys', { '/keys': <KeysView /> });
    await userEvent.click(await screen.findByRole('button', { name: 'Reveal db_password' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not allowed to reveal db_password');
    expect(alert).toHaveTextContent('needs execute on key');
  });

  it('offer a viewer nothing to set, reveal or delete', async () => {
    serve({
      'GET /api/v1/auth/me': profile('vic', ['*:view']),
      'GET /api/v1/keys': () => page(keys),
    });
    renderAt('/keys', { '/keys': <KeysView /> });
    await screen.findByText('db_password');
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(3));
    expect(screen.queryAllByRole('button')).toEqual([]);
  });

  it('are set encrypted with a hidden value by default', async () => {
    const sent = serve({
      'GET /api/v1/auth/me': profile('admin', ['*:view,create,modify,delete,execute']),
      'GET /api/v1/keys': () => page(keys),
      'PUT /api/v1/keys/token': () => json(201, { data: key('token', true, 's', 'pack', 'slack') }),
    });
    renderAt('/keys', { '/keys': <KeysView /> });
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
