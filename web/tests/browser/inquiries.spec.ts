import { adminToken, call, expect, expectAccessible, makeUser, screenshot, signIn, test } from './fixtures';

/** Starts core.ask through the API; the asking execution's id. */
async function ask(prompt: string, schema: unknown): Promise<number> {
  const answer = await call('POST', '/api/v1/actions/core.ask/execute', await adminToken(), {
    parameters: { prompt, schema },
  });
  return answer.data.id;
}

const APPROVAL = { type: 'object', properties: { approved: { type: 'boolean' } }, required: ['approved'] };

test('an inquiry is found among the pending ones, answered through its form, and its execution completes', async ({ page }) => {
  test.setTimeout(120_000);
  const prompt = `Ship release ${Date.now()}?`;
  const execution = await ask(prompt, APPROVAL);
  await signIn(page);
  await page.goto('/inquiries');
  await expect(page.getByRole('heading', { name: 'Inquiries', level: 1 })).toBeVisible();
  await expect(page.getByLabel('Status')).toHaveValue('pending');
  const row = page.getByRole('row', { name: new RegExp(prompt.replace(/[?]/g, '\\?')) });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(row.getByRole('link', { name: `Execution ${execution}` })).toHaveAttribute('href', `/executions/${execution}`);
  await expectAccessible(page);
  await row.getByRole('link').first().click();

  await expect(page.getByRole('heading', { name: /^Inquiry \d+$/, level: 1 })).toBeVisible();
  const id = Number(page.url().split('/').pop());
  await expect(page.locator('.inquiry-prompt')).toHaveText(prompt);
  await expect(page.getByTestId('inquiry-status')).toHaveText('pending');
  await expect(page.getByRole('link', { name: `Execution ${execution}` }).first()).toHaveAttribute('href', `/executions/${execution}`);
  await expect(page.getByTestId('asking-status')).toHaveText('pending');
  const approved = page.getByLabel('approved', { exact: true });
  await expect(approved).toHaveAttribute('aria-required', 'true');
  await approved.check();
  await expectAccessible(page);
  await screenshot(page, 'inquiry');

  await page.getByRole('button', { name: 'Respond', exact: true }).click();
  await expect(page.getByTestId('inquiry-status')).toHaveText('responded');
  await expect(page.getByRole('button', { name: 'Respond' })).toHaveCount(0);
  await expect(page.getByText('Answered by')).toBeVisible();
  await expect(page.getByTestId('asking-status')).toHaveText('completed', { timeout: 30_000 });
  await expect(page.getByRole('list', { name: 'Result of the asking execution' })).toContainText('approved: true');
  await expectAccessible(page);

  const token = await adminToken();
  const done = await call('GET', `/api/v1/executions/${execution}`, token);
  expect(done.data.status).toBe('completed');
  expect(done.data.result).toEqual({ approved: true });
  const inquiry = await call('GET', `/api/v1/inquiries/${id}`, token);
  expect(inquiry.data.status).toBe('responded');

  // No longer pending: listed under its new status, the URL saying which.
  await page.goto('/inquiries');
  await expect(page.getByRole('row', { name: new RegExp(prompt.replace(/[?]/g, '\\?')) })).toHaveCount(0);
  await page.getByLabel('Status').selectOption('responded');
  await expect(page).toHaveURL(/\?status=responded$/);
  await expect(page.getByRole('row', { name: new RegExp(prompt.replace(/[?]/g, '\\?')) })).toBeVisible();
});

test('an answer the server refuses is shown on its field', async ({ page }) => {
  const prompt = `Really? ${Date.now()}`;
  // `const` is not checked by the form: only the server knows this answer must be true.
  await ask(prompt, { type: 'object', properties: { approved: { type: 'boolean', const: true } }, required: ['approved'] });
  await signIn(page);
  await page.goto('/inquiries');
  const row = page.getByRole('row', { name: new RegExp(prompt.replace(/[?]/g, '\\?')) });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.getByRole('link').first().click();
  await expect(page.locator('.inquiry-prompt')).toHaveText(prompt);
  await page.getByRole('button', { name: 'Respond', exact: true }).click();
  const approved = page.getByLabel('approved', { exact: true });
  await expect(approved).toHaveAttribute('aria-invalid', 'true');
  const error = await approved.evaluate((control) => {
    const ids = (control.getAttribute('aria-describedby') ?? '').split(' ');
    return ids.map((id) => document.getElementById(id)).find((e) => e?.classList.contains('field-error'))?.textContent;
  });
  expect(error).toBeTruthy();
  await expect(page.getByTestId('inquiry-status')).toHaveText('pending');
  // Answered as the schema wants, it closes.
  await approved.check();
  await page.getByRole('button', { name: 'Respond', exact: true }).click();
  await expect(page.getByTestId('inquiry-status')).toHaveText('responded');
});

test('a viewer sees an inquiry without a form to answer it', async ({ page }) => {
  const prompt = `Viewer only ${Date.now()}`;
  await ask(prompt, APPROVAL);
  await makeUser('vic-inquiries', 'pw-vic-inquiries-123', ['viewer']);
  await signIn(page, 'vic-inquiries', 'pw-vic-inquiries-123');
  await page.goto('/inquiries');
  const row = page.getByRole('row', { name: new RegExp(prompt) });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await row.getByRole('link').first().click();
  await expect(page.locator('.inquiry-prompt')).toHaveText(prompt);
  await expect(page.getByText('You may view this inquiry but not answer it')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Respond' })).toHaveCount(0);
  // At phone width, in the dark theme.
  await page.setViewportSize({ width: 380, height: 800 });
  await page.getByRole('button', { name: /Use the dark theme/ }).click();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expectAccessible(page);
});
