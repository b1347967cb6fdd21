// The backlog widget (backlog_list, backlog_get, backlog_progress): one
// widget, three views chosen by toolOutput.view. In a chat host it reads and
// writes through window.skyport.callTool, and every write re-reads the page
// so the list is what the store holds. As the standalone viewer (the page
// has <meta name="backlog:viewer" content="/backlog">) it reads the JSON API
// with fetch, ignores the bridge's tool data and shows no control that
// writes. Every value goes into the page as text, never as markup.
(() => {
  'use strict';
  const STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'];
  const STATUS_LABELS = { open: 'Open', in_progress: 'In progress', blocked: 'Blocked', done: 'Done', cancelled: 'Cancelled' };
  const PRIORITY_LABELS = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'Urgent' };
  const SORTS = ['updated', 'created', 'title', 'priority'];
  const SCOPES = [['epic', 'Epic'], ['sprint', 'Sprint'], ['assignee', 'Assignee']];
  const URL_KEYS = ['status', 'text', 'epic', 'sprint', 'assignee', 'sort', 'offset', 'task', 'tab', 'by'];
  const DEFAULT_LIMIT = 20;
  const TEXT_DELAY_MS = 300;
  const KEY_STORAGE = 'backlog:api-key';

  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('backlog'), which: $('bl-which'), tabs: $('bl-tabs'), tabList: $('bl-tab-list'), tabProgress: $('bl-tab-progress'),
    status: $('bl-status'), notice: $('bl-notice'), key: $('bl-key'), keyInput: $('bl-key-input'), keySubmit: $('bl-key-submit'),
    error: $('bl-error'),
    list: $('bl-list'), chips: $('bl-chips'), text: $('bl-text'), sort: $('bl-sort'), scoped: $('bl-scoped'),
    add: $('bl-add'), addTitle: $('bl-add-title'), addSubmit: $('bl-add-submit'),
    total: $('bl-total'), rows: $('bl-rows'), empty: $('bl-empty'), prev: $('bl-prev'), next: $('bl-next'), pageInfo: $('bl-page-info'),
    detail: $('bl-detail'), back: $('bl-back'), detailId: $('bl-detail-id'), detailTitle: $('bl-detail-title'),
    detailStatusBox: $('bl-detail-status-box'), detailStatus: $('bl-detail-status'), facts: $('bl-facts'),
    description: $('bl-description'), more: $('bl-more'), fields: $('bl-fields'),
    progress: $('bl-progress'), by: $('bl-by'), progressTotal: $('bl-progress-total'), groups: $('bl-groups'),
    progressEmpty: $('bl-progress-empty'), truncated: $('bl-truncated'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.hidden = true;
    ui.error.hidden = false;
    ui.error.textContent = 'The Skyport bridge did not load.';
    return;
  }

  // ---- helpers -------------------------------------------------------------------

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const optStr = (v) => (typeof v === 'string' && v !== '' ? v : null);
  const count = (v) => (Number.isInteger(v) && v >= 0 ? v : 0);
  const statusLabel = (s) => STATUS_LABELS[s] || str(s);
  const textOf = (r) => ((r && Array.isArray(r.content)) ? r.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
  /** An element with a class, text (never markup) and a data-testid. */
  const el = (tag, className, text, testid) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  };
  const numbers = () => {
    try { return new Intl.NumberFormat(sky.state.locale || undefined); } catch (e) { return new Intl.NumberFormat('en-US'); }
  };
  const n = (v) => numbers().format(count(v));
  /** A <time> for an RFC 3339 string, formatted in the host's locale. */
  function time(iso, options, testid) {
    const node = el('time', '', undefined, testid);
    const value = str(iso);
    const date = new Date(value);
    node.dateTime = value;
    if (!value || Number.isNaN(date.getTime())) { node.textContent = value || '—'; return node; }
    try { node.textContent = new Intl.DateTimeFormat(sky.state.locale || undefined, options).format(date); } catch (e) {
      node.textContent = new Intl.DateTimeFormat('en-US', options).format(date);
    }
    return node;
  }
  function newRequestId() {
    try {
      if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    } catch (e) { /* not a secure context: fall back */ }
    const part = () => Math.random().toString(36).slice(2, 10);
    return `req-${Date.now().toString(36)}-${part()}${part()}`;
  }

  function normFilters(f) {
    const o = isObject(f) ? f : {};
    const raw = Array.isArray(o.status) ? o.status : typeof o.status === 'string' ? o.status.split(',') : [];
    return {
      status: STATUSES.filter((s) => raw.includes(s)),
      text: str(o.text),
      epic: optStr(o.epic),
      sprint: optStr(o.sprint),
      assignee: optStr(o.assignee),
      sort: SORTS.includes(o.sort) ? o.sort : 'updated',
    };
  }
  const filterKey = (f) => JSON.stringify({ ...f, text: f.text.trim() });
  /** Widget state (or the viewer's query string) as the model's shape, or null. */
  function parseSaved(ws) {
    if (!isObject(ws) || !isObject(ws.filters)) return null;
    return {
      filters: normFilters(ws.filters),
      offset: Number.isInteger(ws.offset) && ws.offset > 0 ? ws.offset : 0,
      selected: optStr(ws.selected),
      tab: ws.tab === 'progress' ? 'progress' : 'list',
      by: ws.by === 'epic' ? 'epic' : 'sprint',
    };
  }

  // ---- the model -----------------------------------------------------------------

  const viewerMeta = document.querySelector('meta[name="backlog:viewer"]');
  const viewer = viewerMeta !== null;
  const apiBase = viewer ? new URL(viewerMeta.getAttribute('content') || '/backlog', location.href).href.replace(/\/+$/, '') : '';

  const m = {
    filters: normFilters(null), offset: 0, limit: DEFAULT_LIMIT, selected: null, tab: 'list', by: 'sprint',
    list: null, detail: null, progress: null, backlog: '',
    pending: 0, loading: { list: false, detail: false, progress: false }, adding: false,
    error: '', notice: '', needKey: false, fullscreen: false,
    optimistic: new Map(), // task id → the status shown while its update is on the way
  };
  const seq = { list: 0, detail: 0, progress: 0 }; // only the newest read of a kind lands

  const snapshot = () => ({
    filters: { ...m.filters, status: [...m.filters.status], text: m.filters.text.trim() || null },
    offset: m.offset, selected: m.selected, tab: m.tab, by: m.by,
  });
  /** Writes the widget state (and, in the viewer, the query string) after every change. */
  function save() {
    const s = snapshot();
    sky.setWidgetState(s).catch((e) => sky.log('warning', `could not save the widget state: ${e.message}`));
    if (viewer) writeUrl(s);
  }
  function restore(saved) {
    Object.assign(m, { filters: saved.filters, offset: saved.offset, selected: saved.selected, tab: saved.tab, by: saved.by });
    ui.text.value = m.filters.text;
  }

  // ---- reading and writing ---------------------------------------------------------

  function listArgs() {
    const f = m.filters;
    const args = { offset: m.offset, limit: m.limit, sort: f.sort };
    if (f.status.length) args.status = [...f.status];
    if (f.text.trim()) args.text = f.text.trim();
    for (const [k] of SCOPES) if (f[k] !== null) args[k] = f[k];
    return args;
  }

  /** structuredContent of a successful result with `view`, else an Error with the tool's words. */
  function expect(result, view) {
    const sc = result && isObject(result.structuredContent) ? result.structuredContent : null;
    if (!result || result.isError || !sc) throw new Error(textOf(result) || 'The backlog did not answer.');
    if (view && sc.view !== view) throw new Error(`The backlog sent a “${str(sc.view)}” result where a “${view}” one was expected.`);
    return sc;
  }

  let apiKey = '';
  try { apiKey = (viewer && window.sessionStorage.getItem(KEY_STORAGE)) || ''; } catch (e) { /* storage blocked */ }
  function keepKey(key) {
    apiKey = key;
    try { window.sessionStorage.setItem(KEY_STORAGE, key); } catch (e) { /* kept in memory */ }
  }

  /** The viewer's read: GET {base}/tasks, /tasks/{id} or /progress. A 401 asks for an API key. */
  async function fetchApi(kind, args) {
    let path;
    if (kind === 'list') {
      const q = new URLSearchParams();
      if (args.status) q.set('status', args.status.join(','));
      for (const k of ['text', 'epic', 'sprint', 'assignee', 'sort']) if (args[k] != null) q.set(k, args[k]);
      q.set('offset', String(args.offset));
      q.set('limit', String(args.limit));
      path = `/tasks?${q}`;
    } else if (kind === 'get') {
      path = `/tasks/${encodeURIComponent(args.id)}`;
    } else {
      path = `/progress?by=${encodeURIComponent(args.by)}`;
    }
    const headers = { accept: 'application/json' };
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const res = await fetch(apiBase + path, { headers, credentials: 'same-origin' });
    const body = await res.json().catch(() => null);
    if (res.status === 401) {
      const e = new Error(apiKey ? 'That API key was not accepted: check it and try again.' : 'This backlog needs an API key.');
      e.needKey = true;
      throw e;
    }
    if (!res.ok || !isObject(body)) {
      const e = isObject(body) ? body.error : null;
      const message = isObject(e) && typeof e.message === 'string' ? e.message
        : isObject(body) && typeof body.error_description === 'string' ? body.error_description : `The server answered HTTP ${res.status}.`;
      throw new Error(message);
    }
    return body;
  }

  async function read(kind, args) {
    if (viewer) return fetchApi(kind, args);
    const tool = { list: 'backlog_list', get: 'backlog_get', progress: 'backlog_progress' }[kind];
    return expect(await sky.callTool(tool, args), kind === 'get' ? 'task' : kind);
  }

  /** Runs a read of `kind`; resolves { out } or { error }, or null when a newer read replaced it. */
  async function track(kind, fn) {
    const token = ++seq[kind];
    m.pending += 1;
    m.loading[kind] = true;
    render();
    let outcome;
    try {
      outcome = { out: await fn() };
    } catch (e) {
      outcome = { error: e };
    }
    m.pending -= 1;
    if (token !== seq[kind]) return null;
    m.loading[kind] = false;
    if (outcome.error) {
      const e = outcome.error;
      m.needKey = Boolean(e.needKey);
      m.error = e.message || 'The backlog did not answer.';
    } else {
      m.needKey = false;
      if (isObject(outcome.out) && typeof outcome.out.backlog === 'string') m.backlog = outcome.out.backlog;
    }
    return outcome;
  }

  async function write(name, args) {
    m.pending += 1;
    render();
    try {
      return expect(await sky.callTool(name, args), 'task');
    } finally {
      m.pending -= 1;
    }
  }

  async function queryList() {
    const r = await track('list', () => read('list', listArgs()));
    if (r && r.out) {
      if (!Array.isArray(r.out.tasks)) {
        m.error = 'The backlog sent no tasks.';
      } else if (!r.out.tasks.length && m.offset > 0 && count(r.out.total) > 0) {
        // Past the last page (tasks went away): show the last one.
        m.offset = Math.floor((count(r.out.total) - 1) / m.limit) * m.limit;
        save();
        return queryList();
      } else {
        m.list = r.out;
      }
    }
    return render();
  }

  async function openTask(id, { fullscreen = false, focus = false } = {}) {
    m.selected = id;
    if (m.detail && m.detail.id !== id) m.detail = null;
    save();
    if (fullscreen && !viewer) {
      sky.requestDisplayMode('fullscreen').then((r) => { m.fullscreen = Boolean(r && r.mode === 'fullscreen'); }, () => {});
    }
    const r = await track('detail', () => read('get', { id }));
    if (r && r.out && m.selected === id) {
      if (isObject(r.out.task)) m.detail = r.out.task;
      else m.error = 'The backlog sent no task.';
    } else if (r && r.error && !r.error.needKey && m.selected === id) {
      m.selected = null; // back to the list, with the error shown
      save();
      ensure();
    }
    render();
    if (focus && m.detail && m.selected === id) ui.detailTitle.focus();
  }

  async function queryProgress() {
    const r = await track('progress', () => read('progress', { by: m.by }));
    if (r && r.out) {
      if (Array.isArray(r.out.groups)) m.progress = r.out;
      else m.error = 'The backlog sent no progress.';
    }
    render();
  }

  /** Loads whatever the current view lacks. */
  function ensure() {
    if (m.needKey) return;
    if (m.selected) {
      if (!(m.detail && m.detail.id === m.selected)) openTask(m.selected);
    } else if (m.tab === 'progress') {
      if (!(m.progress && m.progress.by === m.by)) queryProgress();
    } else if (!m.list) {
      queryList();
    }
  }

  // ---- actions -----------------------------------------------------------------------

  function clearMessages() {
    m.error = '';
    m.notice = '';
  }

  function setFilters(patch) {
    clearMessages();
    m.filters = { ...m.filters, ...patch };
    m.offset = 0;
    save();
    queryList();
  }

  function setOffset(offset) {
    clearMessages();
    m.offset = Math.max(0, offset);
    save();
    queryList();
  }

  /** The row checkbox and status selects: shown at once, rolled back if the tool refuses. */
  async function changeStatus(id, status, expectedVersion) {
    if (viewer) return;
    clearMessages();
    m.optimistic.set(id, status);
    render();
    try {
      const args = { id, status };
      if (Number.isInteger(expectedVersion)) args.expected_version = expectedVersion;
      const out = await write('backlog_update', args);
      if (m.detail && m.detail.id === id && isObject(out.task)) m.detail = out.task;
      await queryList();
    } catch (e) {
      m.error = `Could not set ${id} to “${statusLabel(status)}”: ${e.message}`;
    } finally {
      m.optimistic.delete(id);
      render();
    }
  }

  let addKey = null; // { title, requestId }: a retry of the same title reuses its request id
  async function addTask() {
    if (viewer || m.adding) return;
    clearMessages();
    const title = ui.addTitle.value.trim();
    if (!title) {
      ui.addTitle.setAttribute('aria-invalid', 'true');
      m.error = 'Give the new task a title.';
      render();
      ui.addTitle.focus();
      return;
    }
    ui.addTitle.removeAttribute('aria-invalid');
    if (!addKey || addKey.title !== title) addKey = { title, requestId: newRequestId() };
    m.adding = true;
    try {
      const out = await write('backlog_create', { title, request_id: addKey.requestId });
      addKey = null;
      if (ui.addTitle.value.trim() === title) ui.addTitle.value = '';
      const id = isObject(out.task) ? str(out.task.id) : '';
      m.notice = out.created === false ? `${id} was already added.` : `Added ${id}.`;
      m.adding = false;
      await queryList();
    } catch (e) {
      m.error = `Could not add the task: ${e.message}`;
    } finally {
      m.adding = false;
      render();
    }
  }

  function leaveDetail() {
    const id = m.selected;
    m.selected = null;
    m.detail = null;
    if (m.fullscreen) {
      m.fullscreen = false;
      sky.requestDisplayMode('inline').catch(() => {});
    }
    return id;
  }

  function backToList() {
    clearMessages();
    const id = leaveDetail();
    m.tab = 'list';
    save();
    ensure();
    render();
    const title = id && [...ui.rows.querySelectorAll('[data-testid="task-row"]')].find((r) => r.dataset.id === id);
    (title ? title.querySelector('[data-testid="task-title"]') : ui.tabList).focus();
  }

  function setTab(tab) {
    if (tab === m.tab && !m.selected) return;
    clearMessages();
    leaveDetail();
    m.tab = tab;
    save();
    if (tab === 'progress') queryProgress(); // always fresh
    else ensure();
    render();
  }

  // ---- where the data comes from --------------------------------------------------------

  let lastOutput;      // the host's toolOutput last seen
  let adopted = false; // it was backlog data

  /** A result the host delivered (or delivered again): show it, then what the widget state says. */
  function adopt(out, widgetState) {
    Object.assign(m, { list: null, detail: null, progress: null, selected: null, tab: 'list', backlog: str(out.backlog) });
    clearMessages();
    if (out.view === 'list' && Array.isArray(out.tasks)) {
      m.list = out;
      m.filters = normFilters(out.filters);
      m.offset = count(out.offset);
      m.limit = Number.isInteger(out.limit) && out.limit > 0 ? out.limit : DEFAULT_LIMIT;
    } else if (out.view === 'task' && isObject(out.task)) {
      m.detail = out.task;
      m.selected = str(out.task.id);
    } else if (out.view === 'progress' && Array.isArray(out.groups)) {
      m.progress = out;
      m.tab = 'progress';
      m.by = out.by === 'epic' ? 'epic' : 'sprint';
    } else if (out.view === 'deleted') {
      const id = str(out.id);
      m.notice = out.deleted === false ? `There was no task ${id}: nothing was deleted.` : `Deleted ${id}.`;
    } else {
      m.error = 'The backlog sent a result this widget cannot show.';
      adopted = false;
      return render();
    }
    const saved = parseSaved(widgetState);
    if (!saved) {
      ui.text.value = m.filters.text;
      ensure();
      return render();
    }
    // The user has been here (a re-render): their filters, page, tab and task
    // come back, and the view is read again, since the store may have moved on.
    if (m.list && (filterKey(saved.filters) !== filterKey(m.filters) || saved.offset !== m.offset)) m.list = null;
    if (m.progress && saved.by !== m.by) m.progress = null;
    restore(saved);
    if (m.selected) openTask(m.selected);
    else if (m.tab === 'progress') queryProgress();
    else queryList();
    return render();
  }

  function onState(state) {
    if (!viewer && state.toolOutput !== lastOutput) {
      lastOutput = state.toolOutput;
      adopted = isObject(lastOutput);
      if (adopted) return adopt(lastOutput, state.widgetState);
    }
    return render();
  }

  function readUrl() {
    const q = new URLSearchParams(location.search);
    if (!URL_KEYS.some((k) => q.has(k))) return null;
    return parseSaved({
      filters: { status: q.get('status') || '', text: q.get('text'), epic: q.get('epic'), sprint: q.get('sprint'), assignee: q.get('assignee'), sort: q.get('sort') },
      offset: Number(q.get('offset')), selected: q.get('task'), tab: q.get('tab'), by: q.get('by'),
    });
  }

  function writeUrl(s) {
    try {
      const url = new URL(location.href);
      const q = url.searchParams;
      URL_KEYS.forEach((k) => q.delete(k));
      if (s.filters.status.length) q.set('status', s.filters.status.join(','));
      if (s.filters.text) q.set('text', s.filters.text);
      for (const [k] of SCOPES) if (s.filters[k] !== null) q.set(k, s.filters[k]);
      q.set('sort', s.filters.sort); // always one key: this URL, not older widget state, decides on reload
      if (s.offset) q.set('offset', String(s.offset));
      if (s.selected) q.set('task', s.selected);
      if (s.tab !== 'list') q.set('tab', s.tab);
      if (s.by !== 'sprint') q.set('by', s.by);
      history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
    } catch (e) { /* a page that cannot change its URL keeps the widget state */ }
  }

  function startViewer() {
    ui.root.dataset.viewer = 'true';
    ui.add.remove(); // the viewer reads; nothing here writes
    const badge = el('span', 'bl__badge', '', 'detail-status');
    ui.detailStatusBox.replaceChildren(el('span', 'bl__label', 'Status'), badge);
    ui.detailStatus = badge;
    const saved = readUrl() || parseSaved(sky.state.widgetState);
    if (saved) restore(saved);
    save(); // the URL and the widget state agree from the start
    ensure();
  }

  // ---- rendering ------------------------------------------------------------------------

  const view = () => (m.selected ? 'detail' : m.tab === 'progress' ? 'progress' : 'list');
  const hasData = (v) => (v === 'detail' ? Boolean(m.detail && m.detail.id === m.selected) : v === 'progress' ? Boolean(m.progress) : Boolean(m.list));

  function render() {
    const state = sky.state;
    const v = view();
    let phase = 'loading';
    let status = 'Loading the backlog…';
    let error = m.error;
    if (!viewer && !adopted && state.status === 'cancelled') {
      phase = 'cancelled';
      status = state.error ? `The request was cancelled: ${state.error}` : 'The request was cancelled.';
    } else if (!viewer && !adopted && state.status === 'error') {
      phase = 'error';
      error = state.error || 'The backlog tool failed.';
    } else if (!viewer && !adopted) {
      phase = error ? 'error' : 'loading';
    } else if (m.needKey) {
      phase = 'error';
    } else if (hasData(v)) {
      phase = 'ready';
    } else if (!m.loading.list && !m.loading.detail && !m.loading.progress && error) {
      phase = 'error';
    }
    ui.root.dataset.state = phase;
    ui.root.dataset.view = v;
    ui.root.dataset.busy = String(m.pending > 0);
    ui.root.setAttribute('aria-busy', String(phase === 'loading' || m.pending > 0));
    ui.status.hidden = phase !== 'loading' && phase !== 'cancelled';
    ui.status.textContent = status;
    ui.notice.hidden = !m.notice;
    ui.notice.textContent = m.notice;
    ui.error.hidden = !error;
    ui.error.textContent = error;
    ui.key.hidden = !(viewer && m.needKey);
    ui.which.hidden = !m.backlog;
    ui.which.textContent = m.backlog === 'personal' ? 'Your backlog' : m.backlog === 'shared' ? 'Shared backlog' : m.backlog;
    ui.tabs.hidden = !(viewer || adopted) || m.needKey;
    const onProgress = m.tab === 'progress' && !m.selected;
    ui.tabList.setAttribute('aria-selected', String(!onProgress));
    ui.tabProgress.setAttribute('aria-selected', String(onProgress));
    ui.tabList.tabIndex = onProgress ? -1 : 0;
    ui.tabProgress.tabIndex = onProgress ? 0 : -1;

    const ready = phase === 'ready';
    ui.list.hidden = !(ready && v === 'list');
    ui.detail.hidden = !(ready && v === 'detail');
    ui.progress.hidden = !(ready && v === 'progress');
    renderFilters();
    if (!ui.list.hidden) renderList();
    if (!ui.detail.hidden) renderDetail();
    if (!ui.progress.hidden) renderProgress();
  }

  function renderFilters() {
    for (const chip of ui.chips.querySelectorAll('[data-status]')) {
      chip.setAttribute('aria-pressed', String(m.filters.status.includes(chip.dataset.status)));
    }
    if (ui.sort.value !== m.filters.sort) ui.sort.value = m.filters.sort;
    if (ui.by.value !== m.by) ui.by.value = m.by;
    const scoped = SCOPES.filter(([k]) => m.filters[k] !== null);
    ui.scoped.hidden = !scoped.length;
    const key = JSON.stringify(scoped.map(([k]) => [k, m.filters[k]]));
    if (ui.scoped.dataset.key === key) return;
    ui.scoped.dataset.key = key;
    ui.scoped.replaceChildren(...scoped.map(([k, label]) => {
      const chip = el('button', 'secondary bl__chip', `${label}: ${m.filters[k]} ✕`, `filter-clear-${k}`);
      chip.type = 'button';
      chip.setAttribute('aria-label', `Clear the ${label.toLowerCase()} filter (${m.filters[k]})`);
      chip.addEventListener('click', () => setFilters({ [k]: null }));
      return chip;
    }));
  }

  function statusSelect(value, testid, label) {
    const select = el('select', 'bl__input', undefined, testid);
    const values = STATUSES.includes(value) ? STATUSES : [...STATUSES, value];
    for (const s of values) {
      const option = el('option', '', statusLabel(s));
      option.value = s;
      select.append(option);
    }
    select.value = value;
    select.setAttribute('aria-label', label);
    return select;
  }
  function statusBadge(status, testid) {
    const badge = el('span', 'bl__badge', statusLabel(status), testid);
    badge.dataset.status = status;
    return badge;
  }

  function buildRow(t) {
    const id = t.id;
    const status = m.optimistic.get(id) || str(t.status);
    const title = str(t.title) || id;
    const li = el('li', 'bl__task', undefined, 'task-row');
    li.dataset.id = id;
    li.dataset.status = status;
    if (m.optimistic.has(id)) li.dataset.pending = 'true';
    if (!viewer) {
      const label = el('label', 'bl__check');
      const box = el('input', '', undefined, 'task-done');
      box.type = 'checkbox';
      box.checked = status === 'done';
      box.addEventListener('change', () => changeStatus(id, box.checked ? 'done' : 'open'));
      label.append(box, el('span', 'bl__sr', `Done: ${title}`));
      li.append(label);
    }
    const main = el('div', 'bl__task-main');
    const button = el('button', 'bl__title', title, 'task-title');
    button.type = 'button';
    button.addEventListener('click', () => openTask(id, { fullscreen: true, focus: true }));
    const meta = el('p', 'bl__meta');
    meta.append(el('span', 'bl__id', id, 'task-id'));
    if (t.priority && t.priority !== 'medium') {
      const p = el('span', 'bl__badge', PRIORITY_LABELS[t.priority] || str(t.priority), 'task-priority');
      p.dataset.priority = str(t.priority);
      meta.append(p);
    }
    if (optStr(t.epic)) meta.append(el('span', '', `Epic: ${t.epic}`, 'task-epic'));
    if (optStr(t.sprint)) meta.append(el('span', '', `Sprint: ${t.sprint}`, 'task-sprint'));
    if (optStr(t.assignee)) meta.append(el('span', '', `@${t.assignee}`, 'task-assignee'));
    if (Array.isArray(t.tags)) for (const tag of t.tags) meta.append(el('span', '', `#${str(tag)}`, 'task-tag'));
    main.append(button, meta);
    li.append(main);
    if (viewer) {
      li.append(statusBadge(status, 'task-status-text'));
    } else {
      const select = statusSelect(status, 'task-status', `Status of ${title}`);
      select.addEventListener('change', () => changeStatus(id, select.value));
      li.append(select);
    }
    return li;
  }

  let drawn = { list: null, key: '' };
  function renderList() {
    const list = m.list;
    const key = `${sky.state.locale}|${JSON.stringify([...m.optimistic])}`;
    if (drawn.list !== list || drawn.key !== key) {
      // Rebuilt rows keep the keyboard focus where it was.
      const active = document.activeElement;
      const row = active && ui.rows.contains(active) ? active.closest('[data-testid="task-row"]') : null;
      const focus = row ? [row.dataset.id, active.dataset.testid] : null;
      const tasks = list.tasks.filter((t) => isObject(t) && typeof t.id === 'string' && t.id);
      ui.rows.replaceChildren(...tasks.map(buildRow));
      ui.rows.dataset.count = String(tasks.length);
      if (focus) {
        const again = [...ui.rows.children].find((r) => r.dataset.id === focus[0]);
        const target = again && again.querySelector(`[data-testid="${focus[1]}"]`);
        if (target) target.focus();
      }
      drawn = { list, key };
    }
    const total = count(list.total);
    const offset = count(list.offset);
    const shown = ui.rows.children.length;
    ui.total.textContent = `${n(total)} ${total === 1 ? 'task' : 'tasks'}`;
    ui.total.dataset.total = String(total);
    ui.pageInfo.textContent = shown ? `${n(offset + 1)}–${n(offset + shown)} of ${n(total)}` : `0 of ${n(total)}`;
    ui.empty.hidden = shown > 0;
    ui.prev.disabled = offset <= 0;
    ui.next.disabled = !Number.isInteger(list.nextOffset);
    if (ui.addSubmit) {
      ui.addSubmit.disabled = m.adding;
      ui.addSubmit.textContent = m.adding ? 'Adding…' : 'Add task';
    }
  }

  function fact(label, value, testid) {
    const div = el('div');
    const dd = el('dd', '', undefined, testid);
    if (value instanceof Node) dd.append(value);
    else dd.textContent = value === null || value === '' ? '—' : String(value);
    div.append(el('dt', '', label), dd);
    return div;
  }

  let drawnDetail = { task: null, key: '' };
  function renderDetail() {
    const t = m.detail;
    const status = m.optimistic.get(t.id) || str(t.status);
    const key = `${sky.state.locale}|${status}`;
    if (drawnDetail.task === t && drawnDetail.key === key) return;
    drawnDetail = { task: t, key };
    ui.detail.dataset.id = t.id;
    ui.detailId.textContent = t.id;
    ui.detailTitle.textContent = str(t.title);
    if (viewer) {
      ui.detailStatus.textContent = statusLabel(status);
      ui.detailStatus.dataset.status = status;
    } else {
      const select = statusSelect(status, 'detail-status', 'Status');
      select.id = 'bl-detail-status';
      select.addEventListener('change', () => changeStatus(t.id, select.value, t.version));
      const focused = document.activeElement === ui.detailStatus;
      ui.detailStatus.replaceWith(select);
      ui.detailStatus = select;
      if (focused) select.focus();
    }
    const tags = Array.isArray(t.tags) ? t.tags.map((x) => `#${str(x)}`).join(' ') : '';
    const dateTime = { dateStyle: 'medium', timeStyle: 'short' };
    ui.facts.replaceChildren(
      fact('Priority', PRIORITY_LABELS[t.priority] || str(t.priority), 'detail-priority'),
      fact('Epic', optStr(t.epic), 'detail-epic'),
      fact('Sprint', optStr(t.sprint), 'detail-sprint'),
      fact('Assignee', optStr(t.assignee), 'detail-assignee'),
      fact('Tags', tags, 'detail-tags'),
      fact('Created', time(t.createdAt, dateTime), 'detail-created'),
      fact('Updated', time(t.updatedAt, dateTime), 'detail-updated'),
      fact('Version', Number.isInteger(t.version) ? n(t.version) : null, 'detail-version'),
    );
    const description = str(t.description);
    ui.description.textContent = description || 'No description.';
    ui.description.dataset.empty = String(!description);
    const extra = isObject(t.fields) ? Object.entries(t.fields) : [];
    ui.more.hidden = !extra.length;
    ui.fields.replaceChildren(...extra.map(([k, v]) => {
      const pre = el('pre', '', typeof v === 'string' ? v : JSON.stringify(v, null, 2));
      const item = fact(k, pre);
      item.dataset.field = k;
      return item;
    }));
  }

  function renderProgress() {
    const p = m.progress;
    const by = p.by === 'epic' ? 'epic' : 'sprint';
    ui.groups.dataset.by = by;
    ui.progressTotal.textContent = `${n(p.total)} ${p.total === 1 ? 'task' : 'tasks'} by ${by}`;
    const groups = p.groups.filter(isObject);
    ui.groups.replaceChildren(...groups.map((g) => {
      const name = optStr(g.name);
      const label = name === null ? `No ${by}` : name;
      const pct = Math.max(0, Math.min(100, count(g.percentDone)));
      const li = el('li', 'bl__group', undefined, 'progress-group');
      li.dataset.name = name === null ? '' : name;
      const head = el('div', 'bl__group-head');
      const nameEl = el('span', 'bl__group-name', label, 'progress-name');
      if (name === null) nameEl.dataset.none = 'true';
      head.append(nameEl, el('span', 'bl__group-pct', `${pct}%`, 'progress-percent'));
      const bar = el('div', 'bl__bar', undefined, 'progress-bar');
      bar.setAttribute('role', 'progressbar');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '100');
      bar.setAttribute('aria-valuenow', String(pct));
      bar.setAttribute('aria-label', `${label}: ${pct}% done`);
      const fill = el('div', 'bl__bar-fill');
      fill.style.width = `${pct}%`;
      bar.append(fill);
      const counted = count(g.total) - count(g.cancelled);
      const parts = [`${n(g.done)} of ${n(counted)} done`];
      for (const [k, word] of [['inProgress', 'in progress'], ['blocked', 'blocked'], ['open', 'open'], ['cancelled', 'cancelled']]) {
        if (count(g[k]) > 0) parts.push(`${n(g[k])} ${word}`);
      }
      li.append(head, bar, el('p', 'bl__group-counts', parts.join(' · '), 'progress-counts'));
      return li;
    }));
    ui.progressEmpty.hidden = groups.length > 0;
    ui.truncated.hidden = p.truncated !== true;
  }

  // ---- events ---------------------------------------------------------------------------

  ui.chips.addEventListener('click', (e) => {
    const chip = e.target.closest('[data-status]');
    if (!chip) return;
    const s = chip.dataset.status;
    const status = m.filters.status.includes(s) ? m.filters.status.filter((x) => x !== s) : STATUSES.filter((x) => x === s || m.filters.status.includes(x));
    setFilters({ status });
  });
  let textTimer = 0;
  const applyText = () => {
    clearTimeout(textTimer);
    if (ui.text.value.trim() !== m.filters.text.trim()) setFilters({ text: ui.text.value });
  };
  ui.text.addEventListener('input', () => {
    clearTimeout(textTimer);
    textTimer = setTimeout(applyText, TEXT_DELAY_MS);
  });
  ui.text.addEventListener('keydown', (e) => { if (e.key === 'Enter') applyText(); });
  ui.text.addEventListener('search', applyText);
  ui.sort.addEventListener('change', () => setFilters({ sort: SORTS.includes(ui.sort.value) ? ui.sort.value : 'updated' }));
  ui.prev.addEventListener('click', () => setOffset(count(m.list && m.list.offset) - m.limit));
  ui.next.addEventListener('click', () => { if (m.list && Number.isInteger(m.list.nextOffset)) setOffset(m.list.nextOffset); });
  // Buttons and Enter, not form submission: sandboxed frames without allow-forms never fire submit.
  ui.addSubmit.addEventListener('click', addTask);
  ui.addTitle.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addTask(); } });
  ui.addTitle.addEventListener('input', () => ui.addTitle.removeAttribute('aria-invalid'));
  ui.back.addEventListener('click', backToList);
  ui.tabList.addEventListener('click', () => (m.selected ? backToList() : setTab('list')));
  ui.tabProgress.addEventListener('click', () => setTab('progress'));
  ui.tabs.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const to = document.activeElement === ui.tabList ? ui.tabProgress : ui.tabList;
    to.focus();
    to.click();
  });
  ui.by.addEventListener('change', () => {
    clearMessages();
    m.by = ui.by.value === 'epic' ? 'epic' : 'sprint';
    save();
    queryProgress();
  });
  function submitKey() {
    const key = ui.keyInput.value.trim().replace(/^bearer\s+/i, '');
    if (!key) {
      ui.keyInput.setAttribute('aria-invalid', 'true');
      ui.keyInput.focus();
      return;
    }
    ui.keyInput.removeAttribute('aria-invalid');
    ui.keyInput.value = '';
    keepKey(key);
    clearMessages();
    m.needKey = false;
    ensure();
    render();
  }
  ui.keySubmit.addEventListener('click', submitKey);
  ui.keyInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); submitKey(); } });

  if (viewer) startViewer();
  sky.subscribe(onState);
  render();
})();
