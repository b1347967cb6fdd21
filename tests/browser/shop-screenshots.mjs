// Screenshots of the shop's five widgets (light theme) for the docs. A
// script, not a test:
//
//   cd tests/browser && node shop-screenshots.mjs
//
// Starts `skyport dev` with the four shop apps (a throwaway data directory),
// sets up a signed-in session with a past order and a cart over the REST tool
// route, opens each widget's standalone page in Debian's chromium and writes
// docs/screenshots/shop-{sign-in,carousel,cart-confirmation,checkout,membership}.png.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { haveChromium, chromiumPath, repoRoot, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const outDir = path.join(repoRoot, 'docs/screenshots');

/** structuredContent of `app`'s `name(args)`, over POST /{app}/mcp/tools/call. */
async function call(url, app, name, args) {
  const res = await fetch(`${url}/${app}/mcp/tools/call`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, arguments: args }),
  });
  const body = await res.json();
  if (!res.ok || body.isError) throw new Error(`${name}: ${JSON.stringify(body).slice(0, 400)}`);
  return body.structuredContent;
}

/** Two animation frames: layout and images have settled. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function shoot(browser, url, { app, widget, args, root, state, width, file }) {
  const page = await browser.newPage({ viewport: { width, height: 400 } });
  const watch = watchPage(page);
  await page.goto(`${url}/${app}/widgets/${widget}?args=${encodeURIComponent(JSON.stringify(args))}&theme=light&locale=en-US`);
  await page.waitForFunction(([r, s]) => document.getElementById(r)?.dataset.state === s, [root, state], { timeout: 10000 });
  // Images in view have loaded (lazy ones further along the carousel never start).
  await page.waitForFunction(() => [...document.images].every((i) => i.complete || i.getBoundingClientRect().left >= innerWidth));
  await page.waitForTimeout(900); // the check animations finish
  for (let i = 0; i < 2; i += 1) {
    await settle(page);
    const height = await page.evaluate((r) => Math.ceil(document.getElementById(r).getBoundingClientRect().bottom), root);
    await page.setViewportSize({ width, height });
  }
  await settle(page);
  await page.screenshot({ path: path.join(outDir, file) });
  if (watch.errors.length) throw new Error(`${widget} logged errors:\n${watch.errors.join('\n')}`);
  await page.close();
  console.log(`wrote ${path.relative(repoRoot, path.join(outDir, file))}`);
}

async function main() {
  if (!haveChromium) {
    console.log(`SKIPPED shop-screenshots.mjs: no browser at ${chromiumPath}`);
    return;
  }
  await mkdir(outDir, { recursive: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-shop-shots-'));
  const server = await startSkyport(['dev', '--apps', 'shop-auth,shop-search,shop-checkout,shop-membership'], {
    env: { SKYPORT_DATA_DIR: dataDir },
  });
  const browser = await launchBrowser();
  try {
    const { url } = server;
    const fresh = await call(url, 'shop-auth', 'create_shopping_session', {});
    const session = await call(url, 'shop-auth', 'create_shopping_session', {});
    const res = await fetch(`${url}/shop-auth/api/session/authenticate`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: session.sessionId, email: 'ada@example.com', password: 'correct horse battery', mode: 'sign_up', name: 'Ada Lovelace' }),
    });
    if (!res.ok) throw new Error(`sign-up: HTTP ${res.status}`);
    const found = await call(url, 'shop-search', 'search_products', { query: 'coffee maker', page_size: 8 });
    const [first, second, third] = found.products.filter((p) => p.inStock);
    // A first order keeps the address on the account: the checkout shown later starts from it.
    await call(url, 'shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: third.id });
    const before = await call(url, 'shop-checkout', 'checkout', { session_id: session.sessionId });
    await call(url, 'shop-checkout', 'place_order', {
      session_id: session.sessionId, cart_id: before.cartId, cart_version: before.cartVersion, idempotency_key: 'screenshots-0001',
      shipping: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', region: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    });
    await call(url, 'shop-checkout', 'add_to_cart', { session_id: session.sessionId, product_id: first.id });
    const sid = session.sessionId;
    await shoot(browser, url, { app: 'shop-auth', widget: 'shop-sign-in', args: { session_id: fresh.sessionId }, root: 'shop-signin', state: 'email', width: 480, file: 'shop-sign-in.png' });
    await shoot(browser, url, { app: 'shop-search', widget: 'product-carousel', args: { query: 'coffee maker', session_id: sid, page_size: 8 }, root: 'carousel', state: 'ready', width: 760, file: 'shop-carousel.png' });
    await shoot(browser, url, { app: 'shop-checkout', widget: 'cart-confirmation', args: { session_id: sid, product_id: second.id }, root: 'cart', state: 'ready', width: 520, file: 'shop-cart-confirmation.png' });
    await shoot(browser, url, { app: 'shop-checkout', widget: 'checkout', args: { session_id: sid }, root: 'checkout', state: 'ready', width: 600, file: 'shop-checkout.png' });
    await shoot(browser, url, { app: 'shop-membership', widget: 'membership-signup', args: { session_id: sid }, root: 'membership', state: 'ready', width: 640, file: 'shop-membership.png' });
  } finally {
    await browser.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
