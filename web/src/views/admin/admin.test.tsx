import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json, page, profile, renderAt, serve } from '../../test-support';
import { compactGrant, grantLine, parseGrants } from './grants';
import { IdentitiesView } from './IdentitiesView';
import { IdentityView } from './IdentityView';
import { PermissionSetsView } from './PermissionSetsView';

const now = new Date().toISOString();
function identity(login: string, extra: object = {}) {
  return { id: 2, login, display_name: `${login} name`, enabled: true, has_password: true, attributes: {}, created: now, updated: now, ...extra };
}

const viewer = { id: 4, ref: 'viewer', label: 'Viewer', description: 'Sees everything', grants: [{ resource: '*', verbs: ['view'] }], created: now, updated: now };
const auditors = { id: 5, ref: 'auditors', label: 'Auditors', grants: [{ resource: 'action', pack: 'core', verbs: ['view', 'execute'] }], created: now, updated: now };

const routes = {
  '/admin/identities': <IdentitiesView />,
  '/admin/identities/:login': <IdentityView />,
  '/admin/permission-sets': <PermissionSetsView />,
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('grants', () => {
  it('read as lines and write compactly', () => {
    expect(grantLine({ resource: 'action', pack: 'core', verbs: ['view', 'execute'] })).toBe('action@core: view, execute');
    expect(compactGrant({ resource: '*', verbs: ['view'] })).toBe('*:view');
  });

  it('are checked as a JSON array before sending', () => {
    expect(parseGrants('["execution:view", {"resource": "rule", "verbs": ["view"]}]')).toEqual({
      grants: ['execution:view', { resource: 'rule', verbs: ['view'] }],
    });
    expect(parseGrants('[oops')).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
    expect(parseGrants('{"resource": "x"}')).toMatchObject({ error: expect.stringMatching(/JSON array/) });
    expect(parseGrants('[3]')).toMatchObject({ error: expect.stringMatching(/Grant 1/) });
  });
});

it('lets an administrator create identities and disable them after confirming', async () => {
  const user = userEvent.setup();
  const calls = serve({
    '/api/v1/auth/me': profile('admin', ['*:view,create,modify,delete']),
    '/api/v1/identities': () => page([identity('admin'), identity('sam')]),
    'POST /api/v1/identities': ({ body }) =>
      (body as { password?: string }).password === 'short'
        ? json(422, {
            error: { code: 'validation_failed', message: 'password: too short', details: { fields: [{ field: 'password', message: 'must be 12 to 1024 characters' }] } },
          })
        : { data: identity('new') },
    'PATCH /api/v1/identities/sam': () => ({ data: identity('sam', { enabled: false }) }),
  });
  renderAt('/admin/identities', routes);
  await user.click(await screen.findByRole('button', { name: 'Create identity' }));
  await user.type(screen.getByLabelText('Login'), 'new');
  const password = screen.getByLabelText('Password');
  expect(password).toHaveAttribute('type', 'password');
  await user.type(password, 'short');
  await user.click(screen.getByRole('button', { name: 'Create identity' }));
  expect(await screen.findByText('must be 12 to 1024 characters')).toBeInTheDocument();
  expect(password).toHaveAttribute('aria-invalid', 'true');

  await user.click(screen.getByRole('button', { name: 'Disable sam' }));
  expect(screen.getByRole('group', { name: /Disable sam\?/ })).toBeInTheDocument();
  expect(screen.getByRole('button', { name: 'Disable sam' })).toHaveFocus();
  await user.keyboard('{Escape}');
  expect(screen.queryByRole('group', { name: /Disable sam\?/ })).toBeNull();
  expect(screen.getByRole('button', { name: 'Disable sam' })).toHaveFocus();
  expect(calls.some((c) => c.method === 'PATCH')).toBe(false);
  await user.click(screen.getByRole('button', { name: 'Disable sam' }));
  await user.click(screen.getByRole('button', { name: 'Disable sam' }));
  expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({ path: '/api/v1/identities/sam', body: { enabled: false } });
});

it('is read-only for a viewer', async () => {
  serve({
    '/api/v1/auth/me': profile('vic', ['*:view']),
    '/api/v1/identities': () => page([identity('admin'), identity('vic')]),
  });
  renderAt('/admin/identities', routes);
  expect(await screen.findByRole('link', { name: 'vic' })).toHaveAttribute('href', '/admin/identities/vic');
  expect(screen.getByText(/Read-only/)).toBeInTheDocument();
  expect(screen.queryByRole('button', { name: 'Create identity' })).toBeNull();
  expect(screen.queryByRole('button', { name: /Disable/ })).toBeNull();
});

it('explains a refusal to list identities', async () => {
  serve({
    '/api/v1/auth/me': profile('pat', []),
    '/api/v1/identities': () => json(403, { error: { code: 'forbidden', message: 'needs view on identity' } }),
  });
  renderAt('/admin/identities', routes);
  expect(await screen.findByRole('alert')).toHaveTextContent('Not allowed to list identities');
  expect(screen.getByRole('link', { name: 'Your account' })).toHaveAttribute('href', '/admin/identities/pat');
});

it('lets its owner create an API key, shows the key once, and revokes after confirming', async () => {
  const user = userEvent.setup();
  const keys: unknown[] = [];
  const calls = serve({
    '/api/v1/auth/me': profile('pat', []),
    '/api/v1/identities/pat': () => ({ data: identity('pat', { permission_sets: [] }) }),
    '/api/v1/identities/pat/permission-sets': () => ({ data: [] }),
    '/api/v1/identities/pat/api-keys': () => ({ data: keys }),
    'POST /api/v1/identities/pat/api-keys': ({ body }) => {
      const key = { id: 9, identity: 2, name: (body as { name: string }).name, prefix: 'atk_0123abcd', created: now, updated: now, expires_at: null, last_used: null };
      keys.push(key);
      return { data: { ...key, key: 'atk_0123abcd' + 'f'.repeat(56) } };
    },
    'DELETE /api/v1/identities/pat/api-keys/9': () => {
      keys.pop();
      return undefined;
    },
  });
  renderAt('/admin/identities/pat', routes);
  expect(await screen.findByRole('heading', { name: 'Your account: pat' })).toBeInTheDocument();
  // No grant: no permission-set changes, but its own keys.
  const name = await screen.findByLabelText('Name');
  expect(screen.queryByLabelText('Permission set to add')).toBeNull();
  await user.type(name, 'ci');
  await user.selectOptions(screen.getByLabelText('Expires'), 'In 30 days');
  await user.click(screen.getByRole('button', { name: 'Create API key' }));
  const secret = await screen.findByLabelText('New API key');
  expect(secret).toHaveValue('atk_0123abcd' + 'f'.repeat(56));
  expect(screen.getByText('This is the only time it is shown.')).toBeInTheDocument();
  expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ name: 'ci', expires_in_s: 30 * 86_400 });
  await user.click(screen.getByRole('button', { name: 'Done, hide the key' }));
  expect(screen.queryByLabelText('New API key')).toBeNull();
  const table = screen.getByRole('table', { name: 'API keys of pat' });
  expect(within(table).getByText('atk_0123abcd…')).toBeInTheDocument();

  await user.click(within(table).getByRole('button', { name: 'Revoke ci' }));
  await user.click(within(table).getByRole('button', { name: 'Revoke ci' }));
  expect(await screen.findByText('No API key.')).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/identities/pat/api-keys/9')).toBe(true);
});

it('gives and takes permission sets when the grants allow', async () => {
  const user = userEvent.setup();
  const held: unknown[] = [];
  const calls = serve({
    '/api/v1/auth/me': profile('admin', ['*:view,modify']),
    '/api/v1/identities/sam': () => ({ data: identity('sam', { permission_sets: [] }) }),
    '/api/v1/identities/sam/permission-sets': () => ({ data: held }),
    '/api/v1/identities/sam/api-keys': () => ({ data: [] }),
    '/api/v1/permission-sets': () => page([viewer, auditors]),
    'PUT /api/v1/identities/sam/permission-sets/viewer': () => {
      held.push(viewer);
      return undefined;
    },
  });
  renderAt('/admin/identities/sam', routes);
  const select = await screen.findByLabelText('Permission set to add');
  await screen.findByRole('option', { name: 'viewer — Viewer' });
  await user.selectOptions(select, 'viewer');
  await user.click(screen.getByRole('button', { name: 'Add' }));
  const list = await screen.findByRole('list', { name: 'Permission sets of sam' });
  expect(within(list).getByText('*: view')).toBeInTheDocument();
  expect(within(list).getByRole('button', { name: 'Remove viewer' })).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'PUT')).toBe(true);
});

it('checks the grants JSON before sending and shows the server refusal inline', async () => {
  const user = userEvent.setup();
  const calls = serve({
    '/api/v1/auth/me': profile('admin', ['*:view,create,modify,delete']),
    '/api/v1/permission-sets': () => page([viewer, auditors]),
    'POST /api/v1/permission-sets': () =>
      json(422, {
        error: {
          code: 'validation_failed',
          message: 'grants[0]: bad',
          details: { fields: [{ field: 'grants[0]', message: "'bogus' is not a grant" }] },
        },
      }),
  });
  renderAt('/admin/permission-sets', routes);
  const sets = await screen.findByRole('list', { name: 'Permission sets' });
  expect(within(sets).getByRole('list', { name: 'Grants of auditors' })).toHaveTextContent('action@core: view, execute');
  expect(within(sets).getByRole('listitem', { name: /Viewer/ })).toHaveTextContent('read-only: built in');
  expect(within(sets).getByRole('button', { name: 'Edit auditors' })).toBeInTheDocument();
  expect(within(sets).queryByRole('button', { name: 'Edit viewer' })).toBeNull();

  await user.click(screen.getByRole('button', { name: 'Create permission set' }));
  await user.type(screen.getByLabelText('Ref'), 'ops');
  const grants = screen.getByLabelText('Grants (JSON)');
  await user.clear(grants);
  await user.type(grants, '[[oops');
  await user.click(screen.getByRole('button', { name: 'Create permission set' }));
  expect(await screen.findByText(/Not valid JSON/)).toBeInTheDocument();
  expect(grants).toHaveAttribute('aria-invalid', 'true');
  expect(calls.some((c) => c.method === 'POST')).toBe(false);

  await user.clear(grants);
  await user.click(grants);
  await user.paste('["bogus"]');
  await user.click(screen.getByRole('button', { name: 'Create permission set' }));
  expect(await screen.findByText("grants[0]: 'bogus' is not a grant")).toBeInTheDocument();
  expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ ref: 'ops', label: null, description: null, grants: ['bogus'] });
});
