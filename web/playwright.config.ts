// Browser tests: Debian's Chromium (no downloaded browsers), driven by Playwright against a
// real `attune server` that tests/browser/global-setup.ts starts with its own data
// directory. One worker: the tests share that server, and the reference machine has two
// cores.
import { defineConfig } from '@playwright/test';

const chromium = process.env.ATTUNE_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/browser',
  globalSetup: './tests/browser/global-setup.ts',
  workers: 1,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
