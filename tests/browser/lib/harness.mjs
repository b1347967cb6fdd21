// Shared fixtures for the browser tests: start the real `skyport` binary on a
// free port and launch Debian's chromium through playwright-core.
//
// Environment:
//   TEST_SKYPORT_BIN  the binary to run (default: target/debug/skyport of this repo)
//   (not SKYPORT_*: every SKYPORT_* variable must name a server setting)
//   CHROMIUM     the browser (default /usr/bin/chromium; never downloaded)

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The skyport binary under test. */
export const skyportBin = process.env.TEST_SKYPORT_BIN || path.join(repoRoot, 'target/debug/skyport');

/** The browser: Debian's chromium, as DEVELOPERS.md requires. */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/** True when the browser exists; tests print SKIPPED otherwise. */
export const haveChromium = existsSync(chromiumPath);

/** A name that is markup: widgets must render it as text. */
export const XSS = '<img src=x onerror=alert(1)>';

/**
 * The `skip` option for a test file's tests: false when chromium is here,
 * else the reason, announced once as a visible SKIPPED line.
 */
export function browserSkip(file) {
  const skip = haveChromium ? false : `no browser at ${chromiumPath}`;
  if (skip) console.log(`SKIPPED ${file}: ${skip}`);
  return skip;
}

/**
 * Starts `skyport <command> --listen 127.0.0.1:0 ...args` and resolves once
 * it logs its ready line. Returns `{ url, proc, logs, stop }`; `url` has no
 * trailing slash. `logs()` returns everything the server wrote so far.
 */
export async function startSkyport(args = ['dev'], { env = {} } = {}) {
  if (!existsSync(skyportBin)) {
    throw new Error(`${skyportBin} does not exist: run \`cargo build -p skyport-cli\` first`);
  }
  const [command, ...rest] = args;
  const proc = spawn(skyportBin, [command, '--listen', '127.0.0.1:0', ...rest], {
    env: { ...serverEnv(), SKYPORT_LOG_FORMAT: 'human', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`skyport did not become ready:\n${output}`)), 15000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/skyport ready at (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`skyport exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    url,
    proc,
    logs: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** This process's environment without SKYPORT_* settings: each test says what it sets. */
function serverEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKYPORT_')));
}

/** Launches headless chromium with the flags DEVELOPERS.md prescribes. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Collects page errors and console errors so a test can assert none
 * happened (an XSS payload that runs, a CSP violation, a script crash).
 */
export function watchPage(page) {
  const errors = [];
  const dialogs = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  return { errors, dialogs };
}

/**
 * Waits until the widget root `#rootId` in `frame` has `data-state=state`.
 * On a timeout the error says where the widget was instead (its state and any
 * visible error text), so a failure in CI can be read without a rerun.
 */
export async function untilState(frame, rootId, state, { timeout = 30000 } = {}) {
  try {
    await frame.waitForFunction(([r, s]) => document.getElementById(r)?.dataset.state === s, [rootId, state], { timeout });
  } catch (e) {
    const seen = await frame
      .evaluate((r) => {
        const root = document.getElementById(r);
        const errors = [...document.querySelectorAll('[id$="error"], [data-testid$="error"]')]
          .filter((el) => !el.hidden && el.textContent.trim())
          .map((el) => `${el.id || el.dataset.testid}: ${el.textContent.trim()}`);
        return { state: root?.dataset.state, busy: root?.dataset.busy, errors };
      }, rootId)
      .catch((err) => ({ unreadable: err.message }));
    throw new Error(`#${rootId} never reached state "${state}": ${JSON.stringify(seen)} (${e.message})`);
  }
}
