// Keys in a real browser: an encrypted key set in the UI is masked in the list, revealed for
// an administrator and hidden again, then deleted after a confirmation; a viewer sees the
// list but no way to set, reveal or delete.
import { adminToken, call, expect, expectAccessible, makeUser, screenshot, signIn, test } from './fixtures';

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

test('an encrypted key is masked, revealed to an admin, and deleted', async ({ page }) => {
  const name = `ui_secret_${suffix}`;
  const value = `hunter2-${suffix}`;
  const plain = `ui_plain_${suffix}`;
  await signIn(page);
  await page.goto('/keys');
  await expect(page.getByRole('heading', { name: 'Keys', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Set a key' }).click();
  const form = page.getByRole('form', { name: 'Set a key' });
  await expect(form.getByLabel('Name', { exact: true })).toBeFocused();
  await form.getByLabel('Name', { exact: true }).fill(name);
  await expect(form.getByLabel('Scope', { exact: true })).toHaveValue('system');
  await expect(form.getByLabel(/^Encrypted/)).toBeChecked();
  const input = form.getByLabel('Value', { exact: true });
  await expect(input).toHaveAttribute('type', 'password');
  await input.fill(value);
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Key ${name} saved, encrypted.` })).toBeVisible();

  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('********');
  await expect(row).toContainText('yes');
  await expect(page.getByText(value)).toHaveCount(0);
  await expectAccessible(page);
  await screenshot(page, 'keys');

  await row.getByRole('button', { name: `Reveal ${name}` }).click();
  await expect(row.getByText(value, { exact: true })).toBeVisible();
  await row.getByRole('button', { name: `Hide ${name}` }).click();
  await expect(page.getByText(value)).toHaveCount(0);

  // A plain key shows its value; switching to plain shows the value as typed.
  await page.getByRole('button', { name: 'Set a key' }).click();
  await form.getByLabel('Name', { exact: true }).fill(plain);
  await form.getByLabel(/^Encrypted/).uncheck();
  await expect(form.getByLabel('Value', { exact: true })).toHaveAttribute('type', 'text');
  await form.getByLabel('Value', { exact: true }).fill('region-eu');
  await form.getByRole('button', { name: 'Save key' }).click();
  await expect(page.getByRole('row').filter({ hasText: plain })).toContainText('region-eu');

  // The filters are in the URL.
  await page.getByLabel('Name starts with').fill('ui_');
  await expect(page).toHaveURL(/prefix=ui_/);
  await expect(page.getByRole('row')).toHaveCount(3);

  // Deleting asks first.
  await row.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  await row.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Key ${name} deleted.` })).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(2);
  await page.getByRole('row').filter({ hasText: plain }).getByRole('button', { name: `Delete ${plain}` }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(page.getByText('No key matches these filters.')).toBeVisible();
});

test('a mistake in a key is shown by its field', async ({ page }) => {
  await signIn(page);
  await page.goto('/keys');
  await page.getByRole('button', { name: 'Set a key' }).click();
  const form = page.getByRole('form', { name: 'Set a key' });
  await form.getByLabel('Name', { exact: true }).fill(`bad name ${suffix}`);
  await form.getByLabel('Value', { exact: true }).fill('x');
  await form.getByRole('button', { name: 'Save key' }).click();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('#key-name-error')).toContainText('letters, digits');
  await form.getByLabel('Scope', { exact: true }).selectOption('pack');
  await form.getByLabel('Name', { exact: true }).fill(`fine_${suffix}`);
  await form.getByLabel('Owner', { exact: true }).fill('no-such-pack');
  await form.getByRole('button', { name: 'Save key' }).click();
  await expect(form.locator('#key-owner-error')).toContainText('does not exist');
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toHaveCount(0);
});

test('a viewer sees keys masked, with nothing to set, reveal or delete', async ({ page }) => {
  const login = `vic-keys-${suffix}`;
  const password = 'pw-vic-123456';
  await makeUser(login, password, ['viewer']);
  const name = `viewer_sees_${suffix}`;
  await call('PUT', `/api/v1/keys/${name}`, await adminToken(), { value: 'not-for-viewers', encrypted: true });
  await signIn(page, login, password);
  await page.goto('/keys');
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('********');
  await expect(page.getByText('not-for-viewers')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Set a key' })).toHaveCount(0);
  await expect(row.getByRole('button')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Delete|Reveal|Replace)/ })).toHaveCount(0);
  await expectAccessible(page);
  // Nor anything to change elsewhere.
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Register a webhook' })).toHaveCount(0);
  await page.goto('/rules');
  await expect(page.getByRole('heading', { name: 'Rules', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'New rule' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^(Enable|Disable) rule/ })).toHaveCount(0);
  await call('DELETE', `/api/v1/keys/${name}`, await adminToken());
});
