// Workflows in the browser: a run's graph follows its tasks live to the end and leads to
// their executions; a waiting run is paused and resumed; definitions are listed and drawn.
import type { Page } from '@playwright/test';
import { adminToken, call, expect, expectAccessible, screenshot, signIn, test } from './fixtures';

const WAIT = { timeout: 30_000 };

async function execute(action: string, parameters: Record<string, unknown>): Promise<number> {
  const answer = await call('POST', `/api/v1/actions/${action}/execute`, await adminToken(), { parameters });
  return answer.data.id;
}

const graph = (page: Page) => page.getByRole('group', { name: /^Graph of workflow examples-wasm\.\w+: \d+ tasks$/ });

test('a fan-out run draws its graph, every task ends succeeded, and a task leads to its execution', async ({ page }) => {
  await signIn(page);
  const id = await execute('examples-wasm.fan_out', { message: 'graph' });
  await page.goto(`/executions/${id}`);
  await expect(page.getByRole('heading', { name: `Execution ${id}`, level: 1 })).toBeVisible();
  await expect(graph(page)).toBeVisible(WAIT);
  for (const task of ['first', 'shout', 'repeat', 'both']) {
    await expect(graph(page).getByRole('link', { name: `${task}: succeeded` })).toBeVisible(WAIT);
  }
  await expect(page.getByRole('status', { name: 'Status' })).toHaveText('completed', WAIT);
  // The condition of the first transition labels its edges; the variables are published.
  await expect(graph(page).getByText('succeeded()').first()).toBeAttached();
  await expect(page.getByRole('list', { name: 'Workflow variables' })).toContainText('GRAPH / graph again');
  await expect(page.getByRole('heading', { name: 'Task executions' })).toBeVisible();
  // Finished: neither pause nor cancel.
  await expect(page.getByRole('button', { name: 'Pause' })).toHaveCount(0);
  // Accessible in both themes.
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Use the dark theme' }).click();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Use the light theme' }).click();
  await page.getByRole('heading', { name: 'Workflow examples-wasm.fan_out' }).evaluate((h) => {
    h.scrollIntoView();
    window.scrollBy(0, -80);
  });
  await screenshot(page, 'workflow-graph');

  // A task node is a link: by keyboard to the upcase step's execution.
  const shout = graph(page).getByRole('link', { name: 'shout: succeeded' });
  await shout.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /^Execution \d+$/, level: 1 })).not.toHaveText(`Execution ${id}`);
  await expect(page.getByRole('link', { name: 'examples-wasm.upcase' })).toBeVisible();
  await expect(page.getByRole('link', { name: `#${id}` })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Status' })).toHaveText('completed');

  // Back to the run, and by click to the last step.
  await page.goBack();
  await graph(page).getByRole('link', { name: 'both: succeeded' }).click();
  await expect(page.getByRole('log', { name: 'Output' })).toContainText('echoing the parameters', WAIT);
  await expect(page.getByRole('list', { name: 'Result' })).toContainText('GRAPH / graph again');
});

test('a waiting workflow is paused and resumed from its page', async ({ page }) => {
  await signIn(page);
  const id = await execute('examples-wasm.approve_release', { version: '9.9.9' });
  await page.goto(`/executions/${id}`);
  await expect(graph(page).getByRole('link', { name: 'prepare: succeeded' })).toBeVisible(WAIT);
  await expect(graph(page).getByRole('link', { name: /^approve: (running|waiting|ready)$/ })).toBeVisible(WAIT);
  await expect(graph(page).getByRole('img', { name: 'release: not started' })).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByText(/^Paused:/)).toBeVisible();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText(/^Paused:/)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status', { name: 'Status' })).toHaveText(/^(canceling|cancelled)$/, WAIT);
});

test('the graph runs top down on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  await signIn(page);
  const id = await execute('examples-wasm.fan_out', {});
  await page.goto(`/executions/${id}`);
  await expect(graph(page).getByRole('link', { name: 'both: succeeded' })).toBeVisible(WAIT);
  const first = await graph(page).getByRole('link', { name: 'first: succeeded' }).boundingBox();
  const both = await graph(page).getByRole('link', { name: 'both: succeeded' }).boundingBox();
  expect(both!.y).toBeGreaterThan(first!.y + first!.height);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await expectAccessible(page);
});

test('definitions are listed and drawn without states', async ({ page }) => {
  await signIn(page);
  await page.goto('/workflows');
  await expect(page.getByRole('heading', { name: 'Workflows', level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'examples-wasm.fan_out' }).click();
  await expect(page.getByRole('heading', { name: 'Fan out and join', level: 1 })).toBeVisible();
  await expect(graph(page)).toBeVisible();
  await expect(graph(page).getByRole('img', { name: 'first: examples-wasm.echo' })).toContainText('start');
  await expect(graph(page).getByRole('img', { name: 'both: examples-wasm.echo' })).toContainText('join all');
  await expect(graph(page).getByRole('link')).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Tasks' })).toContainText('shout, repeat');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Its runs' }).click();
  await expect(page).toHaveURL(/\/executions\?action_ref=examples-wasm\.fan_out/);
  await expect(page.getByLabel('Action')).toHaveValue('examples-wasm.fan_out');
});
