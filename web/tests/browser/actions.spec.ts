import type { Page } from '@playwright/test';
import { expect, expectAccessible, makeUser, screenshot, signIn, test } from './fixtures';

/** The error text shown for the control labelled `label` (linked by aria-describedby). */
async function fieldError(page: Page, label: string): Promise<string | null> {
  return page.getByLabel(label, { exact: true }).evaluate((control) => {
    const ids = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    for (const id of ids) {
      const element = document.getElementById(id);
      if (element?.classList.contains('field-error')) return element.textContent;
    }
    return null;
  });
}

/** Opens the page of action `ref` from the actions list of its pack, as a user does. */
async function openAction(page: Page, ref: string): Promise<void> {
  const pack = ref.slice(0, ref.indexOf('.'));
  await page.goto(`/actions?pack=${pack}`);
  await page.getByRole('link', { name: ref, exact: true }).click();
  await expect(page.getByRole('heading', { name: ref, level: 1 })).toBeVisible();
}

/** Counts the requests the page makes to run an action. */
function countRuns(page: Page): () => number {
  let runs = 0;
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/v1\/actions\/[^/]+\/execute$/.test(request.url())) runs += 1;
  });
  return () => runs;
}

test('the actions list filters by pack and leads to an action', async ({ page }) => {
  await signIn(page);
  await page.goto('/actions');
  await expect(page.getByRole('heading', { name: 'Actions', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'core.echo', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'examples-wasm.echo', exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel('Pack').selectOption('examples-wasm');
  await expect(page).toHaveURL(/\?pack=examples-wasm$/);
  await expect(page.getByRole('link', { name: 'core.echo', exact: true })).toHaveCount(0);
  await page.getByRole('link', { name: 'examples-wasm.echo', exact: true }).click();
  await expect(page).toHaveURL(/\/actions\/examples-wasm\.echo$/);
  await expect(page.getByRole('heading', { name: 'examples-wasm.echo', level: 1 })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Parameters of examples-wasm.echo' })).toContainText('message');
  await expect(page.getByText('memory 16 MB')).toBeVisible();

  // A workflow action links to its workflow.
  await openAction(page, 'examples-wasm.each_host');
  await expect(page.getByRole('link', { name: 'View the workflow' })).toHaveAttribute('href', '/workflows/examples-wasm.each_host');
});

test('an action runs from its form, and its execution page shows the output', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await openAction(page, 'core.echo');
  const message = page.getByLabel('message', { exact: true });
  await expect(message).toHaveAttribute('aria-required', 'true');
  await message.fill('hello from the run form');
  await expectAccessible(page);
  await screenshot(page, 'action-run-form');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
  const id = page.url().split('/').pop();
  await expect(page.getByRole('heading', { name: `Execution ${id}`, level: 1 })).toBeVisible();
  await expect(page.locator('.badge', { hasText: /^completed$/ }).first()).toBeVisible({ timeout: 90_000 });
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('hello from the run form', { timeout: 30_000 });
});

test('a wrongly filled form shows inline errors and sends nothing', async ({ page }) => {
  await signIn(page);
  const runs = countRuns(page);
  await openAction(page, 'core.ask');
  // The prompt left empty, a fraction for a whole number, JSON that does not parse.
  await page.getByLabel('timeout_s', { exact: true }).fill('2.5');
  await page.getByLabel('schema', { exact: true }).fill('{"type": ');
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  const prompt = page.getByLabel('prompt', { exact: true });
  await expect(prompt).toHaveAttribute('aria-invalid', 'true');
  await expect(prompt).toBeFocused();
  expect(await fieldError(page, 'prompt')).toBe('Required.');
  expect(await fieldError(page, 'timeout_s')).toBe('Must be a whole number.');
  expect(await fieldError(page, 'schema')).toMatch(/^Not valid JSON/);
  await expect(page.getByRole('alert')).toContainText('3 fields need attention.');
  await expectAccessible(page);
  await screenshot(page, 'action-form-errors');

  // Out of bounds, then text the number input cannot read.
  await page.getByLabel('timeout_s', { exact: true }).fill('0');
  await expect.poll(() => fieldError(page, 'timeout_s')).toBe('Must be at least 1.');
  await page.getByLabel('timeout_s', { exact: true }).fill('');
  await page.getByLabel('timeout_s', { exact: true }).pressSequentially('1e');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  expect(await fieldError(page, 'timeout_s')).toBe('Must be a whole number.');

  // Fixed, the errors go as they are typed.
  await prompt.fill('Anyone?');
  await page.getByLabel('timeout_s', { exact: true }).fill('60');
  await page.getByLabel('schema', { exact: true }).fill('{"type": "object"}');
  await expect(page.locator('.field-error')).toHaveCount(0);
  await expect(page).toHaveURL(/\/actions\/core\.ask$/);
  expect(runs()).toBe(0);
});

test("the server's refusal of a value the form let through is shown on its field", async ({ page }) => {
  await signIn(page);
  const runs = countRuns(page);
  await openAction(page, 'examples-python.format_table');
  // The form checks that rows is a JSON array; that each row is an object is the server's to say.
  await page.getByLabel('rows', { exact: true }).fill('[1, 2]');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const rows = page.getByLabel('rows', { exact: true });
  await expect(rows).toHaveAttribute('aria-invalid', 'true');
  await expect.poll(() => fieldError(page, 'rows')).toContain('is not of type "object"');
  expect(runs()).toBe(1);
  await expect(page).toHaveURL(/\/actions\/examples-python\.format_table$/);
  // Editing the field clears the server's word on it.
  await rows.fill('[{"a": 1}]');
  await expect(rows).not.toHaveAttribute('aria-invalid', 'true');
});

test('a viewer sees an action without a Run button', async ({ page }) => {
  await makeUser('vic-actions', 'pw-vic-actions-123', ['viewer']);
  await signIn(page, 'vic-actions', 'pw-vic-actions-123');
  await openAction(page, 'core.echo');
  await expect(page.getByText('You may view this action but not run it.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run' })).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Parameters of core.echo' })).toContainText('message');
  await expectAccessible(page);
});

test('the action page works at phone width and in the dark theme', async ({ page }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  await signIn(page);
  await openAction(page, 'core.http');
  await expect(page.getByLabel('method', { exact: true }).locator('option:checked')).toHaveText('GET');
  await expect(page.getByLabel('fail_on_status', { exact: true })).toBeChecked();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole('button', { name: /Use the dark theme/ }).click();
  await expectAccessible(page);
});

test("a pack's page lists its components, each linking to its page", async ({ page }) => {
  await signIn(page);
  await page.goto('/packs');
  await expect(page.getByRole('heading', { name: 'Packs', level: 1 })).toBeVisible();
  await expect(page.getByRole('row', { name: /examples-wasm/ })).toContainText('0.1.0');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'examples-wasm', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'examples-wasm', level: 1 })).toBeVisible();
  const actions = page.getByRole('region', { name: /^Actions/ });
  await expect(actions.getByRole('link', { name: 'examples-wasm.echo', exact: true })).toHaveAttribute('href', '/actions/examples-wasm.echo');
  const workflows = page.getByRole('region', { name: /^Workflows/ });
  await expect(workflows.getByRole('link', { name: 'examples-wasm.each_host', exact: true })).toHaveAttribute(
    'href',
    '/workflows/examples-wasm.each_host',
  );
  await expect(page.getByRole('region', { name: /^Sensors/ }).getByRole('link').first()).toHaveAttribute('href', '/sensors?pack=examples-wasm');
  await expect(page.getByRole('region', { name: /^Triggers/ }).getByRole('link').first()).toHaveAttribute('href', /^\/triggers\?ref=examples-wasm\./);
  await expect(page.getByRole('region', { name: /^Configuration/ })).toContainText('greeting');
  await expectAccessible(page);
  await screenshot(page, 'pack');
  await page.setViewportSize({ width: 380, height: 800 });
  await page.getByRole('button', { name: /Use the dark theme/ }).click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await expectAccessible(page);
  await actions.getByRole('link', { name: 'examples-wasm.echo', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'examples-wasm.echo', level: 1 })).toBeVisible();
});
