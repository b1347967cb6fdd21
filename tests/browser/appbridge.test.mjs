// The greeter widget under the official MCP Apps host implementation:
// AppBridge + PostMessageTransport from @modelcontextprotocol/ext-apps,
// bundled with esbuild at test time. The widget document comes from the real
// server via MCP resources/read; the tool result from a real tools/call; the
// widget's own tools/call requests go through AppBridge to the real server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { XSS, browserSkip, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';
import { connectMcp, bundleHost, mountWidget, waitForLog, LIGHT_VARS, DARK_VARS } from './fixtures/appbridge-host.mjs';

const skip = browserSkip('appbridge.test.mjs');

let server;
let browser;
let bundle;
let mcp;
let widget;

before(async () => {
  if (skip) return;
  server = await startSkyport(['dev', '--apps', 'greeter']);
  browser = await launchBrowser();
  bundle = await bundleHost();
  mcp = await connectMcp(server.url, 'greeter');
  widget = await mcp.readWidget('greet_user');
});

after(async () => {
  await browser?.close();
  await bundle?.cleanup();
  await server?.stop();
});

const text = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).textContent();
const rootAttr = (frame, name) => frame.evaluate((n) => document.documentElement.getAttribute(n), name);
const background = (frame, selector) =>
  frame.evaluate((s) => getComputedStyle(document.querySelector(s)).backgroundColor, selector);

/** Mounts the greeter for `name`, with a real tools/call result, proxying widget calls to the server. */
async function mountGreeter(page, name, hostContext, proxied) {
  const result = await mcp.callTool('greet_user', { name });
  const mounted = await mountWidget(page, bundle.file, {
    html: widget.html,
    hostContext,
    toolInput: { name },
    toolResult: result,
  }, async (params) => {
    const reply = await mcp.callTool(params.name, params.arguments);
    proxied.push(reply);
    return reply;
  });
  await mounted.frame.waitForFunction(() => document.getElementById('greeter')?.dataset.state === 'ready');
  return { ...mounted, result };
}

test('the widget resource is an MCP App document with the bridge inlined', { skip }, () => {
  assert.equal(widget.mimeType, 'text/html;profile=mcp-app');
  assert.match(widget.uri, /^ui:\/\/greeter\/greeting\.[0-9a-f]+\.html$/);
  assert.match(widget.html, /^<!doctype html>/i);
  assert.ok(widget.html.includes('window.skyport'), 'the bridge is inline');
  assert.ok(widget.html.includes('data-testid="greeting"'), 'the greeting fragment is inline');
});

test('greeter under AppBridge: text-only rendering, theming, greet again, size reports', { skip }, async () => {
  const page = await browser.newPage();
  const watch = watchPage(page);
  const proxied = [];
  const { frame, log, result } = await mountGreeter(page, XSS, {
    theme: 'light',
    locale: 'de-DE',
    displayMode: 'inline',
    availableDisplayModes: ['inline', 'fullscreen'],
    containerDimensions: { maxHeight: 900 },
    styles: { variables: LIGHT_VARS },
  }, proxied);

  // The handshake, as the View declared it.
  const init = await waitForLog(page, 'initialized');
  assert.equal(init.params.name, 'greeter/greeting');
  const caps = await page.evaluate(() => window.testHost.appCapabilities());
  assert.deepEqual(caps.availableDisplayModes, ['inline', 'fullscreen', 'pip']);

  // The name is text, never markup.
  assert.equal(await text(frame, 'greeting'), `Hello, ${XSS}!`);
  assert.equal(await text(frame, 'name'), XSS);
  assert.equal(await frame.locator('img').count(), 0, 'no element came out of the name');
  assert.equal(await frame.evaluate(() => window.skyport.state.status), 'result');

  // The timestamp: raw ISO value in data-timestamp, locale text in the element.
  const ts = frame.locator('[data-testid="timestamp"]');
  assert.equal(await ts.getAttribute('data-timestamp'), result.structuredContent.timestamp);
  const shown = await ts.textContent();
  assert.notEqual(shown, result.structuredContent.timestamp);
  assert.ok(shown.includes(result.structuredContent.timestamp.slice(0, 4)), `formatted with the year: ${shown}`);
  assert.equal(await frame.evaluate(() => window.skyport.state.locale), 'de-DE');

  // Host context: theme, display mode and the host's CSS variables apply.
  assert.equal(await rootAttr(frame, 'data-host'), 'mcp-apps');
  assert.equal(await rootAttr(frame, 'data-theme'), 'light');
  assert.equal(await rootAttr(frame, 'data-display-mode'), 'inline');
  assert.equal(await frame.evaluate(() => window.skyport.state.maxHeight), 900);
  assert.equal(await background(frame, 'html'), 'rgb(250, 250, 250)');
  assert.equal(await background(frame, '.greeter__card'), 'rgb(240, 240, 240)');
  assert.match(await frame.evaluate(() => getComputedStyle(document.body).fontFamily), /Georgia/);

  // host-context-changed to dark restyles it.
  await page.evaluate((vars) => window.testHost.changeContext({ theme: 'dark', styles: { variables: vars } }), DARK_VARS);
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.equal(await background(frame, 'html'), 'rgb(10, 10, 10)');
  assert.equal(await background(frame, '.greeter__card'), 'rgb(30, 30, 30)');
  assert.equal(await frame.evaluate(() => document.documentElement.style.colorScheme), 'dark');
  // Without host variables Skyport's own dark palette applies (stale host variables are removed).
  await page.evaluate(() => window.testHost.changeContext({ styles: { variables: {} } }));
  await frame.waitForFunction(() => getComputedStyle(document.documentElement).backgroundColor === 'rgb(24, 24, 27)');
  assert.equal(await rootAttr(frame, 'data-theme'), 'dark', 'a partial context change keeps the theme');

  // Size reports reach the host, which sizes the iframe to them.
  const size = await waitForLog(page, 'sizechange', (p) => p.height > 100 && p.width > 0);
  const iframeHeight = await page.evaluate(() => parseInt(document.getElementById('widget').style.height, 10));
  assert.ok(iframeHeight > 100, `the host applied a reported height (${iframeHeight}, report ${JSON.stringify(size.params)})`);

  // Greet again: through AppBridge's tools/call to the real server and back.
  assert.equal(await frame.locator('[data-testid="count"]').getAttribute('data-count'), '1');
  await frame.locator('[data-testid="greet-again"]').click();
  await frame.waitForFunction(() => document.querySelector('[data-testid="count"]').dataset.count === '2');
  const call = await waitForLog(page, 'tools/call');
  assert.deepEqual(call.params, { name: 'greet_user', arguments: { name: XSS } });
  assert.equal(proxied.length, 1, 'the server answered the widget call');
  assert.equal(await ts.getAttribute('data-timestamp'), proxied[0].structuredContent.timestamp, 'rendered the new result');
  assert.equal(await text(frame, 'greeting'), `Hello, ${XSS}!`);
  const ctx = await waitForLog(page, 'update-model-context');
  assert.deepEqual(ctx.params.structuredContent, { greetings: 2 });
  assert.deepEqual(await frame.evaluate(() => window.skyport.getWidgetState()), { greetings: 2 });

  // Say hi in chat: a ui/message with the name as plain text.
  await frame.locator('[data-testid="follow-up"]').click();
  const message = await waitForLog(page, 'message');
  assert.equal(message.params.role, 'user');
  assert.equal(message.params.content[0].type, 'text');
  assert.ok(message.params.content[0].text.includes(XSS));

  // Display mode requests go to the host and come back as context.
  assert.deepEqual(await frame.evaluate(() => window.skyport.requestDisplayMode('fullscreen')), { mode: 'fullscreen' });
  await frame.waitForFunction(() => document.documentElement.dataset.displayMode === 'fullscreen');
  assert.deepEqual(await frame.evaluate(() => window.skyport.requestDisplayMode('pip')), { mode: 'fullscreen' },
    'a mode the host does not offer is not requested');

  // Links and logs.
  await frame.evaluate(() => window.skyport.openLink('https://example.com/a?b=1'));
  assert.equal((await waitForLog(page, 'open-link')).params.url, 'https://example.com/a?b=1');
  const refused = await frame.evaluate(() => window.skyport.openLink('javascript:alert(1)').then(() => 'opened', (e) => e.name));
  assert.equal(refused, 'TypeError');
  await frame.evaluate(() => window.skyport.log('warning', { hello: 'host' }));
  const logged = await waitForLog(page, 'log');
  assert.deepEqual(logged.params, { level: 'warning', logger: 'greeter/greeting', data: { hello: 'host' } });

  // Teardown is a request the View answers.
  assert.deepEqual(await page.evaluate(() => window.testHost.teardown()), {});

  assert.deepEqual(watch.dialogs, [], 'no script ran from the name');
  assert.deepEqual(watch.errors, []);
  assert.ok((await log()).every((e) => e.event !== 'tools/call' || e.params.name === 'greet_user'));
  await page.close();
});

test('the bridge ignores malformed messages and messages not from its host', { skip }, async () => {
  const page = await browser.newPage();
  const watch = watchPage(page);
  const proxied = [];
  const { frame, result } = await mountGreeter(page, 'Ada', { theme: 'light', locale: 'en-US' }, proxied);
  const before = await frame.locator('[data-testid="timestamp"]').getAttribute('data-timestamp');
  assert.equal(before, result.structuredContent.timestamp);

  const junk = [
    'not json-rpc', 42, null, [1, 2], { jsonrpc: '1.0', method: 'ui/notifications/tool-result', params: {} },
    { jsonrpc: '2.0', id: 9999, result: { content: [] } },
    { jsonrpc: '2.0', id: null, error: { code: -1, message: 'x' } },
    { jsonrpc: '2.0', method: 'ui/notifications/tool-result', params: 'Hacked' },
    { jsonrpc: '2.0', method: 'ui/notifications/tool-input', params: { arguments: [1] } },
    { jsonrpc: '2.0', method: 'ui/notifications/host-context-changed', params: { theme: 7, locale: {}, styles: { variables: { color: 'red', '--x': 5 } } } },
    { jsonrpc: '2.0', method: 42 },
  ];
  for (const message of junk) await page.evaluate((m) => window.testHost.postRaw(m), message);
  // A message from the widget's own window (not its host) must not count.
  await frame.evaluate(() => window.postMessage({
    jsonrpc: '2.0', method: 'ui/notifications/tool-result',
    params: { content: [], structuredContent: { greeting: 'Hacked', timestamp: '2000-01-01T00:00:00Z' } },
  }, '*'));
  await page.evaluate(() => window.testHost.sendToolInput({ name: 'Mallory' })); // after the result: ignored
  await page.waitForTimeout(200);

  assert.equal(await text(frame, 'greeting'), 'Hello, Ada!');
  assert.equal(await text(frame, 'name'), 'Ada');
  assert.equal(await frame.locator('[data-testid="timestamp"]').getAttribute('data-timestamp'), before);
  assert.equal(await rootAttr(frame, 'data-theme'), 'light');
  assert.equal(await frame.evaluate(() => window.skyport.state.status), 'result');

  await frame.locator('[data-testid="greet-again"]').click();
  await frame.waitForFunction(() => document.querySelector('[data-testid="count"]').dataset.count === '2');
  assert.equal(proxied.length, 1);
  assert.deepEqual(watch.errors, []);
  await page.close();
});
