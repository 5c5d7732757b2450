// Executions in the browser: an execution's page follows its output and status live and
// lists its artifacts for download, a running one is cancelled from its page, one is run
// again with edited parameters, and the list shows new executions as they are created and
// takes its filters from the URL.
import type { Page } from '@playwright/test';
import { adminToken, call, expect, expectAccessible, makeUser, screenshot, signIn, test } from './fixtures';

const WAIT = { timeout: 30_000 };

async function execute(action: string, parameters: Record<string, unknown>): Promise<number> {
  const answer = await call('POST', `/api/v1/actions/${action}/execute`, await adminToken(), { parameters });
  return answer.data.id;
}

const status = (page: Page) => page.getByRole('status', { name: 'Status' });

async function bothThemes(page: Page) {
  await expectAccessible(page);
  await page.getByRole('button', { name: /Use the (dark|light) theme/ }).click();
  await expectAccessible(page);
  await page.getByRole('button', { name: /Use the (dark|light) theme/ }).click();
}

test('an execution shows its output live and ends completed', async ({ page }) => {
  await signIn(page);
  const id = await execute('core.echo', { message: 'hello from the browser' });
  await page.goto(`/executions/${id}`);
  await expect(page.getByRole('heading', { name: `Execution ${id}`, level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'core.echo' })).toHaveAttribute('href', '/actions/core.echo');
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('hello from the browser', WAIT);
  await expect(status(page)).toHaveText('completed', WAIT);
  await expect(page.getByText('Ended: completed')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Metering' })).toBeVisible();
  await expect(page.getByText('Peak memory')).toBeVisible();
  // Finished: nothing to cancel.
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await bothThemes(page);
  await screenshot(page, 'execution');
});

test('output written while the page is open arrives through the stream', async ({ page }) => {
  await signIn(page);
  // The page is open before the action prints anything: the line comes through the stream.
  const id = await execute('core.sleep', { seconds: 2 });
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText('running', WAIT);
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('Waiting for output');
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('{"slept": 2}', WAIT);
  await expect(status(page)).toHaveText('completed', WAIT);
});

test('a failed command shows its failure, and its standard error apart', async ({ page }) => {
  await signIn(page);
  const id = await execute('core.local', { cmd: 'echo to-stdout; echo to-stderr >&2; exit 3' });
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText('failed', WAIT);
  await expect(page.getByText(/^Failed \(nonzero_exit\):/)).toBeVisible();
  const log = page.getByRole('log', { name: 'Output' });
  await expect(log).toContainText('stderr: to-stderr');
  // Standard error is marked apart (a bar and a colour), standard output is not.
  await expect(log.locator('.ex-line', { hasText: /^stderr: to-stderr/ })).toHaveCSS('border-left-style', 'solid');
  await expect(log.locator('.ex-line', { hasText: '"exit_code": 3' })).toHaveCSS('border-left-style', 'none');
  await expect(page.getByRole('list', { name: 'Result' })).toContainText('exit_code');
});

test('a running execution is cancelled from its page', async ({ page }) => {
  await signIn(page);
  const id = await execute('core.sleep', { seconds: 120 });
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText('running', WAIT);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(status(page)).toHaveText(/^(canceling|cancelled)$/, WAIT);
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(status(page)).toHaveText('cancelled', WAIT);
  await expect(page.getByText(/^Cancelled:/)).toBeVisible();
});

test('an execution runs again with edited parameters, and refused ones are explained', async ({ page }) => {
  await signIn(page);
  const id = await execute('core.echo', { message: 'first run' });
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText('completed', WAIT);
  await page.getByRole('button', { name: 'Re-run' }).click();
  const field = page.getByLabel(/Parameters \(JSON\)/);
  await expect(field).toHaveValue(/"message": "first run"/);
  await field.fill('{"message": 5}');
  await page.getByRole('button', { name: 'Run again' }).click();
  await expect(page.getByRole('alert')).toContainText('message: value is not of type "string"');
  await field.fill('{"message": "second run"}');
  await page.getByRole('button', { name: 'Run again' }).click();
  await expect(page).not.toHaveURL(new RegExp(`/executions/${id}(\\?|$)`));
  await expect(page.getByRole('heading', { name: /^Execution \d+$/, level: 1 })).not.toHaveText(`Execution ${id}`);
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('second run', WAIT);
  await expect(status(page)).toHaveText('completed', WAIT);
});

test('an execution lists its artifacts, and a viewer downloads one as a file', async ({ page }) => {
  await makeUser('val-artifacts', 'pw-val-artifacts-1', ['viewer']);
  const id = await execute('examples-wasm.report', { title: 'nightly <b>report</b>' });
  await signIn(page, 'val-artifacts', 'pw-val-artifacts-1');
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText('completed', WAIT);
  await expect(page.getByRole('heading', { name: 'Artifacts' })).toBeVisible(WAIT);
  const table = page.getByRole('table', { name: 'Artifacts' });
  await expect(table).toContainText('application/json');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download parameters.json' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('parameters.json');
  const saved = await download.path();
  const { readFileSync } = await import('node:fs');
  expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual({ title: 'nightly <b>report</b>', lines: [] });
  await expectAccessible(page);
});

test('a viewer sees an execution but is offered neither cancel nor re-run', async ({ page }) => {
  await makeUser('vic-executions', 'pw-vic-executions-1', ['viewer']);
  const id = await execute('core.sleep', { seconds: 30 });
  await signIn(page, 'vic-executions', 'pw-vic-executions-1');
  await page.goto(`/executions/${id}`);
  await expect(status(page)).toHaveText(/running|scheduled|requested/, WAIT);
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Re-run' })).toHaveCount(0);
  await call('POST', `/api/v1/executions/${id}/cancel`, await adminToken());
});

test('the list shows new executions live and takes its filters from the URL', async ({ page }) => {
  await signIn(page);
  await page.goto('/executions');
  await expect(page.getByRole('heading', { name: 'Executions', level: 1 })).toBeVisible();
  const echo = await execute('core.echo', { message: 'listed live' });
  // No reload: the stream's notice refreshes the list.
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: `Execution ${echo}`, exact: true }) });
  await expect(row).toBeVisible(WAIT);
  await expect(row).toContainText('core.echo');
  await expect(row.getByText('completed')).toBeVisible(WAIT);
  await bothThemes(page);
  await screenshot(page, 'executions');

  const wasm = await execute('examples-wasm.echo', { message: 'filtered' });
  await page.goto('/executions?action_ref=examples-wasm.echo&status=completed');
  await expect(page.getByLabel('Action')).toHaveValue('examples-wasm.echo');
  await expect(page.getByText('Status: completed')).toBeVisible();
  await expect(page.getByRole('link', { name: `Execution ${wasm}`, exact: true })).toBeVisible(WAIT);
  await expect(page.getByRole('link', { name: `Execution ${echo}`, exact: true })).toHaveCount(0);

  // Changing a filter changes the URL, so the view can be shared.
  await page.getByText('Status: completed').click();
  await page.getByRole('checkbox', { name: 'failed' }).check();
  await expect(page).toHaveURL(/status=failed%2Ccompleted|status=completed%2Cfailed/);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/executions$/);
  await expect(page.getByRole('link', { name: `Execution ${echo}`, exact: true })).toBeVisible();
  await page.getByRole('link', { name: `Execution ${echo}`, exact: true }).click();
  await expect(page.getByRole('heading', { name: `Execution ${echo}`, level: 1 })).toBeVisible();
});

test('the list and an execution fit a phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  await signIn(page);
  const id = await execute('core.echo', { message: 'on a phone' });
  await page.goto('/executions');
  await expect(page.getByRole('link', { name: `Execution ${id}`, exact: true })).toBeVisible(WAIT);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await page.goto(`/executions/${id}`);
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('on a phone', WAIT);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await expectAccessible(page);
});
