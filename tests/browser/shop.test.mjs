// The shop's five widgets in the dev host, in both host modes (MCP Apps
// postMessage host and ChatGPT window.openai shim), rendered by real tool
// calls on the four shop apps, with every interaction going to the real
// server:
//
// - shop-sign-in: an account made through the widget (its name is markup),
//   then a second session signed in through the widget (409, 401, success);
// - product-carousel: "Add to cart" on a card really adds (checked with
//   view_cart over MCP), an isError result shows inline, no session asks in
//   the chat, a query that is markup stays text;
// - cart-confirmation: the added product, the cart's totals, the free
//   shipping hint and both follow-ups;
// - checkout: validation, a stale cart's error and a retry, "Place order"
//   really orders (get_order over MCP), a re-mount orders nothing more, and
//   the next checkout starts from the address used;
// - membership-signup: "Join" really joins (check_membership), then the
//   member's view.
//
// Plus the standalone pages at 320 px (no horizontal scroll). Node speaks MCP
// (Streamable HTTP) to set up sessions and to check what the widgets did.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XSS, browserSkip, startSkyport, launchBrowser, watchPage, untilState } from './lib/harness.mjs';

const skip = browserSkip('shop.test.mjs');
const PASSWORD = 'correct horse battery';
const APPS = 'shop-auth,shop-search,shop-checkout,shop-membership';

let server;
let browser;
let dataDir;
const clients = new Map();
let accounts = 0;

before(async () => {
  if (skip) return;
  // A store of its own: accounts, carts and orders of one run stay in it.
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-shop-'));
  server = await startSkyport(['dev', '--apps', APPS], { env: { SKYPORT_DATA_DIR: dataDir } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---- MCP from Node ----------------------------------------------------------------

/** One MCP session (Streamable HTTP) per app, like a host's connection. */
class Mcp {
  constructor(app) {
    this.url = `${server.url}/${app}/mcp`;
    this.session = null;
    this.nextId = 1;
    this.ready = null;
  }

  async post(body) {
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (this.session) headers['mcp-session-id'] = this.session;
    if (this.version) headers['mcp-protocol-version'] = this.version;
    const res = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body) });
    if (!('id' in body)) return { res, reply: null };
    assert.ok(res.ok, `${body.method}: HTTP ${res.status} ${await res.clone().text()}`);
    const text = await res.text();
    const messages = (res.headers.get('content-type') || '').includes('text/event-stream')
      ? text.split(/\r?\n\r?\n/).map((block) => block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n')).filter(Boolean).map((d) => JSON.parse(d))
      : [].concat(JSON.parse(text));
    const reply = messages.find((m) => m && m.id === body.id && !('method' in m));
    assert.ok(reply, `${body.method}: no answer in ${text.slice(0, 300)}`);
    assert.ok(!reply.error, `${body.method}: ${JSON.stringify(reply.error)}`);
    return { res, reply };
  }

  connect() {
    this.ready ??= (async () => {
      const { res, reply } = await this.post({
        jsonrpc: '2.0', id: this.nextId++, method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'shop.test.mjs', version: '1.0.0' } },
      });
      this.session = res.headers.get('mcp-session-id');
      this.version = reply.result.protocolVersion;
      await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    })();
    return this.ready;
  }

  /** The CallToolResult of `name(args)`. */
  async call(name, args = {}) {
    await this.connect();
    const { reply } = await this.post({ jsonrpc: '2.0', id: this.nextId++, method: 'tools/call', params: { name, arguments: args } });
    return reply.result;
  }
}

const mcp = (app) => {
  if (!clients.has(app)) clients.set(app, new Mcp(app));
  return clients.get(app);
};
const textOf = (result) => (result.content || []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');

/** structuredContent of a successful call. */
async function tool(app, name, args) {
  const result = await mcp(app).call(name, args);
  assert.ok(!result.isError, `${name} failed: ${textOf(result)}`);
  return result.structuredContent;
}

const newSession = () => tool('shop-auth', 'create_shopping_session', {});

/** POST /shop-auth/api/session/authenticate, as the sign-in widget does. */
async function authenticate(sessionId, body) {
  const res = await fetch(`${server.url}/shop-auth/api/session/authenticate`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId, ...body }),
  });
  const answer = await res.json();
  assert.equal(res.status, 200, JSON.stringify(answer));
  return answer.user;
}

/** A new shopping session signed in as a new account. */
async function signedInSession(name = 'Ada Lovelace') {
  const session = await newSession();
  const email = `shopper-${process.pid}-${accounts += 1}@example.com`;
  await authenticate(session.sessionId, { email, password: PASSWORD, mode: 'sign_up', name });
  return { ...session, email };
}

/** In-stock products from a search (cheapest first). */
async function products(query, filters = {}) {
  const out = await tool('shop-search', 'search_products', { query, page_size: 24, sort: 'price_low_to_high', ...filters });
  return out.products.filter((p) => p.inStock);
}

// ---- the dev host -------------------------------------------------------------------

/** A fresh page (own storage, own MCP sessions) on /dev in `mode`. */
async function openDevHost(mode) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const watch = watchPage(page);
  await page.goto(`${server.url}/dev`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click(`[data-testid="host-mode"] button[data-value="${mode}"]`);
  await page.click('[data-testid="theme"] button[data-value="light"]');
  return { page, watch };
}

/** Marks the current widget frame so the next wait finds only a new one. */
const retire = (page) => page.evaluate(() => {
  for (const f of document.querySelectorAll('iframe[data-testid="widget-frame"]')) f.dataset.retired = 'true';
});

/** The (new) widget frame, once `#root` has `data-state` in `states`. */
async function widgetFrame(page, root, states) {
  const handle = await page.waitForSelector('iframe[data-testid="widget-frame"]:not([data-retired])');
  const frame = await handle.contentFrame();
  await frame.waitForFunction(([r, s]) => s.includes(document.getElementById(r)?.dataset.state), [root, [].concat(states)], { timeout: 10000 });
  return frame;
}

/** Calls `app`'s `tool` with `args` (raw JSON) from the dev host; resolves the widget frame. */
async function callTool(page, app, name, args, root, states) {
  await retire(page);
  const appButton = page.locator(`[data-testid="app"][data-app="${app}"]`);
  if ((await appButton.getAttribute('aria-current')) !== 'true') await appButton.click();
  await page.click(`[data-testid="tool"][data-tool="${name}"]`);
  await page.waitForSelector(`[data-testid="tool"][data-tool="${name}"][aria-current="true"]`);
  await page.check('[data-testid="raw-toggle"]');
  await page.fill('[data-testid="raw-args"]', JSON.stringify(args));
  await page.click('[data-testid="call"]');
  return widgetFrame(page, root, states);
}

/** Renders the last result again in a fresh frame (a re-mount). */
async function remount(page, root, states) {
  await retire(page);
  await page.click('[data-testid="rerender"]');
  return widgetFrame(page, root, states);
}

/** Waits for a log entry matching `selector` (attributes) whose text includes `text`. */
async function logEntry(page, selector, text = '') {
  const entry = page.locator(`[data-testid="log-entry"]${selector}`).filter({ hasText: text }).first();
  await entry.waitFor({ state: 'attached', timeout: 5000 });
  return entry;
}

/** The widget's tool calls of `name` so far. */
const toolCalls = (page, name) => page.locator('[data-testid="log-entry"][data-dir="from-widget"][data-kind="tool-call"]').filter({ hasText: name }).count();

/** The newest follow-up bubble's text, once one ends with `text`. */
async function followUp(page, text) {
  await page.waitForFunction((t) => [...document.querySelectorAll('[data-testid="follow-up-message"]')].some((b) => b.textContent.trim().endsWith(t)), text, { timeout: 5000 });
  const bubble = page.locator('[data-testid="follow-up-message"]').last();
  assert.equal(await bubble.locator('img').count(), 0);
  return bubble;
}

const text = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).first().textContent();
const state = (frame, root) => frame.evaluate((r) => document.getElementById(r).dataset.state, root);
const widgetState = (frame) => frame.evaluate(() => window.skyport.state.widgetState);
const toolOutput = (frame) => frame.evaluate(() => window.skyport.state.toolOutput);
const usd = (cents) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
/** Errors other than the 4xx answers the sign-in tests provoke on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of 40[019]/.test(e));

function checkClean(watch) {
  assert.deepEqual(unexpected(watch.errors), []);
  assert.deepEqual(watch.dialogs, []);
}

// ---- the tests ----------------------------------------------------------------------

for (const mode of ['mcp-apps', 'chatgpt']) {
  test(`${mode}: shop-sign-in creates an account (name is markup), then signs in on a new session`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    const email = `xss-${mode}@example.com`;
    try {
      const first = await newSession();
      let frame = await callTool(page, 'shop-auth', 'sign_in_to_shop', { session_id: first.sessionId }, 'shop-signin', 'email');
      assert.equal(await frame.evaluate(() => window.skyport.host), mode);
      assert.match(await frame.evaluate(() => window.skyport.state.meta['skyport/api']), /\/shop-auth$/);

      // Step 1: the email, checked before step 2.
      await frame.click('[data-testid="continue"]');
      assert.equal(await frame.getAttribute('[data-testid="email"]', 'aria-invalid'), 'true');
      await frame.fill('[data-testid="email"]', 'not-an-email');
      await frame.press('[data-testid="continue"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      assert.match(await text(frame, 'email-error'), /name@example\.com/);
      await frame.fill('[data-testid="email"]', email);
      await frame.press('[data-testid="email"]', 'Enter');
      await untilState(frame, 'shop-signin', 'password');
      assert.equal(await text(frame, 'who-email'), email);

      // Step 2: "Create an account" adds the name; sent as mode sign_up.
      await frame.press('[data-testid="switch-mode"]', 'Enter'); // keyboard: immune to the frame resizing under the pointer
      assert.equal(await frame.isVisible('[data-testid="name"]'), true);
      assert.equal(await text(frame, 'heading'), 'Create your account');
      await frame.fill('[data-testid="name"]', XSS);
      await frame.fill('[data-testid="password"]', 'short');
      await frame.click('[data-testid="submit"]');
      assert.match(await text(frame, 'password-error'), /8 characters/);
      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss

      // Step 3: done; the name is text.
      await untilState(frame, 'shop-signin', 'done');
      assert.equal(await text(frame, 'signed-in-text'), `Signed in as ${XSS}`);
      assert.equal(await text(frame, 'signed-in-email'), email);
      assert.equal(await frame.locator('img').count(), 0);
      await followUp(page, `I signed in as ${XSS}.`);
      assert.deepEqual(await widgetState(frame), { signedIn: true, userName: XSS, userEmail: email });
      const logged = await page.locator('[data-testid="log-entry"]').allTextContents();
      assert.ok(!logged.join('\n').includes(PASSWORD), 'the password never reaches the host');
      const status = await tool('shop-auth', 'get_shop_auth_status', { session_id: first.sessionId });
      assert.equal(status.signedIn, true);
      assert.deepEqual(status.user, { name: XSS, email });

      // Re-mounted: ChatGPT keeps the widget state; an MCP Apps host does not,
      // and the model's next sign_in_to_shop says "signed_in".
      if (mode === 'chatgpt') {
        frame = await remount(page, 'shop-signin', 'done');
      } else {
        frame = await callTool(page, 'shop-auth', 'sign_in_to_shop', { session_id: first.sessionId }, 'shop-signin', 'done');
        assert.equal((await toolOutput(frame)).status, 'signed_in');
      }
      assert.equal(await text(frame, 'signed-in-text'), `Signed in as ${XSS}`);

      // A second session: "create" the same email (409), a wrong password (401), then the right one.
      const second = await newSession();
      frame = await callTool(page, 'shop-auth', 'sign_in_to_shop', { session_id: second.sessionId }, 'shop-signin', 'email');
      await frame.fill('[data-testid="email"]', email);
      await frame.click('[data-testid="continue"]');
      await frame.press('[data-testid="switch-mode"]', 'Enter'); // keyboard: immune to the frame resizing under the pointer
      await frame.fill('[data-testid="name"]', 'Someone Else');
      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await frame.waitForFunction(() => !document.getElementById('error').hidden);
      assert.match(await text(frame, 'error'), /already exists/);
      await frame.press('[data-testid="switch-mode"]', 'Enter'); // keyboard: immune to the frame resizing under the pointer
      assert.equal(await frame.isVisible('[data-testid="name"]'), false);
      await frame.fill('[data-testid="password"]', 'not the password');
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await frame.waitForFunction(() => /not correct/.test(document.getElementById('error').textContent));
      assert.equal(await state(frame, 'shop-signin'), 'password');
      assert.equal(await frame.inputValue('[data-testid="password"]'), '', 'a refused password is cleared');
      await frame.fill('[data-testid="password"]', PASSWORD);
      await frame.press('[data-testid="submit"]', 'Enter'); // the form just changed size: keyboard, not a pointer that can miss
      await untilState(frame, 'shop-signin', 'done');
      assert.equal(await text(frame, 'signed-in-text'), `Signed in as ${XSS}`);
      assert.equal((await tool('shop-auth', 'get_shop_auth_status', { session_id: second.sessionId })).signedIn, true);
      checkClean(watch);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: product-carousel adds to the cart from a card (view_cart agrees), shows errors inline`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      const session = await newSession();
      const frame = await callTool(page, 'shop-search', 'search_products', { query: 'coffee maker', session_id: session.sessionId, page_size: 8 }, 'carousel', 'ready');
      const out = await toolOutput(frame);
      assert.equal(out.sessionId, session.sessionId);
      assert.ok(out.products.length > 1, 'the search finds products');
      const quote = `“${out.query}”`;
      assert.equal(await text(frame, 'heading'), `${out.total.toLocaleString('en-US')} ${out.total === 1 ? 'result' : 'results'} for ${quote}`);
      const cards = frame.locator('[data-testid="product"]');
      assert.equal(await cards.count(), out.products.length);

      // The first card shows the product; its image loads from the server.
      const p0 = out.products[0];
      const card0 = cards.first();
      assert.equal(await card0.locator('[data-testid="product-title"]').textContent(), p0.title);
      assert.equal(await card0.locator('[data-testid="product-brand"]').textContent(), p0.brand);
      assert.equal(await card0.locator('[data-testid="product-price"]').textContent(), usd(p0.priceCents));
      assert.equal(await card0.locator('[data-testid="product-rating"]').getAttribute('aria-label'), `Rated ${p0.rating} out of 5`);
      assert.match(await card0.locator('[data-testid="product-reviews"]').textContent(), new RegExp(`${p0.reviewCount.toLocaleString('en-US')} review`));
      assert.equal(await card0.locator('img').getAttribute('loading'), 'lazy');
      await frame.waitForFunction(() => document.querySelector('[data-testid="product-image"]')?.naturalWidth > 0);

      // Prev/next scroll the row.
      assert.equal(await frame.isDisabled('[data-testid="prev"]'), true);
      await frame.click('[data-testid="next"]');
      await frame.waitForFunction(() => document.getElementById('track').scrollLeft > 0);
      await frame.waitForFunction(() => !document.querySelector('[data-testid="prev"]').disabled);

      // "Add to cart" on an in-stock card, by keyboard: adding… → added, with the cart's count.
      const pick = out.products.find((p) => p.inStock);
      const card = frame.locator(`[data-testid="product"][data-product-id="${pick.id}"]`);
      const button = card.locator('[data-testid="add-to-cart"]');
      assert.equal(await button.getAttribute('aria-label'), `Add “${pick.title}” to cart`);
      await button.focus();
      await button.press('Enter');
      await frame.waitForFunction((id) => ['added', 'error'].includes(document.querySelector(`[data-product-id="${id}"]`).dataset.state), pick.id);
      assert.equal(await card.getAttribute('data-state'), 'added', await card.locator('[data-testid="card-message"]').textContent());
      assert.equal(await button.textContent(), 'Added ✓');
      assert.equal(await card.locator('[data-testid="card-message"]').getAttribute('data-item-count'), '1');
      await logEntry(page, '[data-dir="from-widget"][data-kind="tool-call"]', 'add_to_cart');
      let cart = (await tool('shop-checkout', 'view_cart', { session_id: session.sessionId })).cart;
      assert.equal(cart.itemCount, 1);
      assert.deepEqual(cart.lines.map((l) => [l.productId, l.quantity]), [[pick.id, 1]]);
      assert.deepEqual(await widgetState(frame), { added: [pick.id], cartItemCount: 1 });

      // Again: a second unit.
      await button.click();
      await frame.waitForFunction((id) => document.querySelector(`[data-product-id="${id}"] [data-testid="card-message"]`).dataset.itemCount === '2', pick.id);
      cart = (await tool('shop-checkout', 'view_cart', { session_id: session.sessionId })).cart;
      assert.equal(cart.itemCount, 2);

      // The cart already holds all it may of another product (99, or the whole
      // stock): the next add is an isError result, shown on the card.
      const other = out.products.filter((p) => p.inStock)[1];
      let full = await mcp('shop-checkout').call('add_to_cart', { session_id: session.sessionId, product_id: other.id, quantity: 99 });
      if (full.isError) {
        const left = Number(/Only (\d+)/.exec(textOf(full))?.[1]);
        assert.ok(left > 0, textOf(full));
        full = await mcp('shop-checkout').call('add_to_cart', { session_id: session.sessionId, product_id: other.id, quantity: left });
      }
      assert.ok(!full.isError, textOf(full));
      const otherCard = frame.locator(`[data-testid="product"][data-product-id="${other.id}"]`);
      await otherCard.locator('[data-testid="add-to-cart"]').click();
      await frame.waitForFunction((id) => document.querySelector(`[data-product-id="${id}"]`).dataset.state === 'error', other.id);
      assert.match(await otherCard.locator('[data-testid="card-message"]').textContent(), /at most 99|left in stock/);
      assert.equal(await otherCard.locator('[data-testid="add-to-cart"]').isDisabled(), false, 'the user may retry');
      checkClean(watch);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: product-carousel without a session asks in the chat; a markup query stays text`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      let frame = await callTool(page, 'shop-search', 'search_products', { query: 'wireless headphones', page_size: 4 }, 'carousel', 'ready');
      const out = await toolOutput(frame);
      assert.equal(out.sessionId, undefined);
      const pick = out.products.find((p) => p.inStock);
      const card = frame.locator(`[data-testid="product"][data-product-id="${pick.id}"]`);
      await card.locator('[data-testid="add-to-cart"]').click();
      await followUp(page, `Please add “${pick.title}” to my cart.`);
      assert.equal(await card.getAttribute('data-state'), 'asked');
      assert.equal(await toolCalls(page, 'add_to_cart'), 0);

      frame = await callTool(page, 'shop-search', 'search_products', { query: XSS, page_size: 4 }, 'carousel', 'ready');
      const xss = await toolOutput(frame);
      assert.equal(xss.query, XSS);
      assert.ok((await text(frame, 'heading')).endsWith(` for “${XSS}”`), await text(frame, 'heading'));
      assert.equal(await frame.locator('img:not([data-testid="product-image"])').count(), 0);
      checkClean(watch);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: cart-confirmation shows the product, the totals, the free-shipping hint and sends follow-ups`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      const session = await newSession();
      const cheap = (await products('lip balm')).find((p) => p.priceCents * 2 < 3500);
      assert.ok(cheap, 'a product under $17.50');
      const frame = await callTool(page, 'shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: cheap.id, quantity: 2 }, 'cart', 'ready');
      const out = await toolOutput(frame);
      assert.equal(await text(frame, 'added-title'), cheap.title);
      assert.match(await text(frame, 'added-quantity'), /^Qty 2 · /);
      assert.equal(await text(frame, 'added-price'), usd(cheap.priceCents * 2));
      await frame.waitForFunction(() => document.querySelector('[data-testid="added-image"]')?.naturalWidth > 0);
      assert.equal(await text(frame, 'item-count'), '2 items');
      assert.equal(await text(frame, 'subtotal'), usd(out.cart.subtotalCents));
      assert.equal(await text(frame, 'tax'), usd(out.cart.taxCents));
      assert.equal(await text(frame, 'total'), usd(out.cart.totalCents));
      assert.equal(out.cart.shippingCents, 599, 'below the free-shipping threshold');
      assert.equal(await text(frame, 'shipping'), '$5.99');
      assert.equal(await text(frame, 'free-shipping'), `Add ${usd(out.cart.freeShippingThresholdCents - out.cart.subtotalCents)} more for free shipping.`);

      await frame.click('[data-testid="checkout"]');
      await followUp(page, "I'm ready to check out.");
      await frame.click('[data-testid="keep-shopping"]');
      await followUp(page, 'Show me more products.');

      // Over the threshold: shipping is "Free" and there is no hint.
      const [dear] = await products('laptop', { min_price_cents: out.cart.freeShippingThresholdCents });
      const again = await callTool(page, 'shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: dear.id }, 'cart', 'ready');
      assert.equal(await text(again, 'shipping'), 'Free');
      assert.equal(await again.isVisible('[data-testid="free-shipping"]'), false);
      assert.equal(await text(again, 'item-count'), '3 items');
      checkClean(watch);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: checkout validates, survives a stale cart, places the order once`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      const session = await signedInSession();
      // Each mode orders other products: stock is finite and orders use it up.
      const [a, b] = await products(mode === 'mcp-apps' ? 'yoga mat' : 'jump rope');
      await tool('shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: a.id, quantity: 1 });

      // A stale cart: the version the widget holds is gone; the error shows, the button stays.
      let frame = await callTool(page, 'shop-checkout', 'checkout', { session_id: session.sessionId }, 'checkout', 'ready');
      await tool('shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: b.id, quantity: 1 });
      // A new account has no address on file: the fields start empty and are checked first.
      assert.equal(await frame.inputValue('[data-testid="field-name"]'), '');
      assert.equal(await text(frame, 'payment'), 'Pay on delivery');
      assert.equal(await frame.isVisible('[data-testid="member-badge"]'), false);
      await frame.click('[data-testid="place-order"]');
      assert.equal(await frame.getAttribute('[data-testid="field-name"]', 'aria-invalid'), 'true');
      assert.match(await text(frame, 'error-postalCode'), /postal code/);
      assert.equal(await toolCalls(page, 'place_order'), 0, 'nothing is sent before the form is complete');
      const address = { name: XSS, line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
      for (const [k, v] of Object.entries(address)) await frame.fill(`[data-testid="field-${k}"]`, v);
      await frame.click('[data-testid="place-order"]');
      await frame.waitForFunction(() => !document.getElementById('error').hidden);
      assert.match(await text(frame, 'error'), /cart changed/);
      assert.equal(await state(frame, 'checkout'), 'ready');
      assert.equal(await text(frame, 'place-order'), 'Try again');
      // The key was saved before the call, and a retry sends the same one.
      const { idempotencyKey } = await widgetState(frame);
      assert.match(idempotencyKey, /^[0-9a-f]{32}$/);
      await frame.click('[data-testid="place-order"]');
      await frame.waitForFunction(() => document.getElementById('checkout').dataset.state === 'ready');
      assert.equal(await toolCalls(page, 'place_order'), 2);
      const withKey = page.locator(`[data-testid="log-entry"][data-dir="from-widget"][data-kind="tool-call"][data-search*="${idempotencyKey}"]`);
      assert.equal(await withKey.count(), 2, 'both attempts sent the same key');
      assert.equal((await widgetState(frame)).idempotencyKey, idempotencyKey);

      // The model shows checkout again: the summary has both lines.
      frame = await callTool(page, 'shop-checkout', 'checkout', { session_id: session.sessionId }, 'checkout', 'ready');
      const out = await toolOutput(frame);
      assert.equal(await frame.locator('[data-testid="line"]').count(), 2);
      assert.equal(await text(frame, 'subtotal'), usd(out.cart.subtotalCents));
      assert.equal(await text(frame, 'tax'), usd(out.cart.taxCents));
      assert.equal(await text(frame, 'total'), usd(out.cart.totalCents));
      assert.equal(await text(frame, 'shipping'), out.cart.shippingCents === 0 ? 'Free' : usd(out.cart.shippingCents));
      for (const [k, v] of Object.entries(address)) await frame.fill(`[data-testid="field-${k}"]`, v);
      await frame.click('[data-testid="place-order"]');
      await frame.waitForFunction(() => document.getElementById('checkout').dataset.state === 'done', null, { timeout: 10000 });
      const orderId = await text(frame, 'order-id');
      assert.match(orderId, /^ord_/);
      assert.equal(await text(frame, 'order-total'), usd(out.cart.totalCents));
      await followUp(page, `I placed order ${orderId}.`);
      const saved = await widgetState(frame);
      assert.equal(saved.orderId, orderId);
      assert.match(saved.idempotencyKey, /^[0-9a-f]{32}$/);
      const { order } = await tool('shop-checkout', 'get_order', { session_id: session.sessionId, order_id: orderId });
      assert.equal(order.status, 'placed');
      assert.equal(order.totalCents, out.cart.totalCents);
      assert.equal(order.shipping.name, XSS);
      assert.equal(order.lines.length, 2);
      assert.equal(await toolCalls(page, 'place_order'), 3);
      assert.notEqual(saved.idempotencyKey, idempotencyKey, 'a new checkout widget, a new key');

      // Re-mounted: ChatGPT restores the widget state (the order, no new call).
      // An MCP Apps host has no widget state: "Place order" again is refused
      // by the server (the cart is checked out), naming the same order.
      if (mode === 'chatgpt') {
        frame = await remount(page, 'checkout', 'done');
        assert.equal(await text(frame, 'order-id'), orderId);
      } else {
        frame = await remount(page, 'checkout', 'ready');
        for (const [k, v] of Object.entries(address)) await frame.fill(`[data-testid="field-${k}"]`, v);
        await frame.click('[data-testid="place-order"]');
        await frame.waitForFunction(() => !document.getElementById('error').hidden);
        assert.match(await text(frame, 'error'), new RegExp(`already checked out as order ${orderId}`));
      }
      assert.equal(await toolCalls(page, 'place_order'), mode === 'chatgpt' ? 3 : 4);
      const cart = (await tool('shop-checkout', 'view_cart', { session_id: session.sessionId })).cart;
      assert.equal(cart.itemCount, 0, 'the session has a new, empty cart');

      // The next checkout starts from the address used (kept on the account), as values, not markup.
      await tool('shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: a.id });
      frame = await callTool(page, 'shop-checkout', 'checkout', { session_id: session.sessionId }, 'checkout', 'ready');
      for (const [k, v] of Object.entries(address)) assert.equal(await frame.inputValue(`[data-testid="field-${k}"]`), v);
      assert.equal(await frame.locator('img').count(), 0);
      checkClean(watch);
    } finally {
      await page.close();
    }
  });

  test(`${mode}: membership-signup joins Plus, then shows the member's plan`, { skip }, async () => {
    const { page, watch } = await openDevHost(mode);
    try {
      const session = await signedInSession();
      let frame = await callTool(page, 'shop-membership', 'show_membership_signup', { session_id: session.sessionId }, 'membership', 'ready');
      const out = await toolOutput(frame);
      const tiers = frame.locator('[data-testid="tier"]');
      assert.equal(await tiers.count(), out.tiers.length);
      for (const t of out.tiers) {
        const card = frame.locator(`[data-testid="tier"][data-tier="${t.id}"]`);
        assert.equal(await card.locator('[data-testid="tier-name"]').textContent(), t.name);
        assert.equal(await card.locator('[data-testid="tier-price"]').textContent(), t.priceCents === 0 ? 'Free' : `${usd(t.priceCents)} per year`);
        assert.deepEqual(await card.locator('li').allTextContents(), t.benefits);
      }
      const preselected = out.suggestedTier || out.tiers[0].id;
      assert.equal(await frame.locator('[data-testid="tier-radio"]:checked').getAttribute('value'), preselected);

      // Pick Plus by clicking its card, and join.
      await frame.click('[data-testid="tier"][data-tier="plus"]');
      assert.equal(await frame.locator('[data-testid="tier-radio"]:checked').getAttribute('value'), 'plus');
      assert.equal(await text(frame, 'join'), 'Join Plus');
      await frame.click('[data-testid="join"]');
      await frame.waitForFunction(() => document.getElementById('membership').dataset.state === 'done');
      assert.equal(await text(frame, 'welcome'), 'Welcome to Plus');
      await followUp(page, 'I joined the Plus membership.');
      assert.equal((await widgetState(frame)).joined, 'plus');
      const status = await tool('shop-membership', 'check_membership', { session_id: session.sessionId });
      assert.equal(status.member, true);
      assert.equal(status.membership.tier, 'plus');

      if (mode === 'chatgpt') {
        frame = await remount(page, 'membership', 'done');
        assert.equal(await text(frame, 'welcome'), 'Welcome to Plus');
      }

      // The member's view: their plan, preselected; switching is offered.
      frame = await callTool(page, 'shop-membership', 'show_membership_signup', { session_id: session.sessionId }, 'membership', 'ready');
      assert.match(await text(frame, 'current'), /^You're a Plus member since \w+/);
      assert.equal(await frame.locator('[data-testid="tier-radio"]:checked').getAttribute('value'), 'plus');
      assert.equal(await frame.isDisabled('[data-testid="join"]'), true);
      await frame.check('[data-testid="tier"][data-tier="basic"] [data-testid="tier-radio"]');
      assert.equal(await text(frame, 'join'), 'Switch to Basic');
      assert.equal(await frame.isDisabled('[data-testid="join"]'), false);

      // A Plus member's checkout: the badge and free shipping.
      const [p] = await products('foam roller');
      await tool('shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: p.id });
      const checkout = await callTool(page, 'shop-checkout', 'checkout', { session_id: session.sessionId }, 'checkout', 'ready');
      assert.equal(await text(checkout, 'member-badge'), 'Plus member');
      assert.equal(await text(checkout, 'shipping'), 'Free');
      checkClean(watch);
    } finally {
      await page.close();
    }
  });
}

test('standalone pages at 320 px: every shop widget renders without horizontal scroll', { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  const watch = watchPage(page);
  try {
    const session = await signedInSession('Grace Hopper');
    const [p, q] = await products('coffee maker');
    await tool('shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: p.id });
    const fresh = await newSession();
    const pages = [
      ['shop-auth', 'shop-sign-in', { session_id: fresh.sessionId }, 'shop-signin', 'email'],
      ['shop-search', 'product-carousel', { query: 'coffee maker', session_id: session.sessionId }, 'carousel', 'ready'],
      ['shop-checkout', 'cart-confirmation', { session_id: session.sessionId, product_id: q.id }, 'cart', 'ready'],
      ['shop-checkout', 'checkout', { session_id: session.sessionId }, 'checkout', 'ready'],
      ['shop-membership', 'membership-signup', { session_id: session.sessionId }, 'membership', 'ready'],
    ];
    for (const [app, widget, args, root, want] of pages) {
      await page.goto(`${server.url}/${app}/widgets/${widget}?args=${encodeURIComponent(JSON.stringify(args))}&theme=light&locale=en-US`);
      await page.waitForFunction(([r, s]) => document.getElementById(r)?.dataset.state === s, [root, want], { timeout: 10000 })
        .catch(async (e) => assert.fail(`${widget}: ${e.message}\n${await page.evaluate(() => JSON.stringify(window.skyport.state).slice(0, 600))}`));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${widget} scrolls sideways at 320 px`);
    }
    checkClean(watch);
  } finally {
    await page.close();
  }
});
