// What every browser test shares: the server's URL as `baseURL`, a failure on any console
// error or uncaught exception, signing in, calls to the API for setting up (as admin, or as
// a user made for the test), an accessibility check, and screenshots for the docs.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export { expect };

const password = () => process.env.ATTUNE_WEB_PASSWORD ?? '';

/** A JSON call to the API; throws unless it succeeds. */
export async function call(method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const response = await fetch(`${process.env.ATTUNE_WEB_URL}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** An access token for `login`. */
export async function tokenFor(login: string, secret: string): Promise<string> {
  const answer = await call('POST', '/api/v1/auth/login', null, { login, password: secret });
  return answer.data.access_token;
}

let admin: Promise<string> | null = null;

/** The admin's access token (one per test worker: it lasts an hour). */
export function adminToken(): Promise<string> {
  admin ??= tokenFor('admin', password());
  return admin;
}

/** A new identity `login` holding `sets`, with `secret` as its password. */
export async function makeUser(login: string, secret: string, sets: string[]): Promise<void> {
  const admin = await adminToken();
  await call('POST', '/api/v1/identities', admin, { login, password: secret });
  for (const set of sets) {
    await call('PUT', `/api/v1/identities/${login}/permission-sets/${set}`, admin);
  }
}

/** Signs in through the login form. */
export async function signIn(page: Page, login = 'admin', secret = password()): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Fails on any serious or critical accessibility violation of the page as it is. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

/** Saves a screenshot for docs/web-ui.md when ATTUNE_SCREENSHOTS_DIR is set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.ATTUNE_SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

export const test = base.extend<{ consoleErrors: string[] }>({
  baseURL: async ({}, use) => use(process.env.ATTUNE_WEB_URL),
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        // A refusal the test asks for (a wrong password, a 403) is logged by the browser
        // itself; the app's own errors and any 5xx still fail the test.
        const refusal = /^Failed to load resource: the server responded with a status of 4\d\d/;
        if (message.type() === 'error' && !refusal.test(message.text())) errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});
