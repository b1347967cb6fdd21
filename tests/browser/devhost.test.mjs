// The dev host at /dev, driven like an app author would: pick greeter's
// greet_user, call it with a hostile name, and check the widget it renders in
// both host modes (MCP Apps postMessage host, ChatGPT window.openai shim):
// text-only rendering, live theming, a tool call from the widget, a follow-up,
// CSP violation reports, message validation and the late-result toggle.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { XSS, browserSkip, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const skip = browserSkip('devhost.test.mjs');

let server;
let browser;

before(async () => {
  if (skip) return;
  server = await startSkyport(['dev', '--apps', 'greeter']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A fresh page (own storage) on /dev with greet_user selected, in `mode`. */
async function openDevHost(mode) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const watch = watchPage(page);
  await page.goto(`${server.url}/dev`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click('[data-testid="tool"][data-tool="greet_user"]');
  if (mode) await page.click(`[data-testid="host-mode"] button[data-value="${mode}"]`);
  return { page, watch };
}

/** Calls greet_user from the form; resolves the widget frame once it shows the greeting. */
async function callGreeter(page, name) {
  await page.fill('[data-testid="call-form"] input[name="name"]', name);
  await page.click('[data-testid="call"]');
  await page.waitForSelector('[data-testid="result"]:not([hidden])');
  const handle = await page.waitForSelector('iframe[data-testid="widget-frame"]');
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => document.getElementById('greeter')?.dataset.state === 'ready');
  return frame;
}

/** Waits for a log entry matching `selector` (attributes) whose text includes `text`. */
async function logEntry(page, selector, text = '') {
  const entry = page.locator(`[data-testid="log-entry"]${selector}`).filter({ hasText: text }).first();
  await entry.waitFor({ state: 'attached', timeout: 5000 });
  return entry;
}

const colors = (frame) => frame.evaluate(() => ({
  background: getComputedStyle(document.documentElement).backgroundColor,
  color: getComputedStyle(document.body).color,
}));

/** Errors other than the CSP violation a test provokes on purpose. */
const unexpected = (errors) => errors.filter((e) => !/Content Security Policy|csp-probe\.example\.com/i.test(e));

test('the dev page lists greet_user and builds its form from the inputSchema', { skip }, async () => {
  const { page, watch } = await openDevHost();
  try {
    const tool = page.locator('[data-testid="tool"][data-tool="greet_user"]');
    assert.match(await tool.textContent(), /Greet a user/);
    assert.match(await tool.textContent(), /widget: greeting/);
    assert.equal(await tool.getAttribute('aria-current'), 'true');
    assert.match(await page.locator('[data-testid="tool-description"]').textContent(), /greet/i);

    const input = page.locator('[data-testid="call-form"] input[name="name"]');
    assert.equal(await input.count(), 1);
    assert.equal(await input.getAttribute('required'), '');
    assert.equal(await input.getAttribute('aria-required'), 'true');
    const field = page.locator('[data-testid="field"][data-name="name"]');
    assert.equal(await field.locator('[data-testid="required-mark"]').count(), 1);

    // Required fields are checked before anything is sent.
    await page.click('[data-testid="call"]');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('[data-testid="log-entry"][data-dir="to-server"]').count(), 0);

    // The raw JSON toggle carries the form's values both ways.
    await input.fill('Grace');
    await page.click('[data-testid="raw-toggle"]');
    assert.deepEqual(JSON.parse(await page.inputValue('[data-testid="raw-args"]')), { name: 'Grace' });
    await page.fill('[data-testid="raw-args"]', '{"name": "Ada"}');
    await page.click('[data-testid="raw-toggle"]');
    assert.equal(await input.inputValue(), 'Ada');
    assert.deepEqual(watch.errors, []);
  } finally {
    await page.close();
  }
});

for (const mode of ['mcp-apps', 'chatgpt']) {
  test(`${mode}: escaping, theming, greet again, follow-up and CSP reports`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      const frame = await callGreeter(page, XSS);
      const frameEl = page.locator('iframe[data-testid="widget-frame"]');

      // Sandboxed, opaque origin, under the declared CSP, in the right host.
      assert.equal(await frameEl.getAttribute('sandbox'), 'allow-scripts allow-forms');
      assert.equal(await frame.evaluate(() => window.origin), 'null');
      assert.equal(await frame.evaluate(() => document.head.firstElementChild.getAttribute('http-equiv')), 'Content-Security-Policy');
      const policy = await page.locator('[data-testid="csp-policy"]').textContent();
      assert.match(policy, /default-src 'none'/);
      assert.match(policy, /connect-src 'none'/);
      assert.equal(await frame.evaluate(() => window.skyport.host), mode);
      if (mode === 'chatgpt') {
        assert.equal(await frame.evaluate(() => window.openai.toolOutput.greeting), `Hello, ${XSS}!`);
        assert.deepEqual(await frame.evaluate(() => window.openai.toolInput), { name: XSS });
      } else {
        await logEntry(page, '[data-dir="to-widget"][data-method="ui/notifications/tool-result"]');
      }

      // The hostile name is text.
      assert.equal(await frame.locator('[data-testid="greeting"]').textContent(), `Hello, ${XSS}!`);
      assert.equal(await frame.locator('[data-testid="greeting"] img').count(), 0);
      assert.equal(await frame.evaluate(() => document.querySelectorAll('img').length), 0);

      // Dark theme, live: host-context-changed (MCP Apps) or set_globals (ChatGPT).
      const light = await colors(frame);
      await page.click('[data-testid="theme"] button[data-value="dark"]');
      await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      await frame.waitForFunction((before) => {
        const now = [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color];
        return now[0] !== before.background || now[1] !== before.color;
      }, light);
      const dark = await colors(frame);
      assert.notDeepEqual(dark, light);
      await logEntry(page, `[data-dir="to-widget"][data-method="${mode === 'chatgpt' ? 'openai/setGlobals' : 'ui/notifications/host-context-changed'}"]`, 'theme');
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');

      // Greet again: a tool call from the widget, through the host, to the server.
      const count = await frame.locator('[data-testid="count"]').getAttribute('data-count');
      await frame.click('[data-testid="greet-again"]');
      await frame.waitForFunction((before) => document.querySelector('[data-testid="count"]').dataset.count !== before, count);
      assert.equal(await frame.locator('[data-testid="count"]').getAttribute('data-count'), String(Number(count) + 1));
      await logEntry(page, '[data-dir="from-widget"][data-kind="tool-call"]', 'greet_user');
      await logEntry(page, `[data-dir="to-widget"][data-method="${mode === 'chatgpt' ? 'openai/callTool' : 'tools/call'}"]`, 'result');
      assert.equal(await frame.locator('[data-testid="greeting"]').textContent(), `Hello, ${XSS}!`);
      await logEntry(page, '[data-dir="from-widget"][data-kind="state"]', 'greetings');

      // The follow-up reaches the host.
      await frame.click('[data-testid="follow-up"]');
      await logEntry(page, '[data-dir="from-widget"][data-kind="follow-up"]', 'Say hi to');
      assert.match(await page.locator('[data-testid="follow-up-message"]').last().textContent(), /Say hi to <img src=x onerror=alert\(1\)>!/);

      assert.deepEqual(unexpected(watch.errors), []);
      assert.deepEqual(watch.dialogs, []);

      // A CSP violation inside the frame is reported to the log.
      await frame.evaluate(() => {
        const img = document.createElement('img');
        img.src = 'https://csp-probe.example.com/pixel.png';
        document.body.append(img);
      });
      await logEntry(page, '[data-dir="from-widget"][data-kind="csp"]', 'csp-probe.example.com');
      assert.deepEqual(unexpected(watch.errors), []);
      assert.deepEqual(watch.dialogs, []);
    } finally {
      await page.close();
    }
  });
}

test('mcp-apps: only well-formed JSON-RPC from the frame; unknown methods get -32601', { skip }, async () => {
  const { page, watch } = await openDevHost('mcp-apps');
  try {
    const frame = await callGreeter(page, 'Ada');
    const replies = await frame.evaluate(() => new Promise((resolve) => {
      const got = {};
      window.addEventListener('message', (e) => {
        if (e.source !== window.parent || !e.data) return;
        if (e.data.id === 'probe-unknown' || e.data.id === 'probe-bad' || e.data.id === 'probe-ping') got[e.data.id] = e.data;
        if (Object.keys(got).length === 3) resolve(got);
      });
      window.parent.postMessage({ jsonrpc: '2.0', id: 'probe-unknown', method: 'ui/no-such-method', params: {} }, '*');
      window.parent.postMessage({ jsonrpc: '1.0', id: 'probe-ignored', method: 'ping' }, '*');
      window.parent.postMessage({ jsonrpc: '2.0', id: 'probe-bad', method: 'tools/call', params: 'nope' }, '*');
      window.parent.postMessage({ jsonrpc: '2.0', id: 'probe-ping', method: 'ping' }, '*');
    }));
    assert.equal(replies['probe-unknown'].error.code, -32601);
    assert.equal(replies['probe-bad'].error.code, -32600);
    assert.deepEqual(replies['probe-ping'].result, {});
    await logEntry(page, '[data-kind="error"]', 'jsonrpc must be "2.0"');
    assert.deepEqual(watch.errors, []);
  } finally {
    await page.close();
  }
});

test('chatgpt: window.openai refuses tools the widget may not call', { skip }, async () => {
  const { page, watch } = await openDevHost('chatgpt');
  try {
    const frame = await callGreeter(page, 'Ada');
    const message = await frame.evaluate(() => window.openai.callTool('no_such_tool', {}).then(() => 'resolved', (e) => e.message));
    assert.match(message, /Unknown tool: no_such_tool/);
    const mode = await frame.evaluate(() => window.openai.requestDisplayMode({ mode: 'fullscreen' }));
    assert.deepEqual(mode, { mode: 'fullscreen' });
    assert.equal(await page.locator('[data-testid="widget-shell"]').getAttribute('data-display-mode'), 'fullscreen');
    assert.equal(await frame.evaluate(() => window.openai.displayMode), 'fullscreen');
    await page.click('[data-testid="exit-display-mode"]');
    await frame.waitForFunction(() => window.openai.displayMode === 'inline');
    assert.deepEqual(watch.errors, []);
  } finally {
    await page.close();
  }
});

for (const mode of ['mcp-apps', 'chatgpt']) {
  test(`${mode}: "deliver result late" holds the result back about a second`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      await page.check('[data-testid="late"]');
      await page.fill('[data-testid="call-form"] input[name="name"]', 'Ada');
      await page.click('[data-testid="call"]');
      const handle = await page.waitForSelector('iframe[data-testid="widget-frame"]');
      const frame = await handle.contentFrame();
      await frame.waitForFunction(() => window.skyport && document.getElementById('greeter'));
      await logEntry(page, '[data-method="deliver late"]');
      assert.equal(await frame.evaluate(() => document.getElementById('greeter').dataset.state), 'loading');
      const started = Date.now();
      await frame.waitForFunction(() => document.getElementById('greeter').dataset.state === 'ready');
      assert.ok(Date.now() - started > 300, 'the result arrived late');
      assert.equal(await frame.locator('[data-testid="greeting"]').textContent(), 'Hello, Ada!');
      assert.deepEqual(watch.errors, []);
    } finally {
      await page.close();
    }
  });
}
