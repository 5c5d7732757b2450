// Starts one `attune server` for the browser tests: the binary Cargo built (with the UI
// compiled in), a fresh data directory, the repository's packs, a known admin password and
// any free port. Its URL and password reach the tests through the environment; it is
// stopped when the run ends.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ADMIN_PASSWORD = 'browser-tests-password';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(repo, 'target');
  const binary = process.env.ATTUNE_BIN ?? join(targetDir, 'debug', 'attune');
  const data = mkdtempSync(join(tmpdir(), 'attune-browser-'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('ATTUNE') || name === 'ATTUNE_WEB_DIR') env[name] = value;
  }
  Object.assign(env, {
    ATTUNE_DATA_DIR: data,
    ATTUNE__PACKS_DIR: join(repo, 'packs'),
    ATTUNE__SERVER__LISTEN: '127.0.0.1:0',
    ATTUNE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // Every test signs in through the form, all from one address: more than the default 30
    // logins a minute. The throttle itself is tested by the API's own tests.
    ATTUNE__AUTH__LOGIN_ATTEMPTS_PER_MINUTE: '600',
    RUST_LOG: 'warn',
  });
  const server = spawn(binary, ['server'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`${binary} server did not start within 120 s`)), 120_000);
    server.on('error', (error) => failed(new Error(`cannot start ${binary}: ${error.message}`)));
    server.on('exit', (code) => failed(new Error(`${binary} server exited (${code}) before it was ready`)));
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const prefix = 'Attune is listening on ';
      if (line.startsWith(prefix)) {
        clearTimeout(timer);
        ready(line.slice(prefix.length).trim());
      }
    });
  });
  process.env.ATTUNE_WEB_URL = url;
  process.env.ATTUNE_WEB_PASSWORD = ADMIN_PASSWORD;
  return async () => {
    server.kill('SIGTERM');
    await new Promise((done) => server.once('exit', done));
    rmSync(data, { recursive: true, force: true });
  };
}
