import { adminToken, call, expect, expectAccessible, makeUser, screenshot, signIn, test } from './fixtures';

const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1000)}`;

test('an administrator creates an identity, gives it viewer, and makes and revokes its API key', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const login = `vic-${unique()}`;
  const password = 'pw-vic-123456789';
  await signIn(page);
  await page.goto('/admin/identities');
  await expect(page.getByRole('table', { name: 'Identities' }).getByRole('link', { name: 'admin', exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Create identity' }).click();
  await expect(page).toHaveURL(/\?new/);
  const form = page.getByRole('form', { name: 'New identity' });
  await form.getByLabel('Login').fill('not a login!');
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Create identity' }).click();
  // The server's 422 is shown beside the field.
  await expect(form.getByText(/must be 1 to 128 letters/)).toBeVisible();
  await expect(form.getByLabel('Login')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  await form.getByLabel('Login').fill(login);
  await form.getByLabel('Display name').fill('Vic Viewer');
  await expect(form.getByLabel('Password')).toHaveAttribute('type', 'password');
  await form.getByRole('button', { name: 'Create identity' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/identities/${login}$`));
  await expect(page.getByRole('heading', { name: `Identity ${login}` })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('holds no permission set');

  await page.getByLabel('Permission set to add').selectOption('viewer');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const sets = page.getByRole('list', { name: `Permission sets of ${login}` });
  await expect(sets).toContainText('viewer');
  await expect(sets).toContainText('*: view');

  await page.getByLabel('Name', { exact: true }).fill('ci');
  await page.getByLabel('Expires').selectOption({ label: 'In 30 days' });
  await page.getByRole('button', { name: 'Create API key' }).click();
  const secret = page.getByLabel('New API key');
  await expect(secret).toBeVisible();
  const key = await secret.inputValue();
  expect(key).toMatch(/^atk_[0-9a-f]{64}$/);
  await expect(page.getByText('This is the only time it is shown.')).toBeVisible();
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await expectAccessible(page);
  await screenshot(page, 'identity');

  // The key acts as the new identity, with the viewer set.
  const me = await call('GET', '/api/v1/auth/me', key);
  expect(me.data.login).toBe(login);
  expect(me.data.permission_sets).toContain('viewer');

  await page.getByRole('button', { name: 'Done, hide the key' }).click();
  await expect(page.getByLabel('New API key')).toHaveCount(0);
  const keys = page.getByRole('table', { name: `API keys of ${login}` });
  await expect(keys).toContainText(`${key.slice(0, 12)}…`);
  await expect(page.getByText(key)).toHaveCount(0);
  // Shown once: a reload has only the prefix.
  await page.reload();
  await expect(keys).toContainText('ci');
  await expect(page.locator(`input[value="${key}"]`)).toHaveCount(0);

  await keys.getByRole('button', { name: 'Revoke ci' }).click();
  await expect(keys.getByRole('group', { name: /Revoke “ci”\?/ })).toBeVisible();
  await keys.getByRole('button', { name: 'Revoke ci' }).click();
  await expect(page.getByText('No API key.')).toBeVisible();
  await expect(call('GET', '/api/v1/auth/me', key)).rejects.toThrow(/401/);
});

test('an administrator disables and enables an identity from the list', async ({ page }) => {
  const login = `sam-${unique()}`;
  await makeUser(login, 'pw-sam-123456789', ['viewer']);
  await signIn(page);
  await page.goto('/admin/identities');
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: login, exact: true }) });
  await row.getByRole('button', { name: `Disable ${login}` }).click();
  await row.getByRole('button', { name: `Disable ${login}` }).click();
  await expect(row).toContainText('disabled');
  await expect(call('POST', '/api/v1/auth/login', null, { login, password: 'pw-sam-123456789' })).rejects.toThrow(/401/);
  await row.getByRole('button', { name: `Enable ${login}` }).click();
  await expect(row).toContainText('enabled');
  await call('POST', '/api/v1/auth/login', null, { login, password: 'pw-sam-123456789' });
});

test('a viewer sees administration read-only and manages only its own API keys', async ({ page }) => {
  const login = `val-${unique()}`;
  await makeUser(login, 'pw-val-123456789', ['viewer']);
  await signIn(page, login, 'pw-val-123456789');

  await page.goto('/admin/identities');
  await expect(page.getByRole('table', { name: 'Identities' }).getByRole('link', { name: login, exact: true })).toBeVisible();
  await expect(page.getByText(/Read-only/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create identity' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Disable|Enable) / })).toHaveCount(0);
  await expectAccessible(page);

  // Another identity: details, sets and keys, no controls.
  await page.getByRole('link', { name: 'admin', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Identity admin' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Permission sets of admin' })).toContainText('admin');
  await expect(page.getByLabel('Permission set to add')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Remove|Revoke|Disable)/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create API key' })).toHaveCount(0);

  // Its own page: its own keys, without any grant.
  await page.goto('/');
  await page.getByRole('link', { name: 'Your account' }).click();
  await expect(page.getByRole('heading', { name: `Your account: ${login}` })).toBeVisible();
  await expect(page.getByLabel('Permission set to add')).toHaveCount(0);
  await page.getByLabel('Name', { exact: true }).fill('laptop');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const key = await page.getByLabel('New API key').inputValue();
  expect((await call('GET', '/api/v1/auth/me', key)).data.login).toBe(login);

  await page.goto('/admin/permission-sets');
  await expect(page.getByRole('list', { name: 'Permission sets' })).toContainText('*: view');
  await expect(page.getByRole('button', { name: 'Create permission set' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);
});

test('opening identities without the grant explains the refusal', async ({ page }) => {
  const admin = await adminToken();
  const ref = `watchers-${unique()}`;
  await call('POST', '/api/v1/permission-sets', admin, { ref, label: 'Watchers', grants: ['execution:view'] });
  const login = `wes-${unique()}`;
  await makeUser(login, 'pw-wes-123456789', [ref]);
  await signIn(page, login, 'pw-wes-123456789');
  await page.goto('/admin/identities');
  await expect(page.getByRole('alert')).toContainText('Not allowed to list identities');
  await expect(page.getByRole('alert')).toContainText('identity');
  await expect(page.getByRole('button', { name: 'Create identity' })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Your account' }).click();
  await expect(page.getByRole('heading', { name: `Your account: ${login}` })).toBeVisible();
  await expect(page.getByRole('list', { name: `Permission sets of ${login}` })).toContainText(ref);
});

test('permission sets: bad JSON is refused inline, then one is created, edited and deleted', async ({ page }) => {
  const ref = `auditors-${unique()}`;
  await signIn(page);
  await page.goto('/admin/permission-sets');
  const sets = page.getByRole('list', { name: 'Permission sets' });
  const viewer = sets.getByRole('listitem', { name: 'Viewer viewer' });
  await expect(viewer.getByRole('list', { name: 'Grants of viewer' })).toHaveText('*: view');
  await expect(viewer).toContainText('read-only: built in');
  await expect(viewer.getByRole('button')).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, 'permission-sets');

  await page.getByRole('button', { name: 'Create permission set' }).click();
  const form = page.getByRole('form', { name: 'New permission set' });
  await form.getByLabel('Ref').fill(ref);
  await form.getByLabel('Label').fill('Auditors');
  const grants = form.getByLabel('Grants (JSON)');
  await grants.fill('["action@core:view", ');
  await form.getByRole('button', { name: 'Create permission set' }).click();
  await expect(form.getByText(/Not valid JSON/)).toBeVisible();
  await expect(grants).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);

  // JSON, but no grant: the server's 422 names it beside the field.
  await grants.fill('["bogus:frob"]');
  await form.getByRole('button', { name: 'Create permission set' }).click();
  await expect(form.getByText(/grants\[0\]: 'bogus:frob' is not a grant/)).toBeVisible();

  await grants.fill('["action@core:view,execute", {"resource": "execution", "verbs": ["view"]}]');
  await form.getByRole('button', { name: 'Create permission set' }).click();
  await expect(form).toHaveCount(0);
  const row = sets.getByRole('listitem', { name: `Auditors ${ref}` });
  await expect(row.getByRole('list', { name: `Grants of ${ref}` })).toContainText('action@core: view, execute');
  await expect(row).toContainText('execution: view');

  await row.getByRole('button', { name: `Edit ${ref}` }).click();
  await expect(page).toHaveURL(new RegExp(`edit=${ref}`));
  const edit = page.getByRole('form', { name: `Edit ${ref}` });
  await expect(edit.getByLabel('Grants (JSON)')).toHaveValue(/"action@core:view,execute"/);
  await edit.getByLabel('Label').fill('Auditors of core');
  await edit.getByLabel('Grants (JSON)').fill('["action@core:view"]');
  await edit.getByRole('button', { name: 'Save permission set' }).click();
  await expect(edit).toHaveCount(0);
  const edited = sets.getByRole('listitem', { name: `Auditors of core ${ref}` });
  await expect(edited.getByRole('list', { name: `Grants of ${ref}` })).toHaveText('action@core: view');
  await expect(row).toHaveCount(0);

  await edited.getByRole('button', { name: `Delete ${ref}` }).click();
  await edited.getByRole('button', { name: `Delete ${ref}` }).click();
  await expect(sets.getByText(ref, { exact: true })).toHaveCount(0);
});
