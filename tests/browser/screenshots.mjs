// Screenshots for the README: the dev host and the greeter widget, light and
// dark, plus the widget at 320 px. A script, not a test:
//
//   cd tests/browser && node screenshots.mjs
//
// Starts `skyport dev --apps greeter`, drives Debian's chromium, and writes
// docs/screenshots/{devhost-light,devhost-dark,greeter-light,greeter-dark,greeter-320}.png.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { haveChromium, chromiumPath, repoRoot, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const outDir = path.join(repoRoot, 'docs/screenshots');
const out = (name) => path.join(outDir, name);

const ready = (frameOrPage) =>
  frameOrPage.waitForFunction(() => document.getElementById('greeter')?.dataset.state === 'ready');
/** Two animation frames: size reports and theme variables have landed. */
const settle = (frameOrPage) =>
  frameOrPage.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function devHost(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const watch = watchPage(page);
  await page.goto(`${url}/dev`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click('[data-testid="theme"] button[data-value="light"]');
  await page.click('[data-testid="host-mode"] button[data-value="mcp-apps"]');
  await page.click('[data-testid="tool"][data-tool="greet_user"]');
  await page.fill('[data-testid="call-form"] input[name="name"]', 'Ada');
  await page.click('[data-testid="call"]');
  const frame = await (await page.waitForSelector('iframe[data-testid="widget-frame"]')).contentFrame();
  await ready(frame);
  await page.mouse.move(1270, 790); // no hover styles in the picture
  await page.waitForTimeout(400); // size-changed has resized the frame
  await page.screenshot({ path: out('devhost-light.png') });

  await page.click('[data-testid="theme"] button[data-value="dark"]');
  await frame.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  await page.mouse.move(1270, 790);
  await settle(frame);
  await page.waitForTimeout(200);
  await page.screenshot({ path: out('devhost-dark.png') });
  if (watch.errors.length) throw new Error(`the dev host logged errors:\n${watch.errors.join('\n')}`);
  await page.close();
}

/** The widget alone: its standalone page, sized to its content. */
async function widget(browser, url, { theme, width, file }) {
  const page = await browser.newPage({ viewport: { width, height: 400 } });
  const watch = watchPage(page);
  await page.goto(`${url}/greeter/widgets/greeting?name=Ada&theme=${theme}&locale=en-US`);
  await ready(page);
  // Fit the viewport to the content (twice: the widget's padding follows the viewport height).
  for (let i = 0; i < 2; i += 1) {
    await settle(page);
    const height = await page.evaluate(() => Math.ceil(document.getElementById('greeter').getBoundingClientRect().bottom));
    await page.setViewportSize({ width, height });
  }
  await settle(page);
  await page.screenshot({ path: out(file) });
  if (watch.errors.length) throw new Error(`the widget logged errors:\n${watch.errors.join('\n')}`);
  await page.close();
}

async function main() {
  if (!haveChromium) {
    console.log(`SKIPPED screenshots.mjs: no browser at ${chromiumPath}`);
    return;
  }
  await mkdir(outDir, { recursive: true });
  const server = await startSkyport(['dev', '--apps', 'greeter']);
  const browser = await launchBrowser();
  try {
    await devHost(browser, server.url);
    await widget(browser, server.url, { theme: 'light', width: 560, file: 'greeter-light.png' });
    await widget(browser, server.url, { theme: 'dark', width: 560, file: 'greeter-dark.png' });
    await widget(browser, server.url, { theme: 'light', width: 320, file: 'greeter-320.png' });
    for (const f of ['devhost-light', 'devhost-dark', 'greeter-light', 'greeter-dark', 'greeter-320']) {
      console.log(`wrote ${path.relative(repoRoot, out(`${f}.png`))}`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
