// The backlog widget (crates/skyport-apps/src/backlog/widget) against the
// real server, in Debian's chromium:
//
// - in a ChatGPT-style host (the dev host's window.openai) and under the
//   official MCP Apps AppBridge: rows from backlog_list; the done checkbox,
//   the status select, the add form and the details' status really write
//   (checked in the store over MCP); a refused update rolls back and shows
//   the error; details request fullscreen; filters survive a re-render
//   (ChatGPT: a re-mount with the kept widget state; MCP Apps: the same
//   result delivered again); an isError result, a cancelled call and a
//   delete's result;
// - progress bars (aria-valuenow = percentDone) by sprint and by epic;
// - markup in every field stays text: list, details, progress, viewer;
// - the standalone viewer at /backlog/: the tools' tasks, pages, filters in
//   the URL that survive a reload, details, no control that writes; and,
//   with SKYPORT_AUTH_REQUIRE_API_KEY=backlog, the API-key box;
// - 320 px in the dark theme without horizontal scroll.
//
// Node sets up and checks the store over MCP (Streamable HTTP). Buttons
// inside a widget frame are pressed with the keyboard: the frame resizes as
// the widget renders, which a pointer click can miss.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { browserSkip, skyportBin, startSkyport, launchBrowser, watchPage, untilState } from './lib/harness.mjs';
import { connectMcp, bundleHost, mountWidget, waitForLog } from './fixtures/appbridge-host.mjs';

const skip = browserSkip('backlog.test.mjs');
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
const XSS_TAG = '<img src=x onerror=window.__xss=3>'; // tags are at most 40 characters

let server;
let browser;
let bundle;
let mcp;
let widget;
let dataDir;
let tokens = 0;

before(async () => {
  if (skip) return;
  // A store of its own: the run's tasks stay in it.
  dataDir = await mkdtemp(path.join(tmpdir(), 'skyport-backlog-'));
  server = await startSkyport(['dev', '--apps', 'backlog'], { env: { SKYPORT_DATA_DIR: dataDir } });
  browser = await launchBrowser();
  bundle = await bundleHost();
  mcp = await connectMcp(server.url, 'backlog');
  widget = await mcp.readWidget('backlog_list');
});

after(async () => {
  await browser?.close();
  await bundle?.cleanup();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// ---- the store, over MCP ----------------------------------------------------------------

const textOf = (result) => (result.content || []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');

/** structuredContent of a successful call. */
async function tool(name, args = {}) {
  const result = await mcp.callTool(name, args);
  assert.ok(!result.isError, `${name}(${JSON.stringify(args)}) failed: ${textOf(result)}`);
  return result.structuredContent;
}
const create = async (args) => (await tool('backlog_create', args)).task;
const stored = async (id) => (await tool('backlog_get', { id })).task;
const idsOf = (list) => list.tasks.map((t) => t.id);
/** A word no other test uses: tasks with it in their titles are this test's. */
const token = (name) => `${name}${process.pid}x${tokens += 1}`;

/** Polls `check` (async, truthy when done) for up to `ms`; fails with `message`. */
async function until(check, message, ms = 5000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > end) assert.fail(typeof message === 'function' ? await message() : message);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the widget ---------------------------------------------------------------------------

const ROOT = 'backlog';
const settled = (frame) => frame.waitForFunction((r) => {
  const root = document.getElementById(r);
  return root && root.dataset.state === 'ready' && root.dataset.busy === 'false';
}, ROOT, { timeout: 10000 });
const rowIds = (frame) => frame.evaluate(() => [...document.querySelectorAll('[data-testid="task-row"]')].map((r) => r.dataset.id));
const row = (frame, id) => frame.locator(`[data-testid="task-row"][data-id="${id}"]`);
const text = (frame, testId) => frame.locator(`[data-testid="${testId}"]`).first().textContent();

/** Waits until the widget shows exactly the rows `ids`, in that order, and nothing is loading. */
async function waitRows(frame, ids, ms = 8000) {
  await frame.waitForFunction(([want, r]) => {
    const root = document.getElementById(r);
    const list = document.getElementById('bl-list');
    const got = [...document.querySelectorAll('[data-testid="task-row"]')].map((x) => x.dataset.id);
    return root.dataset.state === 'ready' && root.dataset.busy === 'false' && !list.hidden && JSON.stringify(got) === JSON.stringify(want);
  }, [ids, ROOT], { timeout: ms }).catch(async (e) => {
    assert.fail(`rows: want ${JSON.stringify(ids)}, have ${JSON.stringify(await rowIds(frame))} (${e.message.split('\n')[0]})`);
  });
}

/** Errors but the 401s the API-key test provokes on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of 401/.test(e));
async function checkClean(frame, watch) {
  assert.equal(await frame.evaluate(() => window.__xss), undefined, 'no markup ran');
  assert.deepEqual(unexpected(watch.errors), []);
  assert.deepEqual(watch.dialogs, []);
}

// ---- the two host families --------------------------------------------------------------

/**
 * The widget rendered for `name(args)` in `mode`, once ready:
 * { page, watch, frame, calls(tool), sent(tool, key), fullscreen(), inline(), rerender(), close() }.
 */
async function host(mode, name, args, { width = 1280, theme = 'light' } = {}) {
  return mode === 'chatgpt' ? devHost(name, args, { width, theme }) : appBridge(name, args, { width, theme });
}

/** The dev host acting as ChatGPT (window.openai), calling the tool from its form. */
async function devHost(name, args, { width, theme }) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const watch = watchPage(page);
  await page.goto(`${server.url}/dev`);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click('[data-testid="host-mode"] button[data-value="chatgpt"]');
  await page.click(`[data-testid="theme"] button[data-value="${theme}"]`);
  const appButton = page.locator('[data-testid="app"][data-app="backlog"]');
  if ((await appButton.count()) && (await appButton.getAttribute('aria-current')) !== 'true') await appButton.click();
  await page.click(`[data-testid="tool"][data-tool="${name}"]`);
  await page.waitForSelector(`[data-testid="tool"][data-tool="${name}"][aria-current="true"]`);
  await page.check('[data-testid="raw-toggle"]');
  await page.fill('[data-testid="raw-args"]', JSON.stringify(args));
  await page.click('[data-testid="call"]');
  const h = {
    page, watch, frame: await newFrame(page),
    calls: (t) => page.locator('[data-testid="log-entry"][data-dir="from-widget"][data-kind="tool-call"]').filter({ hasText: t }).count(),
    sent: async (t, key) => (await page.locator(`[data-testid="log-entry"][data-dir="from-widget"][data-kind="tool-call"][data-search*="${key}"]`)
      .filter({ hasText: t }).count()) > 0,
    fullscreen: () => page.waitForSelector('[data-testid="widget-shell"][data-display-mode="fullscreen"]', { timeout: 5000 }),
    inline: () => page.waitForSelector('[data-testid="widget-shell"][data-display-mode="inline"]', { timeout: 5000 }),
    /** ChatGPT re-mounts a widget with the same toolOutput and the widget state it kept. */
    rerender: async () => {
      await page.evaluate(() => {
        for (const f of document.querySelectorAll('iframe[data-testid="widget-frame"]')) f.dataset.retired = 'true';
      });
      await page.click('[data-testid="rerender"]');
      h.frame = await newFrame(page);
    },
    close: () => page.close(),
  };
  return h;
}

async function newFrame(page) {
  const handle = await page.waitForSelector('iframe[data-testid="widget-frame"]:not([data-retired])');
  const frame = await handle.contentFrame();
  await frame.waitForFunction((r) => ['ready', 'error'].includes(document.getElementById(r)?.dataset.state), ROOT, { timeout: 10000 });
  return frame;
}

/** The official AppBridge host page, the result from a real tools/call, the widget's calls proxied to the server. */
async function appBridge(name, args, { width, theme }) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const watch = watchPage(page);
  const result = await mcp.callTool(name, args);
  assert.ok(!result.isError, textOf(result));
  const { frame } = await mountWidget(page, bundle.file, {
    html: widget.html,
    hostContext: { theme, locale: 'en-US', displayMode: 'inline', availableDisplayModes: ['inline', 'fullscreen'], containerDimensions: { maxHeight: 6000 } },
    toolInput: args,
    toolResult: result,
  }, (params) => mcp.callTool(params.name, params.arguments));
  await frame.waitForFunction((r) => ['ready', 'error'].includes(document.getElementById(r)?.dataset.state), ROOT, { timeout: 10000 });
  const calls = async (t) => (await page.evaluate(() => window.testHost.log.map((e) => ({ event: e.event, params: e.params }))))
    .filter((e) => e.event === 'tools/call' && e.params.name === t);
  return {
    page, watch, frame, result,
    calls: async (t) => (await calls(t)).length,
    lastArgs: async (t) => (await calls(t)).at(-1)?.params.arguments,
    sent: async (t, key) => (await calls(t)).some((c) => key in (c.params.arguments || {})),
    fullscreen: () => waitForLog(page, 'request-display-mode', (p) => p.mode === 'fullscreen'),
    inline: () => waitForLog(page, 'request-display-mode', (p) => p.mode === 'inline'),
    /** An MCP Apps host keeps no widget state across frames; it may deliver the same result again. */
    rerender: () => page.evaluate((r) => window.testHost.sendToolResult(r), result),
    close: () => page.close(),
  };
}

// ---- in both hosts ---------------------------------------------------------------------

for (const mode of ['chatgpt', 'mcp-apps']) {
  test(`${mode}: rows, done checkbox, status select, add, details and filters that survive a re-render`, { skip }, async () => {
    const tok = token('hosts');
    const alpha = await create({ title: `${tok} alpha`, priority: 'high', epic: 'Auth' });
    const beta = await create({ title: `${tok} beta`, tags: ['bug'] });
    const gamma = await create({ title: `${tok} gamma`, description: `Steps:\n1. open\n2. <b>click</b>`, assignee: 'ada', sprint: 'S9' });
    const h = await host(mode, 'backlog_list', { text: tok });
    try {
      const { frame } = h;
      assert.equal(await frame.evaluate(() => window.skyport.host), mode);
      // The rows are the tool's, in its order.
      const listed = await tool('backlog_list', { text: tok });
      assert.deepEqual(idsOf(listed), [gamma.id, beta.id, alpha.id]);
      await waitRows(frame, idsOf(listed));
      assert.equal(await text(frame, 'total'), '3 tasks');
      assert.equal(await text(frame, 'page-info'), '1–3 of 3');
      assert.equal(await frame.inputValue('[data-testid="filter-text"]'), tok);
      assert.equal(await row(frame, alpha.id).locator('[data-testid="task-title"]').textContent(), `${tok} alpha`);
      assert.equal(await row(frame, alpha.id).getAttribute('data-status'), 'open');
      assert.equal(await frame.isDisabled('[data-testid="pager-next"]'), true);

      // The checkbox marks a task done in the store; unticking reopens it.
      // (click, not check(): the optimistic re-render replaces the box)
      await row(frame, alpha.id).locator('[data-testid="task-done"]').click();
      await until(async () => (await stored(alpha.id)).status === 'done', `${alpha.id} is not done in the store`);
      await settled(frame);
      assert.equal(await row(frame, alpha.id).getAttribute('data-status'), 'done');
      await settled(frame);
      await row(frame, alpha.id).locator('[data-testid="task-done"]').press('Space'); // the keyboard ticks it too
      await until(async () => (await stored(alpha.id)).status === 'open', `${alpha.id} is not open again`);
      await settled(frame);
      assert.equal(await row(frame, alpha.id).locator('[data-testid="task-done"]').isChecked(), false);
      await row(frame, alpha.id).locator('[data-testid="task-done"]').click();
      await until(async () => (await stored(alpha.id)).status === 'done', `${alpha.id} is not done again`);

      // The status select writes; the list is read again (beta moves to the top: sort by updated).
      await settled(frame);
      await row(frame, beta.id).locator('[data-testid="task-status"]').selectOption('blocked');
      await until(async () => (await stored(beta.id)).status === 'blocked', `${beta.id} is not blocked in the store`);
      await waitRows(frame, idsOf(await tool('backlog_list', { text: tok })));
      assert.equal(await row(frame, beta.id).locator('[data-testid="task-status"]').inputValue(), 'blocked');

      // A refused update (the task is gone) rolls back and says why.
      const doomed = await create({ title: `${tok} doomed` });
      await row(frame, beta.id).locator('[data-testid="task-status"]').selectOption('in_progress');
      await until(async () => (await stored(beta.id)).status === 'in_progress', `${beta.id} is not in progress`);
      await waitRows(frame, idsOf(await tool('backlog_list', { text: tok })));
      await tool('backlog_delete', { id: doomed.id, confirmed: true });
      await row(frame, doomed.id).locator('[data-testid="task-done"]').click();
      await frame.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
      assert.match(await text(frame, 'error'), new RegExp(doomed.id));
      await settled(frame);
      assert.equal(await row(frame, doomed.id).locator('[data-testid="task-done"]').isChecked(), false, 'rolled back');
      assert.equal(await row(frame, doomed.id).getAttribute('data-status'), 'open');

      // The add form creates the task (with a request_id) and the list shows it.
      await frame.fill('[data-testid="add-title"]', `${tok} delta`);
      await frame.press('[data-testid="add-submit"]', 'Enter');
      const added = await until(async () => (await tool('backlog_list', { text: `${tok} delta` })).tasks[0],
        async () => `the new task is not in the store; the widget says: ${await text(frame, 'error')}`);
      assert.equal(added.title, `${tok} delta`);
      assert.equal(added.status, 'open');
      assert.ok(await h.sent('backlog_create', 'request_id'), 'backlog_create carried a request_id');
      await waitRows(frame, idsOf(await tool('backlog_list', { text: tok })));
      assert.ok((await rowIds(frame)).includes(added.id));
      assert.equal(await frame.inputValue('[data-testid="add-title"]'), '');
      assert.equal(await frame.isHidden('[data-testid="error"]'), true, 'a successful write clears the error');
      assert.match(await text(frame, 'notice'), new RegExp(`Added ${added.id}`));

      // Details: fullscreen is requested; the description is text; the status select writes with the version.
      await row(frame, gamma.id).locator('[data-testid="task-title"]').press('Enter');
      await frame.waitForSelector(`[data-testid="detail"][data-id="${gamma.id}"]:not([hidden])`);
      await h.fullscreen();
      assert.equal(await text(frame, 'detail-title'), `${tok} gamma`);
      assert.equal(await text(frame, 'detail-description'), gamma.description);
      assert.equal(await frame.locator('[data-testid="detail-description"] b').count(), 0);
      assert.equal(await text(frame, 'detail-assignee'), 'ada');
      assert.equal(await text(frame, 'detail-sprint'), 'S9');
      assert.equal((await frame.evaluate(() => window.skyport.state.widgetState)).selected, gamma.id);
      await frame.selectOption('[data-testid="detail-status"]', 'in_progress');
      await until(async () => (await stored(gamma.id)).status === 'in_progress', `${gamma.id} is not in progress in the store`);
      await frame.waitForFunction((v) => document.querySelector('[data-testid="detail-version"]').textContent === String(v), gamma.version + 1);
      await frame.press('[data-testid="detail-back"]', 'Enter');
      await h.inline();
      await settled(frame);
      assert.equal(await frame.isVisible('[data-testid="detail"]'), false);
      assert.equal(await row(frame, gamma.id).getAttribute('data-status'), 'in_progress');

      // Filters: a status chip and the text box (debounced), saved as widget state.
      await frame.press('[data-testid="filter-status-done"]', 'Enter');
      await frame.fill('[data-testid="filter-text"]', `${tok} al`);
      const filtered = await tool('backlog_list', { status: ['done'], text: `${tok} al` });
      assert.deepEqual(idsOf(filtered), [alpha.id]);
      await waitRows(frame, [alpha.id]);
      await until(async () => (await frame.evaluate(() => window.skyport.state.widgetState))?.filters?.text === `${tok} al`, 'the text filter is not in the widget state');
      const saved = await frame.evaluate(() => window.skyport.state.widgetState);
      assert.deepEqual(saved.filters.status, ['done']);
      assert.equal(saved.offset, 0);
      assert.equal(saved.selected, null);
      assert.equal(saved.tab, 'list');

      // A re-render with the original toolOutput: the filters and their rows come back.
      const before = await h.calls('backlog_list');
      await h.rerender();
      const again = h.frame;
      if (mode === 'mcp-apps') {
        await until(async () => (await h.calls('backlog_list')) > before, 'the re-delivered result did not re-query');
        assert.deepEqual(await h.lastArgs('backlog_list'), { offset: 0, limit: 20, sort: 'updated', status: ['done'], text: `${tok} al` });
      } else {
        assert.equal((await again.evaluate(() => window.skyport.state.toolOutput)).filters.text, tok, 'the host re-sent the unfiltered output');
      }
      await waitRows(again, [alpha.id]);
      assert.equal(await again.getAttribute('[data-testid="filter-status-done"]', 'aria-pressed'), 'true');
      assert.equal(await again.getAttribute('[data-testid="filter-status-open"]', 'aria-pressed'), 'false');
      assert.equal(await again.inputValue('[data-testid="filter-text"]'), `${tok} al`);
      assert.equal(await text(again, 'total'), '1 task');
      await checkClean(again, h.watch);
    } finally {
      await h.close();
    }
  });
}

test('mcp-apps: progress bars by sprint and by epic carry percentDone', { skip }, async () => {
  const tok = token('progress');
  const s1 = `S1-${tok}`;
  const s2 = `S2-${tok}`;
  const epic = `E-${tok}`;
  for (const status of ['done', 'open', 'in_progress', 'blocked']) await create({ title: `${tok} ${status}`, sprint: s1, status, epic });
  await create({ title: `${tok} shipped`, sprint: s2, status: 'done' });
  await create({ title: `${tok} dropped`, sprint: s2, status: 'cancelled' });
  const h = await host('mcp-apps', 'backlog_progress', { by: 'sprint' });
  try {
    const { frame } = h;
    await settled(frame);
    const group = (name) => frame.locator(`[data-testid="progress-group"][data-name="${name}"]`);
    const bar = (name) => group(name).locator('[data-testid="progress-bar"]');
    assert.equal(await frame.getAttribute('[data-testid="tab-progress"]', 'aria-selected'), 'true');
    assert.equal(await frame.inputValue('[data-testid="progress-by"]'), 'sprint');
    assert.equal(await bar(s1).getAttribute('role'), 'progressbar');
    assert.equal(await bar(s1).getAttribute('aria-valuenow'), '25', '1 of 4 done');
    assert.equal(await bar(s2).getAttribute('aria-valuenow'), '100', 'cancelled tasks do not count');
    assert.match(await group(s1).locator('[data-testid="progress-counts"]').textContent(), /^1 of 4 done · 1 in progress · 1 blocked · 1 open$/);
    // One group per sprint the tool reports, in its order.
    const out = await tool('backlog_progress', { by: 'sprint' });
    const names = await frame.evaluate(() => [...document.querySelectorAll('[data-testid="progress-group"]')].map((g) => g.dataset.name));
    assert.deepEqual(names, out.groups.map((g) => g.name ?? ''));
    const shown = await frame.evaluate(() => [...document.querySelectorAll('[data-testid="progress-bar"]')].map((b) => Number(b.getAttribute('aria-valuenow'))));
    assert.deepEqual(shown, out.groups.map((g) => g.percentDone));

    // By epic: 1 of 4 done → 25; the switch asks the tool again.
    await frame.selectOption('[data-testid="progress-by"]', 'epic');
    await frame.waitForFunction(() => document.getElementById('bl-groups').dataset.by === 'epic');
    assert.deepEqual(await h.lastArgs('backlog_progress'), { by: 'epic' });
    assert.equal(await bar(epic).getAttribute('aria-valuenow'), '25');
    await create({ title: `${tok} more`, epic, status: 'done' });
    // Back to the list and to progress again: read fresh (2 of 5 done → 40).
    await frame.press('[data-testid="tab-list"]', 'Enter');
    await settled(frame);
    assert.ok(await frame.isVisible('[data-testid="task-row"] >> nth=0'));
    await frame.press('[data-testid="tab-progress"]', 'Enter');
    await frame.waitForFunction((name) => document.querySelector(`[data-testid="progress-group"][data-name="${name}"] [data-testid="progress-bar"]`)?.getAttribute('aria-valuenow') === '40', epic);
    assert.equal((await frame.evaluate(() => window.skyport.state.widgetState)).tab, 'progress');
    await checkClean(frame, h.watch);
  } finally {
    await h.close();
  }
});

test('mcp-apps: an isError result, a cancelled call and a delete\'s result', { skip }, async () => {
  /** Mounts the widget on a page of its own with `toolResult` (or a cancellation). */
  const mount = async (toolInput, extra) => {
    const page = await browser.newPage();
    const watch = watchPage(page);
    const { frame } = await mountWidget(page, bundle.file, {
      html: widget.html, hostContext: { theme: 'light', locale: 'en-US' }, toolInput, ...extra,
    }, (params) => mcp.callTool(params.name, params.arguments));
    return { page, watch, frame };
  };
  const failed = await mcp.callTool('backlog_get', { id: 'T-999999' });
  assert.equal(failed.isError, true);
  const a = await mount({ id: 'T-999999' }, { toolResult: failed });
  try {
    await untilState(a.frame, 'backlog', 'error');
    assert.equal(await text(a.frame, 'error'), textOf(failed));
    assert.ok(await a.frame.isHidden('[data-testid="tab-list"]'));
    assert.ok(await a.frame.isHidden('[data-testid="detail"]'));
    await checkClean(a.frame, a.watch);
  } finally {
    await a.page.close();
  }

  const b = await mount({ by: 'sprint' }, { cancelReason: 'The user stopped it' });
  try {
    await untilState(b.frame, 'backlog', 'cancelled');
    assert.equal(await text(b.frame, 'status'), 'The request was cancelled: The user stopped it');
    await checkClean(b.frame, b.watch);
  } finally {
    await b.page.close();
  }

  const gone = await create({ title: `${token('deleted')} gone` });
  const deleted = await mcp.callTool('backlog_delete', { id: gone.id, confirmed: true });
  assert.equal(deleted.structuredContent.view, 'deleted');
  const c = await mount({ id: gone.id, confirmed: true }, { toolResult: deleted });
  try {
    await settled(c.frame);
    assert.equal(await text(c.frame, 'notice'), `Deleted ${gone.id}.`);
    await waitRows(c.frame, idsOf(await tool('backlog_list', {})));
    assert.ok(!(await rowIds(c.frame)).includes(gone.id));
    await checkClean(c.frame, c.watch);
  } finally {
    await c.page.close();
  }
});

test('markup in every field is text: list, details, progress and the viewer', { skip }, async () => {
  const tok = token('xss');
  const task = await create({
    title: XSS, description: `${tok}\n${XSS}`, epic: XSS, sprint: XSS, assignee: XSS, tags: [XSS_TAG],
  });
  const h = await host('chatgpt', 'backlog_list', { text: tok });
  try {
    const { frame } = h;
    await waitRows(frame, [task.id]);
    const r = row(frame, task.id);
    assert.equal(await r.locator('[data-testid="task-title"]').textContent(), XSS);
    assert.equal(await r.locator('[data-testid="task-epic"]').textContent(), `Epic: ${XSS}`);
    assert.equal(await r.locator('[data-testid="task-assignee"]').textContent(), `@${XSS}`);
    assert.equal(await r.locator('[data-testid="task-tag"]').textContent(), `#${XSS_TAG}`);
    await r.locator('[data-testid="task-title"]').press('Enter');
    await frame.waitForSelector(`[data-testid="detail"][data-id="${task.id}"]:not([hidden])`);
    assert.equal(await text(frame, 'detail-title'), XSS);
    assert.equal(await text(frame, 'detail-description'), `${tok}\n${XSS}`);
    assert.equal(await text(frame, 'detail-epic'), XSS);
    assert.equal(await text(frame, 'detail-assignee'), XSS);
    assert.equal(await text(frame, 'detail-sprint'), XSS);
    assert.equal(await text(frame, 'detail-tags'), `#${XSS_TAG}`);
    await frame.press('[data-testid="tab-progress"]', 'Enter');
    await frame.waitForSelector('[data-testid="progress-group"]');
    const group = frame.locator('[data-testid="progress-group"]').filter({ has: frame.locator(`[data-testid="progress-name"]`, { hasText: 'window.__xss=1' }) });
    assert.equal(await group.getAttribute('data-name'), XSS);
    assert.equal(await group.locator('[data-testid="progress-name"]').textContent(), XSS);
    assert.equal(await frame.locator('img, [data-testid="backlog"] script').count(), 0);
    await frame.waitForTimeout(200); // an onerror would have fired by now
    await checkClean(frame, h.watch);
  } finally {
    await h.close();
  }

  const v = await viewer(`/backlog?text=${encodeURIComponent(tok)}`);
  try {
    await waitRows(v.page, [task.id]);
    assert.equal(await row(v.page, task.id).locator('[data-testid="task-title"]').textContent(), XSS);
    await row(v.page, task.id).locator('[data-testid="task-title"]').click();
    await v.page.waitForSelector(`[data-testid="detail"][data-id="${task.id}"]:not([hidden])`);
    assert.equal(await text(v.page, 'detail-title'), XSS);
    assert.equal(await text(v.page, 'detail-description'), `${tok}\n${XSS}`);
    assert.equal(await text(v.page, 'detail-epic'), XSS);
    assert.equal(await v.page.locator('img, [data-testid="backlog"] script').count(), 0);
    await v.page.waitForTimeout(200);
    await checkClean(v.page, v.watch);
  } finally {
    await v.close();
  }
});

// ---- the standalone viewer ----------------------------------------------------------------

/** `path` of `base` in a fresh context (its own localStorage and sessionStorage), once the widget settled. */
async function viewer(pathname, { base = server.url, viewport = { width: 1000, height: 900 }, colorScheme = 'light', state = 'ready' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const watch = watchPage(page);
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), authorization: r.headers().authorization }));
  await page.goto(`${base}${pathname}`);
  await untilState(page, 'backlog', state, { timeout: 10000 });
  return { page, watch, requests, close: () => context.close() };
}

test('viewer: the tools\' tasks, pages, filters that survive a reload, details, nothing that writes', { skip }, async () => {
  const tok = token('viewer');
  const statuses = ['open', 'blocked', 'done', 'in_progress', 'open'];
  const made = [];
  for (let i = 0; i < 25; i += 1) {
    made.push(await create({ title: `${tok} task ${String(i).padStart(2, '0')}`, status: statuses[i % 5], description: `About task ${i}` }));
  }
  const v = await viewer('/backlog/');
  try {
    const { page } = v;
    assert.equal(await page.evaluate(() => document.querySelector('meta[name="backlog:viewer"]')?.content), '/backlog');
    // Page 1 is backlog_list's page 1.
    const first = await tool('backlog_list', {});
    assert.ok(first.total >= 25);
    await waitRows(page, idsOf(first));
    assert.equal(await text(page, 'page-info'), `1–20 of ${first.total}`);
    assert.ok(v.requests.some((r) => new URL(r.url).pathname === '/backlog/tasks'), 'read from the JSON API');
    assert.ok(!v.requests.some((r) => r.method === 'POST'), 'the viewer calls no tool');

    // Nothing that writes.
    for (const id of ['task-done', 'task-status', 'add-title', 'add-submit', 'add-form']) {
      assert.equal(await page.locator(`[data-testid="${id}"]`).count(), 0, `${id} is not in the viewer`);
    }
    assert.equal(await page.locator('[data-testid="task-row"] select, [data-testid="task-row"] input').count(), 0);

    // Next page: backlog_list's offset 20.
    await page.click('[data-testid="pager-next"]');
    await waitRows(page, idsOf(await tool('backlog_list', { offset: 20 })));
    assert.match(await text(page, 'page-info'), new RegExp(`^21–\\d+ of ${first.total}$`));
    assert.match(page.url(), /[?&]offset=20(&|$)/);
    await page.click('[data-testid="pager-prev"]');
    await waitRows(page, idsOf(first));

    // Filters: chips and text, in the URL; a reload keeps them.
    await page.click('[data-testid="filter-status-open"]');
    await page.click('[data-testid="filter-status-blocked"]');
    await page.fill('[data-testid="filter-text"]', tok);
    const filtered = await tool('backlog_list', { status: ['open', 'blocked'], text: tok });
    assert.equal(filtered.total, 15);
    await waitRows(page, idsOf(filtered));
    await until(() => new URL(page.url()).searchParams.get('text') === tok, () => `the URL has no text filter: ${page.url()}`);
    assert.equal(new URL(page.url()).searchParams.get('status'), 'open,blocked');
    await page.reload();
    await waitRows(page, idsOf(filtered));
    assert.equal(await page.getAttribute('[data-testid="filter-status-open"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('[data-testid="filter-status-blocked"]', 'aria-pressed'), 'true');
    assert.equal(await page.getAttribute('[data-testid="filter-status-done"]', 'aria-pressed'), 'false');
    assert.equal(await page.inputValue('[data-testid="filter-text"]'), tok);
    assert.equal(await text(page, 'total'), '15 tasks');
    const saved = await page.evaluate(() => window.skyport.state.widgetState);
    assert.deepEqual(saved.filters.status, ['open', 'blocked']);

    // Sorting by title, through the API.
    await page.selectOption('[data-testid="filter-sort"]', 'title');
    await waitRows(page, idsOf(await tool('backlog_list', { status: ['open', 'blocked'], text: tok, sort: 'title' })));

    // Details, read-only, with the task in the URL.
    const pick = made[5];
    await page.fill('[data-testid="filter-text"]', pick.title);
    await waitRows(page, [pick.id]);
    await row(page, pick.id).locator('[data-testid="task-title"]').click();
    await page.waitForSelector(`[data-testid="detail"][data-id="${pick.id}"]:not([hidden])`);
    assert.equal(await text(page, 'detail-title'), pick.title);
    assert.equal(await text(page, 'detail-description'), 'About task 5');
    assert.equal(await text(page, 'detail-status'), 'Open');
    assert.notEqual(await page.locator('[data-testid="detail-status"]').evaluate((e) => e.tagName), 'SELECT');
    assert.equal(new URL(page.url()).searchParams.get('task'), pick.id);
    await page.reload();
    await page.waitForSelector(`[data-testid="detail"][data-id="${pick.id}"]:not([hidden])`);
    await page.click('[data-testid="detail-back"]');
    await waitRows(page, [pick.id]);
    assert.equal(new URL(page.url()).searchParams.get('task'), null);

    // Progress reads the API too.
    await page.click('[data-testid="tab-progress"]');
    await page.waitForSelector('[data-testid="progress-group"]');
    assert.ok(v.requests.some((r) => new URL(r.url).pathname === '/backlog/progress'));
    await checkClean(page, v.watch);
  } finally {
    await v.close();
  }

  // An unknown task in the URL: the API's 404 message, then the list.
  const missing = await viewer('/backlog?task=T-999999&sort=updated');
  try {
    await missing.page.waitForFunction(() => !document.querySelector('[data-testid="error"]').hidden);
    assert.match(await text(missing.page, 'error'), /T-999999/);
    assert.ok(await missing.page.isVisible('[data-testid="task-row"] >> nth=0'));
  } finally {
    await missing.close();
  }
});

test('viewer: /backlog/ and /backlog/viewer serve the page and keep the query string', { skip }, async () => {
  for (const pathname of ['/backlog/?status=open&sort=title', '/backlog/viewer?status=open&sort=title']) {
    const res = await fetch(`${server.url}${pathname}`, { redirect: 'manual' });
    if (res.status >= 300 && res.status < 400) {
      const to = new URL(res.headers.get('location'), server.url);
      assert.equal(to.search, '?status=open&sort=title', `${pathname} redirects to ${to.pathname}${to.search}: the filters are lost`);
    } else {
      assert.equal(res.status, 200, pathname);
      assert.match(await res.text(), /<meta name="backlog:viewer" content="\/backlog">/);
    }
  }
  const v = await viewer('/backlog/?status=open&sort=title');
  try {
    assert.equal(await v.page.getAttribute('[data-testid="filter-status-open"]', 'aria-pressed'), 'true');
    assert.equal(await v.page.inputValue('[data-testid="filter-sort"]'), 'title');
    await waitRows(v.page, idsOf(await tool('backlog_list', { status: ['open'], sort: 'title' })));
  } finally {
    await v.close();
  }
});

test('viewer with SKYPORT_AUTH_REQUIRE_API_KEY=backlog: the API-key box, then the tasks', { skip }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'skyport-backlog-key-'));
  let locked;
  try {
    const { stdout } = await promisify(execFile)(skyportBin, ['api-key', 'create', '--name', 't', '--data-dir', dir]);
    const key = stdout.trim();
    assert.match(key, /^sk_/);
    locked = await startSkyport(['serve', '--apps', 'backlog'], { env: { SKYPORT_DATA_DIR: dir, SKYPORT_AUTH_REQUIRE_API_KEY: 'backlog' } });
    // Set up through the REST tool route, with the key (the shared backlog).
    const call = async (name, args, auth = `Bearer ${key}`) => fetch(`${locked.url}/backlog/mcp/tools/call`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify({ name, arguments: args }),
    });
    assert.equal((await call('backlog_list', {}, null)).status, 401, 'the app is protected');
    const made = [];
    for (const title of ['Locked one', 'Locked two']) made.push((await (await call('backlog_create', { title })).json()).structuredContent.task);
    assert.equal((await fetch(`${locked.url}/backlog/tasks`)).status, 401);

    const v = await viewer('/backlog/', { base: locked.url, state: 'error' });
    try {
      const { page } = v;
      await page.waitForSelector('[data-testid="api-key"]', { state: 'visible' });
      assert.equal(await page.locator('[data-testid="task-row"]').count(), 0);
      // A wrong key: asked again.
      await page.fill('[data-testid="api-key"]', 'sk_000000000000_wrong');
      await page.click('[data-testid="api-key-submit"]');
      await page.waitForFunction(() => /not accepted/.test(document.querySelector('[data-testid="error"]').textContent));
      assert.ok(await page.isVisible('[data-testid="api-key"]'));
      // The right one: the tasks, and every API read carries it.
      await page.fill('[data-testid="api-key"]', key);
      await page.press('[data-testid="api-key"]', 'Enter');
      const listed = await (await fetch(`${locked.url}/backlog/tasks`, { headers: { authorization: `Bearer ${key}` } })).json();
      assert.deepEqual(listed.tasks.map((t) => t.title).sort(), ['Locked one', 'Locked two']);
      await waitRows(page, idsOf(listed));
      assert.ok(await page.isHidden('[data-testid="api-key"]'));
      assert.equal(await page.evaluate(() => sessionStorage.getItem('backlog:api-key')), key);
      const reads = v.requests.filter((r) => new URL(r.url).pathname.startsWith('/backlog/tasks'));
      assert.equal(reads.at(-1).authorization, `Bearer ${key}`);
      // A reload in the same tab keeps the key; details read with it.
      await page.reload();
      await waitRows(page, idsOf(listed));
      await row(page, made[0].id).locator('[data-testid="task-title"]').click();
      await page.waitForSelector(`[data-testid="detail"][data-id="${made[0].id}"]:not([hidden])`);
      assert.equal(await text(page, 'detail-title'), 'Locked one');
      assert.ok(!JSON.stringify(await page.evaluate(() => ({ ...localStorage }))).includes(key), 'the key is not in localStorage');
      await checkClean(page, v.watch);
    } finally {
      await v.close();
    }
  } finally {
    await locked?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

// ---- small and dark --------------------------------------------------------------------------

test('320 px in the dark theme: list, details and viewer without horizontal scroll', { skip }, async () => {
  const tok = token('narrow');
  const long = await create({ title: `${tok} ${'W'.repeat(120)}`, epic: 'E'.repeat(100), assignee: 'a'.repeat(100), tags: ['t'.repeat(40), 'bug'], priority: 'urgent', description: 'x'.repeat(400) });
  await create({ title: `${tok} short`, status: 'blocked' });
  const overflow = (frame) => frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  const dark = (frame) => frame.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const h = await host('mcp-apps', 'backlog_list', { text: tok }, { width: 320, theme: 'dark' });
  try {
    const { frame } = h;
    await settled(frame);
    assert.equal(await frame.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await dark(frame), 'rgb(24, 24, 27)');
    assert.equal(await overflow(frame), 0, 'the list scrolls sideways at 320 px');
    const right = await frame.evaluate(() => Math.max(...[...document.querySelectorAll('button, select, input')].filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().right)));
    assert.ok(right <= 320, `controls fit: ${right}`);
    await row(frame, long.id).locator('[data-testid="task-title"]').press('Enter');
    await frame.waitForSelector(`[data-testid="detail"][data-id="${long.id}"]:not([hidden])`);
    assert.equal(await overflow(frame), 0, 'the details scroll sideways at 320 px');
    await frame.press('[data-testid="tab-progress"]', 'Enter');
    await frame.waitForSelector('[data-testid="progress-group"]');
    assert.equal(await overflow(frame), 0, 'progress scrolls sideways at 320 px');
    await checkClean(frame, h.watch);
  } finally {
    await h.close();
  }
  const v = await viewer(`/backlog?text=${encodeURIComponent(tok)}`, { viewport: { width: 320, height: 640 }, colorScheme: 'dark' });
  try {
    assert.equal(await v.page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await dark(v.page), 'rgb(24, 24, 27)');
    assert.equal(await overflow(v.page), 0, 'the viewer scrolls sideways at 320 px');
    await checkClean(v.page, v.watch);
  } finally {
    await v.close();
  }
});
