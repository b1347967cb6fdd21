// The first-render race: tool data may reach the widget before or after its
// script runs. The bridge buffers from the moment it loads, so the greeter
// renders in every order, under a hand-written `window.openai` (ChatGPT) host
// and under the official MCP Apps AppBridge.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';
import { connectMcp, bundleHost, mountWidget } from './fixtures/appbridge-host.mjs';

const skip = browserSkip('bridge-race.test.mjs');

const OUTPUT = { greeting: 'Hello, Ada!', timestamp: '2026-11-22T10:11:12.345Z' };
const AGAIN = { greeting: 'Hello, Ada!', timestamp: '2030-01-02T03:04:05.678Z' };

let server;
let browser;
let bundle;
let mcp;
let widgetHtml;
let pageHtml;

before(async () => {
  if (skip) return;
  server = await startSkyport(['dev', '--apps', 'greeter']);
  browser = await launchBrowser();
  bundle = await bundleHost();
  mcp = await connectMcp(server.url, 'greeter');
  widgetHtml = (await mcp.readWidget('greet_user')).html;
  pageHtml = await (await fetch(`${server.url}/greeter/widgets/greeting`)).text();
});

after(async () => {
  await browser?.close();
  await bundle?.cleanup();
  await server?.stop();
});

/** The document with its last script (the widget's) run `delayMs` later, as a slow CDN script would. */
function delayWidgetScript(html, delayMs) {
  const start = html.lastIndexOf('<script>');
  const end = html.indexOf('</script>', start);
  assert.ok(start > 0 && end > start, 'the widget script is the last inline script');
  const code = html.slice(start + '<script>'.length, end);
  return `${html.slice(0, start)}<script>setTimeout(function () {${code}\n}, ${delayMs});</script>${html.slice(end + '</script>'.length)}`;
}

/** The document with `script` run after the bridge and before the widget's script. */
function beforeWidgetScript(html, script) {
  const at = html.lastIndexOf('<script>');
  return `${html.slice(0, at)}<script>${script}</script>\n${html.slice(at)}`;
}

const state = (frame) => frame.evaluate(() => document.getElementById('greeter').dataset.state);
const ready = (frame) => frame.waitForFunction(() => document.getElementById('greeter').dataset.state === 'ready');
const greeting = (frame) => frame.locator('[data-testid="greeting"]').textContent();
const stamp = (frame) => frame.locator('[data-testid="timestamp"]').getAttribute('data-timestamp');

// ---- ChatGPT: a tiny hand-written window.openai host ------------------------------

/** Installs `window.openai` before any page script runs. */
function installOpenAi(globals) {
  const calls = [];
  window.openaiCalls = calls;
  window.openai = {
    theme: 'light', locale: 'en-US', displayMode: 'inline', maxHeight: 500,
    toolInput: null, toolOutput: null, toolResponseMetadata: null, widgetState: null,
    ...globals.initial,
    async callTool(name, args) {
      calls.push({ method: 'callTool', name, args });
      return { content: [{ type: 'text', text: 'again' }], structuredContent: globals.again };
    },
    async setWidgetState(s) { calls.push({ method: 'setWidgetState', state: s }); this.widgetState = s; },
    async sendFollowUpMessage(args) { calls.push({ method: 'sendFollowUpMessage', args }); },
    notifyIntrinsicHeight(height) { calls.push({ method: 'notifyIntrinsicHeight', height }); },
  };
  /** What ChatGPT does on a change: update window.openai (unless detailOnly) and fire set_globals. */
  window.setGlobals = (changed, detailOnly = false) => {
    if (!detailOnly) Object.assign(window.openai, changed);
    window.dispatchEvent(new CustomEvent('openai:set_globals', { detail: { globals: changed } }));
  };
}

async function openChatGpt(initial, html = null) {
  const context = await browser.newContext({ viewport: { width: 600, height: 400 } });
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  await context.addInitScript(installOpenAi, { initial, again: AGAIN });
  const page = await context.newPage();
  const watch = watchPage(page);
  const url = `${server.url}/greeter/widgets/greeting`;
  if (html) await page.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: html }));
  await page.goto(url);
  return { page, watch, frame: page.mainFrame(), close: () => context.close() };
}

test('ChatGPT: toolOutput null first, filled later by openai:set_globals', { skip }, async () => {
  const { page, watch, frame, close } = await openChatGpt({ toolInput: { name: 'Ada' }, theme: 'dark' });
  assert.equal(await page.evaluate(() => window.skyport.host), 'chatgpt');
  await page.waitForTimeout(300);
  assert.equal(await state(frame), 'loading', 'waits for the output');
  assert.equal(await page.evaluate(() => window.skyport.state.status), 'input');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');

  await page.evaluate((out) => window.setGlobals({ toolOutput: out }), OUTPUT);
  await ready(frame);
  assert.equal(await greeting(frame), 'Hello, Ada!');
  assert.equal(await stamp(frame), OUTPUT.timestamp);

  // A later theme change alone keeps the data and restyles.
  await page.evaluate(() => window.setGlobals({ theme: 'light' }));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  assert.equal(await state(frame), 'ready');

  // Greet again and follow-up go through window.openai.
  await page.locator('[data-testid="greet-again"]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="count"]').dataset.count === '2');
  assert.equal(await stamp(frame), AGAIN.timestamp);
  await page.locator('[data-testid="follow-up"]').click();
  await page.waitForFunction(() => window.openaiCalls.some((c) => c.method === 'sendFollowUpMessage'));
  const calls = await page.evaluate(() => window.openaiCalls);
  assert.deepEqual(calls.find((c) => c.method === 'callTool'), { method: 'callTool', name: 'greet_user', args: { name: 'Ada' } });
  assert.deepEqual(calls.find((c) => c.method === 'setWidgetState').state, { greetings: 2 });
  assert.match(calls.find((c) => c.method === 'sendFollowUpMessage').args.prompt, /Ada/);
  assert.ok(calls.some((c) => c.method === 'notifyIntrinsicHeight' && c.height > 50), 'reports its height');

  assert.deepEqual(watch.errors, []);
  await close();
});

test('ChatGPT: output already present before the widget script runs', { skip }, async () => {
  const { page, watch, frame, close } = await openChatGpt({
    toolInput: { name: 'Ada' }, toolOutput: OUTPUT, widgetState: { greetings: 4 }, locale: 'fr-FR',
  });
  await ready(frame);
  assert.equal(await greeting(frame), 'Hello, Ada!');
  assert.equal(await frame.locator('[data-testid="count"]').getAttribute('data-count'), '4', 'widget state restored');
  assert.equal(await page.evaluate(() => window.skyport.state.locale), 'fr-FR');
  assert.deepEqual(watch.errors, []);
  await close();
});

test('ChatGPT: set_globals fires between the bridge and the widget script (detail only)', { skip }, async () => {
  const html = beforeWidgetScript(pageHtml,
    `window.setGlobals({ toolInput: { name: 'Ada' }, toolOutput: ${JSON.stringify(OUTPUT)} }, true);`);
  const { page, watch, frame, close } = await openChatGpt({}, html);
  await ready(frame);
  assert.equal(await greeting(frame), 'Hello, Ada!');
  // A later event naming other globals keeps the output it did not name.
  await page.evaluate(() => window.setGlobals({ theme: 'dark' }, true));
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.equal(await state(frame), 'ready');
  assert.equal(await greeting(frame), 'Hello, Ada!');
  assert.deepEqual(watch.errors, []);
  await close();
});

// ---- MCP Apps: the official AppBridge ----------------------------------------------

async function openMcpApps(options, html = widgetHtml) {
  const page = await browser.newPage();
  const watch = watchPage(page);
  const result = await mcp.callTool('greet_user', { name: 'Ada' });
  const mounted = await mountWidget(page, bundle.file, {
    html,
    hostContext: { theme: 'light', locale: 'en-US' },
    toolInput: { name: 'Ada' },
    toolResult: result,
    ...options,
  }, (params) => mcp.callTool(params.name, params.arguments));
  return { page, watch, result, ...mounted };
}

test('MCP Apps: tool-result right after initialized', { skip }, async () => {
  const { page, watch, frame, result } = await openMcpApps({ resultDelayMs: 0 });
  await ready(frame);
  assert.equal(await greeting(frame), 'Hello, Ada!');
  assert.equal(await stamp(frame), result.structuredContent.timestamp);
  assert.deepEqual(watch.errors, []);
  await page.close();
});

test('MCP Apps: tool-result delivered before the (slow) widget script subscribes', { skip }, async () => {
  const { page, watch, frame, result } = await openMcpApps({ resultDelayMs: 0 }, delayWidgetScript(widgetHtml, 700));
  await frame.waitForFunction(() => window.skyport && window.skyport.state.status === 'result');
  assert.equal(await state(frame), 'loading', 'the widget script has not run yet');
  await ready(frame);
  assert.equal(await stamp(frame), result.structuredContent.timestamp);
  assert.deepEqual(watch.errors, []);
  await page.close();
});

test('MCP Apps: partial input, input, then the result much later', { skip }, async () => {
  const { page, watch, frame, result } = await openMcpApps({ toolInput: null, resultDelayMs: null });
  await frame.waitForFunction(() => window.skyport && window.skyport.ready);
  await frame.evaluate(() => window.skyport.ready);
  await page.evaluate(() => window.testHost.sendToolInputPartial({ name: 'A' }));
  await frame.waitForFunction(() => window.skyport.state.toolInput?.name === 'A');
  assert.equal(await frame.evaluate(() => window.skyport.state.status), 'input');
  await page.evaluate(() => window.testHost.sendToolInput({ name: 'Ada' }));
  await page.evaluate(() => window.testHost.sendToolInputPartial({ name: 'Mallory' })); // too late: ignored
  await page.waitForTimeout(300);
  assert.equal(await frame.evaluate(() => window.skyport.state.toolInput.name), 'Ada');
  assert.equal(await state(frame), 'loading');
  await page.evaluate((r) => window.testHost.sendToolResult(r), result);
  await ready(frame);
  assert.equal(await greeting(frame), 'Hello, Ada!');
  assert.deepEqual(watch.errors, []);
  await page.close();
});

test('MCP Apps: cancelled and failed tool calls', { skip }, async () => {
  const cancelled = await openMcpApps({ cancelReason: 'stopped by the user' });
  await cancelled.frame.waitForFunction(() => document.getElementById('greeter').dataset.state === 'cancelled');
  assert.match(await cancelled.frame.locator('[data-testid="status"]').textContent(), /stopped by the user/);
  assert.deepEqual(cancelled.watch.errors, []);
  await cancelled.page.close();

  const failed = await openMcpApps({
    toolResult: { content: [{ type: 'text', text: 'No <b>greeting</b> today' }], isError: true },
  });
  await failed.frame.waitForFunction(() => document.getElementById('greeter').dataset.state === 'error');
  assert.equal(await failed.frame.locator('[data-testid="error"]').textContent(), 'No <b>greeting</b> today');
  assert.equal(await failed.frame.locator('b').count(), 0);
  assert.deepEqual(failed.watch.errors, []);
  await failed.page.close();
});
