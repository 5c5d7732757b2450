import { expect, expectAccessible, screenshot, signIn, test } from './fixtures';

test('a wrong password is refused and the right one signs in', async ({ page }) => {
  await page.goto('/executions');
  await expect(page.getByRole('heading', { name: 'Sign in to Attune' })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'login');
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('invalid');
  await signIn(page);
  // Signed in, the page asked for first is shown, and a reload keeps the session.
  await page.goto('/executions');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Attune' })).toBeVisible();
});
