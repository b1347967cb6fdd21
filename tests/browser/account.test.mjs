// The account app's widgets in the dev host, in both host modes (MCP Apps
// postMessage host and ChatGPT window.openai shim): a real authenticate_user
// call renders the sign-in widget, whose form posts to the real server's
// POST /api/authenticate; the follow-up and widget state reach the host; a
// re-mounted widget shows the signed-in view; show_profile renders the user
// card, whose Refresh and Sign out buttons call tools through the host. The
// user's name is markup and must render as text.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XSS, browserSkip, startSkyport, launchBrowser, watchPage, untilState } from './lib/harness.mjs';

const skip = browserSkip('account.test.mjs');
const PASSWORD = 'correct horse battery';

let server;
let browser;
let dataDir;

before(async () => {
  if (skip) return;
  // A store of its own: accounts made by one run must not exist in the next.
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-account-'));
  server = await startSkyport(['dev', '--apps', 'account'], { env: { SKYPORT_DATA_DIR: dataDir } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A fresh page (own MCP session) on /dev in `mode`. */
async function openDevHost(mode) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const watch = watchPage(page);
  await page.goto(`${server.url}/dev`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click(`[data-testid="host-mode"] button[data-value="${mode}"]`);
  return { page, watch };
}

/** Calls `tool` from the dev host's form; resolves the widget frame once its root reaches `state`. */
async function callTool(page, tool, root, state) {
  await page.click(`[data-testid="tool"][data-tool="${tool}"]`);
  await page.click('[data-testid="call"]');
  await page.waitForSelector('[data-testid="result"]:not([hidden])');
  return widgetFrame(page, root, state);
}

/** The widget frame, once `#root` has `data-state=state`. */
async function widgetFrame(page, root, state) {
  const handle = await page.waitForSelector('iframe[data-testid="widget-frame"]');
  const frame = await handle.contentFrame();
  await untilState(frame, root, state, { timeout: 10000 });
  return frame;
}

/** Waits for a log entry matching `selector` (attributes) whose text includes `text`. */
async function logEntry(page, selector, text = '') {
  const entry = page.locator(`[data-testid="log-entry"]${selector}`).filter({ hasText: text }).first();
  await entry.waitFor({ state: 'attached', timeout: 5000 });
  return entry;
}

const text = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).textContent();
const images = (frame) => frame.evaluate(() => document.querySelectorAll('img').length);
/** Errors other than a 4xx the page logs for a refused sign-in on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of 40[01]/.test(e));

for (const mode of ['mcp-apps', 'chatgpt']) {
  test(`${mode}: sign up in the widget, follow-up, widget state, profile card, refresh and sign out`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    const email = `xss-${mode}@example.com`;
    try {
      const frame = await callTool(page, 'authenticate_user', 'acct', 'form');
      assert.equal(await frame.evaluate(() => window.skyport.host), mode);
      // The sign-in id arrived in _meta, not in the data the model reads.
      const sessionId = await frame.evaluate(() => window.skyport.state.meta['account/sessionId']);
      assert.match(sessionId, /^sess_[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(await frame.evaluate(() => window.skyport.state.toolOutput)).includes(sessionId));
      // The frame may reach the server (connect-src), nothing else.
      assert.ok((await page.locator('[data-testid="csp-policy"]').textContent()).includes(server.url));

      // Labelled fields; client-side checks before anything is sent.
      assert.equal(await frame.locator('label[for="email"]').textContent(), 'Email');
      assert.equal(await frame.locator('label[for="password"]').textContent(), 'Password');
      await frame.click('[data-testid="submit"]');
      assert.equal(await frame.getAttribute('[data-testid="email"]', 'aria-invalid'), 'true');
      assert.match(await text(frame, 'email-error'), /email/i);
      assert.equal(await frame.getAttribute('[data-testid="password"]', 'aria-invalid'), 'true');

      // Create an account whose name is markup.
      await frame.press('[data-testid="switch-mode"]', 'Enter'); // keyboard: immune to the frame resizing under the pointer
      assert.equal(await text(frame, 'heading'), 'Create an account');
      await frame.fill('[data-testid="name"]', XSS);
      await frame.fill('[data-testid="email"]', 'not-an-email');
      await frame.fill('[data-testid="password"]', 'short');
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      assert.match(await text(frame, 'email-error'), /name@example\.com/);
      assert.match(await text(frame, 'password-error'), /8 characters/);
      await frame.fill('[data-testid="email"]', email);
      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await untilState(frame, 'acct', 'signed-in');
      assert.equal(await text(frame, 'signed-in-text'), `Signed in as ${XSS}`);
      assert.equal(await text(frame, 'signed-in-email'), email);
      assert.equal(await images(frame), 0);
      assert.equal(await frame.inputValue('[data-testid="password"]'), '', 'the password is cleared');

      // The host got the follow-up and the widget state (no secrets in either).
      await logEntry(page, '[data-dir="from-widget"][data-kind="follow-up"]', 'Signed in as');
      const bubble = page.locator('[data-testid="follow-up-message"]').last();
      assert.ok((await bubble.textContent()).trim().endsWith(`Signed in as ${XSS}`), await bubble.textContent());
      assert.equal(await bubble.locator('img').count(), 0);
      await logEntry(page, '[data-dir="from-widget"][data-kind="state"]', 'signedIn');
      assert.deepEqual(await frame.evaluate(() => window.skyport.state.widgetState), { signedIn: true, userName: XSS });
      const logged = await page.locator('[data-testid="log-entry"]').allTextContents();
      assert.ok(!logged.join('\n').includes(PASSWORD), 'the password never reaches the host');

      // Re-mounted (the other host, then back): the signed-in view comes back,
      // from the server's session status (MCP Apps) or the widget state (ChatGPT).
      const other = mode === 'chatgpt' ? 'mcp-apps' : 'chatgpt';
      await page.click(`[data-testid="host-mode"] button[data-value="${other}"]`);
      let again = await widgetFrame(page, 'acct', 'signed-in');
      assert.equal(await text(again, 'signed-in-text'), `Signed in as ${XSS}`);
      await page.click(`[data-testid="host-mode"] button[data-value="${mode}"]`);
      again = await widgetFrame(page, 'acct', 'signed-in');
      assert.equal(await text(again, 'signed-in-text'), `Signed in as ${XSS}`);

      // The profile card, in the same MCP session.
      const profile = await callTool(page, 'show_profile', 'prof', 'ready');
      assert.equal(await text(profile, 'name'), XSS);
      assert.equal(await text(profile, 'email'), email);
      assert.equal(await text(profile, 'avatar'), '<O');
      assert.equal(await profile.getAttribute('[data-testid="sign-in-count"]', 'data-count'), '1');
      assert.match(await profile.getAttribute('[data-testid="member-since"]', 'datetime'), /^\d{4}-\d\d-\d\dT/);
      assert.match(await profile.getAttribute('[data-testid="last-sign-in"]', 'datetime'), /^\d{4}-\d\d-\d\dT/);
      assert.equal(await images(profile), 0);

      // Refresh: get_user_profile through the host.
      await profile.click('[data-testid="refresh"]');
      await logEntry(page, '[data-dir="from-widget"][data-kind="tool-call"]', 'get_user_profile');
      await profile.waitForFunction(() => !document.querySelector('[data-testid="refresh"]').disabled);
      assert.equal(await profile.getAttribute('[data-testid="error"]', 'hidden'), '');
      assert.equal(await text(profile, 'name'), XSS);

      // Sign out: logout_user through the host; the card goes away.
      await profile.click('[data-testid="sign-out"]');
      await untilState(profile, 'prof', 'signed-out');
      await logEntry(page, '[data-dir="from-widget"][data-kind="tool-call"]', 'logout_user');
      assert.equal(await profile.locator('[data-testid="name"]').isVisible(), false);
      // Refresh now says to sign in again.
      await profile.click('[data-testid="refresh"]');
      await profile.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
      assert.match(await text(profile, 'error'), /authenticate_user/);

      assert.deepEqual(unexpected(watch.errors), []);
      assert.deepEqual(watch.dialogs, []);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: a wrong password shows an error; the right one signs in`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    const email = `grace-${mode}@example.com`;
    try {
      // An account made in an earlier sign-in.
      let frame = await callTool(page, 'authenticate_user', 'acct', 'form');
      await frame.press('[data-testid="switch-mode"]', 'Enter'); // keyboard: immune to the frame resizing under the pointer
      await frame.fill('[data-testid="name"]', 'Grace Hopper');
      await frame.fill('[data-testid="email"]', email);
      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await untilState(frame, 'acct', 'signed-in');

      // Sign out through the profile widget, then sign in again.
      const profile = await callTool(page, 'show_profile', 'prof', 'ready');
      await profile.click('[data-testid="sign-out"]');
      await untilState(profile, 'prof', 'signed-out');

      frame = await callTool(page, 'authenticate_user', 'acct', 'form');
      assert.equal(await text(frame, 'heading'), 'Sign in');
      await frame.fill('[data-testid="email"]', email);
      await frame.fill('[data-testid="password"]', 'not the password');
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await frame.waitForFunction(() => !document.getElementById('error').hidden);
      assert.equal(await text(frame, 'error'), 'The email or password is not correct.');
      assert.equal(await frame.evaluate(() => document.getElementById('acct').dataset.state), 'form');

      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await untilState(frame, 'acct', 'signed-in');
      assert.equal(await text(frame, 'signed-in-text'), 'Signed in as Grace Hopper');
      await logEntry(page, '[data-dir="from-widget"][data-kind="follow-up"]', 'Signed in as Grace Hopper');

      const card = await callTool(page, 'show_profile', 'prof', 'ready');
      assert.equal(await text(card, 'avatar'), 'GH');
      assert.equal(await card.getAttribute('[data-testid="sign-in-count"]', 'data-count'), '2');
      assert.deepEqual(unexpected(watch.errors), []);
    } finally {
      await page.close();
    }
  });
}
