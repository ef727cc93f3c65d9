// Shared by the browser tests: start and stop the real sabor, drive Debian's chromium
// through playwright-core (never a downloaded browser), report `browser: N passed, M failed`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const sourceDir = resolve(process.env.SABOR_SOURCE_DIR || join(here, '..', '..'));
export const saborBin = resolve(process.env.SABOR_BIN || '/work/main/build-test/sabor');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const screenshotDir = join(sourceDir, 'build-test', 'screenshots');

export const TOTAL_TIMEOUT_MS = 55_000;   // the whole run must stay under a minute
export const STEP_TIMEOUT_MS = 15_000;

export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

export function log(message) {
  process.stdout.write(`  ${message}\n`);
}

// Runs a sabor command to completion (migrate, user add) and returns its stdout.
export function runSabor(args, input) {
  const result = spawnSync(saborBin, args, {
    cwd: sourceDir,
    input: input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  if (result.error) throw new Error(`sabor ${args[0]}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`sabor ${args.join(' ')} exited with ${result.status}\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

// Starts `sabor serve` on a free port and resolves with {child, baseUrl, exited}.
export function startServer(dataDir) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(saborBin, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'], {
      cwd: sourceDir,
      env: { ...process.env, SABOR_LIMITS_LOGINS_PER_MINUTE: '0', SABOR_TEST_STRICT_TEMPLATES: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { stdout: '', stderr: '' };
    const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })));
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`sabor serve did not report its address within 10 s\n${output.stdout}${output.stderr}`));
    }, 10_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output.stdout += chunk;
      const m = output.stdout.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (m && !settled) {
        settled = true;
        clearTimeout(timer);
        resolvePromise({ child, baseUrl: m[1], exited, output });
      }
    });
    child.stderr.on('data', (chunk) => { output.stderr += chunk; });
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`cannot start ${saborBin}: ${err.message}`));
    });
    exited.then(({ code, signal }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`sabor serve exited early (code ${code}, signal ${signal})\n${output.stdout}${output.stderr}`));
    });
  });
}

export async function stopServer(server) {
  if (!server) return;
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    const { code, signal } = await server.exited;
    throw new Error(`sabor serve had already stopped (code ${code}, signal ${signal})\n${server.output.stderr}`);
  }
  server.child.kill('SIGTERM');
  const timeout = new Promise((res) => setTimeout(() => res(null), 10_000));
  const result = await Promise.race([server.exited, timeout]);
  if (result === null) {
    server.child.kill('SIGKILL');
    throw new Error('sabor serve did not stop within 10 s of SIGTERM');
  }
  if (result.code !== 0) {
    throw new Error(`sabor serve exited with code ${result.code} (signal ${result.signal}) after SIGTERM\n${server.output.stderr}`);
  }
}

export async function runJourney({ setup, journey, timeoutMs = 55_000 }) {
  if (!existsSync(saborBin) || !existsSync(chromiumPath)) {
    process.stdout.write(`FAIL: ${!existsSync(saborBin) ? `no sabor binary at ${saborBin} (set SABOR_BIN)` : `no browser at ${chromiumPath} (set CHROMIUM)`}\n`);
    process.stdout.write('browser: 0 passed, 1 failed\n');
    process.exit(1);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'sabor-browser-'));
  let server = null;
  let browser = null;
  let failure = null;
  const deadline = setTimeout(() => {
    process.stdout.write(`FAIL: the browser test took longer than ${timeoutMs / 1000} s\n`);
    if (server) server.child.kill('SIGKILL');
    process.stdout.write('browser: 0 passed, 1 failed\n');
    process.exit(1);
  }, timeoutMs);
  try {
    runSabor(['migrate', '--data-dir', dataDir]);
    setup(dataDir);
    server = await startServer(dataDir);
    log(`sabor serving at ${server.baseUrl}`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      timeout: 20_000,
    });
    await journey(browser, server.baseUrl);
  } catch (err) {
    failure = err;
  } finally {
    if (browser) {
      try { await browser.close(); } catch (err) { failure ??= new Error(`closing the browser: ${err.message}`); }
    }
    try {
      await stopServer(server);
    } catch (err) {
      failure ??= err;
    }
    clearTimeout(deadline);
    if (failure && server && server.output.stderr.trim()) {
      process.stdout.write(`sabor's stderr:\n${server.output.stderr.slice(-4000)}\n`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failure) {
    const kind = failure instanceof CheckFailed ? 'check failed' : 'error';
    process.stdout.write(`FAIL (${kind}): ${failure.stack && !(failure instanceof CheckFailed) ? failure.stack : failure.message}\n`);
    process.stdout.write('browser: 0 passed, 1 failed\n');
    process.exit(1);
  }
  process.stdout.write('browser: 1 passed, 0 failed\n');
}


export function runMain(options) {
  runJourney(options).catch((err) => {
    process.stdout.write(`FAIL: ${err.stack || err}\nbrowser: 0 passed, 1 failed\n`);
    process.exit(1);
  });
}

// An organiser account {email, name, password} in the data folder; returns its API token.
export function addOrganiser(dataDir, organiser) {
  runSabor(['user', 'add', '--email', organiser.email, '--name', organiser.name, '--data-dir', dataDir], `${organiser.password}\n`);
  return runSabor(['token', 'create', '--email', organiser.email, '--data-dir', dataDir]).trim();
}
