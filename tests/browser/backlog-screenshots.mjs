// Screenshots of the backlog widget for the docs. A script, not a test:
//
//   cd tests/browser && node backlog-screenshots.mjs
//
// Starts `skyport dev --apps backlog` (a throwaway data directory), fills the
// shared backlog over the REST tool route, opens the widget's standalone page
// (list light and dark, details, progress) and the read-only viewer at
// /backlog/ in Debian's chromium, and writes
// docs/screenshots/backlog-{list-light,list-dark,details,progress,viewer}.png.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { haveChromium, chromiumPath, repoRoot, startSkyport, launchBrowser, watchPage } from './lib/harness.mjs';

const outDir = path.join(repoRoot, 'docs/screenshots');

/** structuredContent of backlog's `name(args)`, over POST /backlog/mcp/tools/call. */
async function call(url, name, args) {
  const res = await fetch(`${url}/backlog/mcp/tools/call`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, arguments: args }),
  });
  const body = await res.json();
  if (!res.ok || body.isError) throw new Error(`${name}: ${JSON.stringify(body).slice(0, 400)}`);
  return body.structuredContent;
}

const TASKS = [
  { title: 'Write the onboarding email sequence', epic: 'Onboarding', sprint: '2026-W49', assignee: 'grace', status: 'done', priority: 'medium', tags: ['copy'] },
  { title: 'Password reset link expires too early', epic: 'Auth', sprint: '2026-W49', assignee: 'ada', status: 'done', priority: 'high', tags: ['bug'] },
  { title: 'Invoice PDF shows the wrong VAT number', epic: 'Billing', sprint: '2026-W49', assignee: 'linus', status: 'blocked', priority: 'urgent', tags: ['bug', 'customer'] },
  { title: 'Sign in with a passkey', epic: 'Auth', sprint: '2026-W49', assignee: 'ada', status: 'in_progress', priority: 'high' },
  { title: 'Empty state for the first project', epic: 'Onboarding', sprint: '2026-W50', assignee: 'grace', status: 'open', priority: 'medium' },
  { title: 'Retry failed card payments nightly', epic: 'Billing', sprint: '2026-W50', assignee: 'linus', status: 'in_progress', priority: 'medium' },
  { title: 'Audit log for admin actions', epic: 'Auth', sprint: '2026-W50', status: 'open', priority: 'low', tags: ['security'] },
  { title: 'Drop the legacy coupon codes', epic: 'Billing', sprint: '2026-W50', status: 'cancelled', priority: 'low' },
  {
    title: 'Fix the login bug on Safari', epic: 'Auth', sprint: '2026-W49', assignee: 'ada', status: 'open', priority: 'urgent', tags: ['bug', 'safari'],
    description: 'Users on Safari 17 are sent back to the sign-in page after entering a correct password.\n\nSteps:\n1. Open /login in Safari 17\n2. Sign in with a valid account\n3. The page reloads and asks again\n\nThe session cookie is set with SameSite=None but without Secure.',
  },
  { title: 'Checklist on the welcome screen', epic: 'Onboarding', sprint: '2026-W50', assignee: 'grace', status: 'open', priority: 'medium' },
];

/** Two animation frames: layout has settled. */
const settle = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

async function shoot(browser, url, { pathname, width, dark = false, file, detail = false }) {
  const context = await browser.newContext({ viewport: { width, height: 400 }, colorScheme: dark ? 'dark' : 'light' });
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(`${url}${pathname}`);
  await page.waitForFunction((d) => {
    const root = document.getElementById('backlog');
    return root?.dataset.state === 'ready' && root.dataset.busy === 'false' && (!d || !document.getElementById('bl-detail').hidden);
  }, detail, { timeout: 10000 });
  for (let i = 0; i < 2; i += 1) {
    await settle(page);
    const height = await page.evaluate(() => Math.ceil(document.getElementById('backlog').getBoundingClientRect().bottom));
    await page.setViewportSize({ width, height });
  }
  await settle(page);
  await page.screenshot({ path: path.join(outDir, file) });
  if (watch.errors.length) throw new Error(`${file}: the page logged errors:\n${watch.errors.join('\n')}`);
  await context.close();
  console.log(`wrote ${path.relative(repoRoot, path.join(outDir, file))}`);
}

async function main() {
  if (!haveChromium) {
    console.log(`SKIPPED backlog-screenshots.mjs: no browser at ${chromiumPath}`);
    return;
  }
  await mkdir(outDir, { recursive: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-backlog-shots-'));
  const server = await startSkyport(['dev', '--apps', 'backlog'], { env: { SKYPORT_DATA_DIR: dataDir } });
  const browser = await launchBrowser();
  try {
    const { url } = server;
    const made = [];
    for (const task of TASKS) made.push((await call(url, 'backlog_create', task)).task);
    const safari = made.find((t) => t.title.startsWith('Fix the login bug'));
    const page = (tool, args, theme = 'light') => `/backlog/widgets/backlog?tool=${tool}&args=${encodeURIComponent(JSON.stringify(args))}&theme=${theme}&locale=en-US`;
    await shoot(browser, url, { pathname: page('backlog_list', {}), width: 640, file: 'backlog-list-light.png' });
    await shoot(browser, url, { pathname: page('backlog_list', {}, 'dark'), width: 640, dark: true, file: 'backlog-list-dark.png' });
    await shoot(browser, url, { pathname: page('backlog_get', { id: safari.id }), width: 720, file: 'backlog-details.png', detail: true });
    await shoot(browser, url, { pathname: page('backlog_progress', { by: 'sprint' }), width: 560, file: 'backlog-progress.png' });
    await shoot(browser, url, { pathname: '/backlog?status=open,in_progress,blocked&sort=priority&theme=light', width: 900, file: 'backlog-viewer.png' });
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
