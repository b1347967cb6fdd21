// The greeter widget as a plain page (standalone mode): the bridge calls the
// tool over the server's REST route and renders the result like a host would.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { XSS, browserSkip, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const skip = browserSkip('standalone.test.mjs');

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

/** Opens `path` in a fresh context; returns the page, its watcher and the REST calls it made. */
async function open(path, { viewport = { width: 800, height: 600 }, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  // The browser asks for /favicon.ico on its own; its 404 is not the widget's error.
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  const page = await context.newPage();
  const watch = watchPage(page);
  const calls = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/tools/call')) calls.push({ url: r.url(), body: r.postDataJSON() });
  });
  await page.goto(`${server.url}${path}`);
  return { page, watch, calls, close: () => context.close() };
}

const settled = (page) => page.waitForFunction(() => ['ready', 'error'].includes(document.getElementById('greeter').dataset.state));
const text = (page, testId) => page.locator(`[data-testid="${testId}"]`).textContent();
const rootAttr = (page, name) => page.evaluate((n) => document.documentElement.getAttribute(n), name);
const background = (page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('renders a real REST tool call; greet again calls the server again and counts', { skip }, async () => {
  const { page, watch, calls, close } = await open('/greeter/widgets/greeting?name=Ada');
  await settled(page);
  assert.equal(await page.evaluate(() => window.skyport.host), 'standalone');
  assert.equal(await rootAttr(page, 'data-host'), 'standalone');
  assert.equal(await text(page, 'greeting'), 'Hello, Ada!');
  assert.equal(await text(page, 'name'), 'Ada');
  assert.equal(calls.length, 1);
  assert.ok(calls[0].url.endsWith('/greeter/mcp/tools/call'), calls[0].url);
  assert.deepEqual(calls[0].body, { name: 'greet_user', arguments: { name: 'Ada' } });

  const ts = page.locator('[data-testid="timestamp"]');
  const iso = await ts.getAttribute('data-timestamp');
  assert.ok(!Number.isNaN(Date.parse(iso)), `data-timestamp is a date: ${iso}`);
  assert.match(iso, /Z$/, 'UTC');
  const state = await page.evaluate(() => window.skyport.state);
  assert.equal(state.status, 'result');
  assert.deepEqual(state.toolInput, { name: 'Ada' });
  assert.equal(state.toolOutput.timestamp, iso);
  assert.equal(state.toolResult.structuredContent.greeting, 'Hello, Ada!');

  const firstCall = page.waitForResponse((r) => r.url().endsWith('/tools/call'));
  await page.locator('[data-testid="greet-again"]').click();
  const response = await (await firstCall).json();
  await page.waitForFunction(() => document.querySelector('[data-testid="count"]').dataset.count === '2');
  assert.equal(calls.length, 2, 'greet again called the server');
  assert.equal(await ts.getAttribute('data-timestamp'), response.structuredContent.timestamp, 'rendered the new result');
  assert.deepEqual(await page.evaluate(() => JSON.parse(Object.entries(localStorage)
    .find(([k]) => k.startsWith('skyport:widget-state:'))[1])), { greetings: 2 });

  // Widget state survives a reload, as a host restores it.
  await page.reload();
  await settled(page);
  assert.equal(await page.locator('[data-testid="count"]').getAttribute('data-count'), '2');

  // No chat here: the follow-up is shown.
  await page.locator('[data-testid="follow-up"]').click();
  const toast = page.locator('[data-testid="skyport-toast"]');
  await toast.waitFor();
  assert.ok((await toast.textContent()).includes('Ada'));

  assert.deepEqual(watch.errors, []);
  await close();
});

test('the default app path and ?api= / ?args= overrides', { skip }, async () => {
  const a = await open('/widgets/greeting?name=Grace');
  await settled(a.page);
  assert.equal(await text(a.page, 'greeting'), 'Hello, Grace!');
  assert.ok(a.calls[0].url.endsWith('/mcp/tools/call') && !a.calls[0].url.includes('/greeter/'), a.calls[0].url);
  await a.close();

  const args = encodeURIComponent(JSON.stringify({ name: 'Linus' }));
  const b = await open(`/greeter/widgets/greeting?api=${encodeURIComponent(`${server.url}/greeter/`)}&tool=greet_user&args=${args}&theme=light`);
  await settled(b.page);
  assert.equal(await text(b.page, 'greeting'), 'Hello, Linus!');
  assert.equal(b.calls[0].url, `${server.url}/greeter/mcp/tools/call`);
  assert.deepEqual(b.calls[0].body.arguments, { name: 'Linus' }, 'reserved params are not arguments');
  assert.deepEqual(b.watch.errors, []);
  await b.close();
});

test('themes: ?theme=dark, prefers-color-scheme, and light look different', { skip }, async () => {
  const light = await open('/greeter/widgets/greeting?name=Ada');
  await settled(light.page);
  assert.equal(await rootAttr(light.page, 'data-theme'), 'light');
  const lightBg = await background(light.page);

  const dark = await open('/greeter/widgets/greeting?name=Ada&theme=dark');
  await settled(dark.page);
  assert.equal(await rootAttr(dark.page, 'data-theme'), 'dark');
  assert.equal(await dark.page.evaluate(() => document.documentElement.style.colorScheme), 'dark');
  const darkBg = await background(dark.page);
  assert.notEqual(darkBg, lightBg);
  assert.deepEqual(dark.calls[0].body.arguments, { name: 'Ada' }, 'theme is not a tool argument');

  const system = await open('/greeter/widgets/greeting?name=Ada', { colorScheme: 'dark' });
  await settled(system.page);
  assert.equal(await rootAttr(system.page, 'data-theme'), 'dark');
  assert.equal(await background(system.page), darkBg);
  // The page follows the system setting while it is open.
  await system.page.emulateMedia({ colorScheme: 'light' });
  await system.page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  assert.equal(await background(system.page), lightBg);

  for (const p of [light, dark, system]) await p.close();
});

test('an XSS name renders as text, and 320 px wide has no horizontal overflow', { skip }, async () => {
  for (const name of [XSS, 'W'.repeat(100)]) {
    const { page, watch, close } = await open(`/greeter/widgets/greeting?name=${encodeURIComponent(name)}`, {
      viewport: { width: 320, height: 640 },
    });
    await settled(page);
    assert.equal(await text(page, 'greeting'), `Hello, ${name}!`);
    assert.equal(await text(page, 'name'), name);
    assert.equal(await page.locator('img').count(), 0);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 320, `scrollWidth ${width} > 320 for ${name}`);
    const buttons = await page.evaluate(() => [...document.querySelectorAll('button')].map((b) => b.getBoundingClientRect().right));
    assert.ok(buttons.every((r) => r <= 320), `buttons fit: ${buttons}`);
    await page.waitForTimeout(100);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.errors, []);
    await close();
  }
});

test('errors show the error state', { skip }, async () => {
  const unknown = await open('/greeter/widgets/greeting?tool=no_such_tool&name=x');
  await settled(unknown.page);
  assert.equal(await unknown.page.evaluate(() => document.getElementById('greeter').dataset.state), 'error');
  assert.equal(await unknown.page.evaluate(() => window.skyport.state.status), 'error');
  assert.ok((await text(unknown.page, 'error')).length > 0);
  assert.ok(await unknown.page.locator('[data-testid="error"]').isVisible());
  // With a name known, the button retries (here: greet_user, which works).
  await unknown.page.locator('[data-testid="greet-again"]').click();
  await unknown.page.waitForFunction(() => document.getElementById('greeter').dataset.state === 'ready');
  assert.equal(await text(unknown.page, 'greeting'), 'Hello, x!');
  assert.ok(await unknown.page.locator('[data-testid="error"]').isHidden());
  await unknown.close();

  const blank = await open(`/greeter/widgets/greeting?args=${encodeURIComponent('{"name":"   "}')}`);
  await settled(blank.page);
  assert.equal(await blank.page.evaluate(() => window.skyport.state.status), 'error');
  assert.ok(await blank.page.locator('[data-testid="error"]').isVisible());
  assert.ok(await blank.page.locator('[data-testid="greet-again"]').isDisabled(), 'no name to greet');
  await blank.close();

  const badArgs = await open('/greeter/widgets/greeting?args=not-json');
  await settled(badArgs.page);
  assert.equal(await badArgs.page.evaluate(() => window.skyport.state.status), 'error');
  assert.equal(badArgs.calls.length, 0);
  await badArgs.close();
});
