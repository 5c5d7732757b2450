// Rules, webhooks and events in a real browser: a webhook registered in the UI, a rule on it
// made with the form (a JSON mistake caught in place, the server's refusal shown by its
// field), a post to the webhook seen live on the rule's page through to completion, the rule
// disabled from the list, and the event's payload shown as text.
import { adminToken, call, expect, expectAccessible, screenshot, signIn, test } from './fixtures';

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
const hook = `ui-hook-${suffix}`;
const ruleRef = `examples-wasm.on_${suffix.replace(/-/g, '_')}`;

test.describe.configure({ mode: 'serial' });

test('a webhook registered in the UI shows its URL and its secret once', async ({ page }) => {
  await signIn(page);
  await page.goto('/webhooks');
  await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'Register a webhook' }).click();
  await page.getByLabel('Name', { exact: true }).fill(hook);
  await page.getByLabel('Description').fill('posted by the browser tests');
  await page.getByRole('button', { name: 'Generate a secret' }).click();
  const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  await page.getByRole('button', { name: 'Register webhook' }).click();
  const created = page.getByRole('region', { name: `Webhook ${hook} registered` });
  await expect(created).toBeVisible();
  await expect(created.getByLabel("The webhook's secret")).toHaveText(secret);
  const url = await page.evaluate((name) => `${window.location.origin}/api/v1/webhooks/${name}`, hook);
  await expect(created.getByText(url, { exact: true })).toBeVisible();
  await expect(page.getByRole('row', { name: new RegExp(hook) })).toContainText('signed');
  await expectAccessible(page);
  await created.getByRole('button', { name: 'Done' }).click();
  // Gone once dismissed: the secret is never shown again.
  await page.reload();
  await expect(page.getByRole('row', { name: new RegExp(hook) })).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
});

test('a rule made in the form runs on a post to its webhook, live on its page', async ({ page }) => {
  await signIn(page);
  await page.goto('/webhooks');
  await page.getByRole('link', { name: `New rule (${hook})` }).click();
  await expect(page.getByRole('heading', { name: 'New rule', level: 1 })).toBeVisible();
  // Prefilled from the webhook: its trigger and the name it reacts to.
  await expect(page.getByLabel('Trigger', { exact: true })).toHaveValue('core.webhook');
  await expect(page.getByLabel('Trigger parameters (JSON)')).toHaveValue(JSON.stringify({ name: hook }));
  await expect(page.getByRole('heading', { name: 'Parameters of core.webhook' })).toBeVisible();

  await page.getByLabel('Ref', { exact: true }).fill(ruleRef);
  await page.getByLabel('Action', { exact: true }).selectOption('examples-wasm.echo');
  await expect(page.getByRole('heading', { name: 'Parameters of examples-wasm.echo' })).toBeVisible();
  await page.getByLabel('Action parameters (JSON)').fill('{"message": "{{ event.payload.body.text }}"}');

  // A JSON mistake is caught before anything is sent.
  const criteria = page.getByLabel('Criteria (JSON)');
  await criteria.fill('{"trigger.body.level": {"type": "equals", "pattern": "error"}');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(criteria).toHaveAttribute('aria-invalid', 'true');
  await expect(criteria).toBeFocused();
  await expect(page.getByText(/^Not valid JSON/)).toBeVisible();
  await expect(page).toHaveURL(/\/rules\/new/);

  // The server's refusal is shown by the field it names.
  await criteria.fill('{"trigger.body.level": {"type": "equals", "pattern": "error"}}');
  const triggerParameters = page.getByLabel('Trigger parameters (JSON)');
  await triggerParameters.fill(JSON.stringify({ name: hook, colour: 'blue' }));
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(triggerParameters).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#trigger-parameters-error')).toContainText('colour');
  await expect(criteria).not.toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await screenshot(page, 'rule-form');

  await triggerParameters.fill(JSON.stringify({ name: hook }));
  await page.getByRole('button', { name: 'Create rule' }).click();
  await expect(page).toHaveURL(new RegExp(`/rules/${ruleRef.replace('.', '\\.')}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(ruleRef);
  const executions = page.getByRole('region', { name: 'Recent executions' });
  await expect(executions).toContainText('No executions yet');
  await expect(page.getByRole('region', { name: 'Criteria' })).toContainText('trigger.body.level');
  await expect(page.getByRole('region', { name: 'Action parameters' })).toContainText('{{ event.payload.body.text }}');

  // A post that does not match the criteria starts nothing; one that matches runs the action.
  const token = await adminToken();
  await call('POST', `/api/v1/webhooks/${hook}`, token, { level: 'info', text: 'ignored' });
  await call('POST', `/api/v1/webhooks/${hook}`, token, { level: 'error', text: '<b>disk full</b>' });
  const row = executions.getByRole('row').filter({ hasText: 'examples-wasm.echo' });
  await expect(row).toHaveCount(1, { timeout: 20_000 });
  await expect(row.getByText('completed')).toBeVisible({ timeout: 20_000 });
  const enforcements = page.getByRole('region', { name: 'Enforcements' });
  await expect(enforcements.getByText('processed')).toBeVisible();
  await expect(enforcements.getByRole('link', { name: /^#\d+$/ }).last()).toBeVisible();
  await expectAccessible(page);

  // The execution it started is one click away.
  await row.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/executions\/\d+$/);
});

test('the rules list disables a rule in place', async ({ page }) => {
  await signIn(page);
  await page.goto('/rules?pack=examples-wasm');
  await expect(page.getByLabel('Pack')).toHaveValue('examples-wasm');
  const row = page.getByRole('row').filter({ hasText: ruleRef });
  await expect(row.getByText('enabled', { exact: true })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'rules');
  await row.getByRole('button', { name: `Disable rule ${ruleRef}` }).click();
  await expect(row.getByText('disabled', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: `Enable rule ${ruleRef}` })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: `Rule ${ruleRef} disabled.` })).toBeVisible();
  // The filter is in the URL; it lists the disabled rule.
  await page.getByLabel('State').selectOption('false');
  await expect(page).toHaveURL(/enabled=false/);
  await expect(page.getByRole('row').filter({ hasText: ruleRef })).toBeVisible();
  const rule = await call('GET', `/api/v1/rules/${ruleRef}`, await adminToken());
  expect(rule.data.enabled).toBe(false);
  // In the dark theme too, nothing is hard to read.
  await page.getByRole('button', { name: 'Use the dark theme' }).click();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Use the light theme' }).click();
});

test('events show their payload as text, with the rule that matched', async ({ page }) => {
  await signIn(page);
  await page.goto('/events?trigger=core.webhook');
  await expect(page.getByLabel('Trigger')).toHaveValue('core.webhook');
  const row = page.getByRole('row').filter({ hasText: '<b>disk full</b>' });
  await expect(row).toHaveCount(1);
  await expectAccessible(page);
  await row.getByRole('link').click();
  await expect(page).toHaveURL(/selected=\d+/);
  const detail = page.getByRole('region', { name: /^Event #\d+$/ });
  await expect(detail.getByLabel(/^Payload of event/)).toContainText('"<b>disk full</b>"');
  // Rendered as text: no bold element came from the payload.
  await expect(page.locator('.content b')).toHaveCount(0);
  await expect(detail.getByRole('link', { name: ruleRef })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, 'events');

  await page.goto(`/enforcements?rule=${ruleRef}`);
  await expect(page.getByRole('row').filter({ hasText: 'processed' })).toHaveCount(1);
  await expect(page.getByRole('row').filter({ hasText: 'processed' }).getByRole('link', { name: /^#\d+$/ }).last()).toBeVisible();
  await expectAccessible(page);

  await page.goto('/triggers?ref=core.webhook');
  await expect(page.getByRole('heading', { name: 'core.webhook', level: 2 })).toBeVisible();
  await expectAccessible(page);
  await page.goto('/sensors');
  await expect(page.getByRole('row').filter({ hasText: 'examples-wasm.ticker' })).toContainText('running');
  await expectAccessible(page);
});

test('the rule page edits and deletes the rule', async ({ page }) => {
  await signIn(page);
  // A shared link to the rule's page loads it directly.
  await page.goto(`/rules/${ruleRef}`);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { name: `Edit rule ${ruleRef}` })).toBeVisible();
  await expect(page.getByLabel('Criteria (JSON)')).toHaveValue(/trigger\.body\.level/);
  await page.getByLabel('Description').fill('Echoes error posts');
  await page.getByRole('button', { name: 'Save rule' }).click();
  await expect(page).toHaveURL(new RegExp(`/rules/${ruleRef.replace('.', '\\.')}$`));
  await expect(page.getByText('Echoes error posts')).toBeVisible();
  await page.getByRole('button', { name: `Delete rule ${ruleRef}` }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(page).toHaveURL(/\/rules$/);
  await expect(page.getByRole('row').filter({ hasText: ruleRef })).toHaveCount(0);

  // Deleting the webhook asks first.
  await page.goto('/webhooks');
  await page.getByRole('button', { name: `Delete webhook ${hook}` }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: `Delete webhook ${hook}` })).toBeFocused();
  await page.getByRole('button', { name: `Delete webhook ${hook}` }).click();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await expect(page.getByRole('row').filter({ hasText: hook })).toHaveCount(0);
});

test('the automation pages fit a phone', async ({ page }) => {
  await page.setViewportSize({ width: 380, height: 800 });
  await signIn(page);
  for (const [url, title] of [
    ['/rules', 'Rules'],
    ['/rules/new', 'New rule'],
    ['/triggers', 'Triggers'],
    ['/sensors', 'Sensors'],
    ['/events', 'Events'],
    ['/enforcements', 'Enforcements'],
    ['/webhooks', 'Webhooks'],
    ['/keys', 'Keys'],
  ] as const) {
    await page.goto(url);
    await expect(page.getByRole('heading', { name: title, level: 1 })).toBeVisible();
    await expect(page.getByText('Loading…')).toHaveCount(0);
    // Wide tables scroll inside their frame; the page itself never scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${url} is wider than the screen`).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  }
});
