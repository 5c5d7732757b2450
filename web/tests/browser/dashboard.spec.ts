import { adminToken, call, expect, expectAccessible, screenshot, signIn, test } from './fixtures';

test('the dashboard shows a new execution, the statistics and the workers, in both themes', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const admin = await adminToken();
  const started = await call('POST', '/api/v1/actions/core.noop/execute', admin, {});
  const id: number = started.data.id;
  await signIn(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();

  const recent = page.getByRole('region', { name: 'Recent executions' });
  await expect(recent.getByRole('link', { name: `#${id}`, exact: true })).toHaveAttribute('href', `/executions/${id}`);
  // The live stream brings its end without a reload.
  const row = recent.getByRole('row').filter({ has: page.getByRole('link', { name: `#${id}`, exact: true }) });
  await expect(row).toContainText('core.noop');
  await expect(row).toContainText('completed');

  const success = page.getByRole('region', { name: 'Success rate' });
  await expect(success.getByText(/^\d+(\.\d)?%$/)).toBeVisible();
  await expect(success).toContainText(/\d+ of \d+ ended execution/);
  await expect(page.getByRole('region', { name: 'By status' }).getByRole('list', { name: 'Executions by status' })).toContainText('completed');
  await expect(page.getByRole('region', { name: 'By action' }).getByRole('link', { name: 'core.noop' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Under way' }).getByText('Running')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pending inquiries' }).getByRole('link', { name: /wait.* for an answer/ })).toHaveAttribute(
    'href',
    '/inquiries?status=pending',
  );

  const workers = page.getByRole('region', { name: 'Workers' });
  const embedded = workers.getByRole('row').filter({ hasText: 'embedded' });
  await expect(embedded).toContainText('active');
  const runtimes = workers.getByRole('list', { name: 'Runtimes of embedded' });
  for (const runtime of ['shell', 'wasm', 'python']) await expect(runtimes).toContainText(runtime);
  await expect(workers.getByText('core.wasm').or(workers.getByText(/WebAssembly/)).first()).toBeVisible();

  // The window of the statistics is in the query string.
  await page.getByLabel('Statistics over').selectOption('7d');
  await expect(page).toHaveURL(/window=7d/);
  await expect(success).toContainText('last 7 days');

  await expectAccessible(page);
  await screenshot(page, 'dashboard');

  await page.getByRole('button', { name: 'Use the dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Use the light theme' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'dashboard-dark');

  await page.getByRole('link', { name: 'Your account' }).click();
  await expect(page).toHaveURL(/\/admin\/identities\/admin$/);
  await expect(page.getByRole('heading', { name: 'Your account: admin' })).toBeVisible();
});

test('the dashboard works at a phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto('/');
  await expect(page.getByRole('region', { name: 'Recent executions' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Workers' }).getByText('embedded', { exact: true })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav.getByRole('link', { name: 'Executions' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'dashboard-phone');
  await menu.click();
  await expect(nav).toBeHidden();
  // Nothing overflows sideways at this width.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page);
});

test('a caller without execution grants is told what the dashboard leaves out', async ({ page }) => {
  const admin = await adminToken();
  const ref = `askers-${Date.now()}`;
  await call('POST', '/api/v1/permission-sets', admin, { ref, label: 'Askers', grants: ['inquiry:view'] });
  const login = `asker-${Date.now()}`;
  await call('POST', '/api/v1/identities', admin, { login, password: 'pw-asker-123456' });
  await call('PUT', `/api/v1/identities/${login}/permission-sets/${ref}`, admin);
  await signIn(page, login, 'pw-asker-123456');
  await page.goto('/');
  await expect(page.getByText(/Not shown: executions, workers/)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pending inquiries' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Recent executions' })).toHaveCount(0);
  await expectAccessible(page);
});
