/* Skyport widget bridge: one API, `window.skyport`, over three hosts.
 *
 *   chatgpt     `window.openai` exists (ChatGPT Apps SDK)
 *   mcp-apps    in an iframe without `window.openai`: MCP Apps JSON-RPC 2.0
 *               over postMessage with `window.parent` (protocol 2026-01-26)
 *   standalone  a plain browser tab: calls the tool over Skyport's REST route
 *
 * API (the guide is docs/widgets.md):
 *   skyport.host                      'chatgpt' | 'mcp-apps' | 'standalone'
 *   skyport.ready                     Promise, resolves once connected to the host
 *   skyport.state                     frozen snapshot, replaced on every change:
 *     { toolInput, toolOutput (= structuredContent), toolResult (the full
 *       CallToolResult; null in ChatGPT), meta (the result's _meta), widgetState,
 *       theme, locale, displayMode, maxHeight,
 *       status: 'waiting'|'input'|'result'|'cancelled'|'error', error (message) }
 *   skyport.subscribe(fn)             fn(state) at once if tool data is already
 *                                     there, then on every change; returns unsubscribe
 *   skyport.callTool(name, args)      Promise<CallToolResult>
 *   skyport.getWidgetState()          the widget state, or null
 *   skyport.setWidgetState(obj)       Promise
 *   skyport.sendFollowUp(text)        Promise
 *   skyport.openLink(url)             Promise (http, https and mailto only)
 *   skyport.requestDisplayMode(mode)  Promise<{mode}> ('inline'|'fullscreen'|'pip')
 *   skyport.requestModal(opts)        Promise (outside ChatGPT: fullscreen)
 *   skyport.log(level, data)
 *
 * The bridge buffers host data from the moment it loads, so a widget script
 * that subscribes later still sees everything. It sets data-theme, data-host,
 * data-display-mode and color-scheme on <html>, applies MCP Apps host CSS
 * variables and reports the content size to the host. It never builds markup
 * from data, and it ignores malformed messages and messages not from its host.
 */
(() => {
  'use strict';
  if (window.skyport && window.skyport.version) return; // loaded twice: keep the first

  const VERSION = '1.0.0';
  const PROTOCOL_VERSION = '2026-01-26';
  const DISPLAY_MODES = ['inline', 'fullscreen', 'pip'];
  const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
  const root = document.documentElement;

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const isMode = (m) => DISPLAY_MODES.includes(m);
  const normTheme = (t) => (t === 'dark' ? 'dark' : 'light');
  const attempt = (fn) => Promise.resolve().then(fn); // a synchronous throw becomes a rejection
  const metaContent = (name) => {
    const el = document.querySelector(`meta[name="${name}"]`);
    return (el && el.getAttribute('content')) || '';
  };
  const prefersDark = () => {
    try { return window.matchMedia('(prefers-color-scheme: dark)').matches; } catch (e) { return false; }
  };
  const widgetId = `${metaContent('skyport:app') || 'app'}/${metaContent('skyport:widget') || 'widget'}`;

  const host = isObject(window.openai) ? 'chatgpt' : window.parent !== window ? 'mcp-apps' : 'standalone';

  // ---- state ------------------------------------------------------------------

  let state = Object.freeze({
    toolInput: null, toolOutput: null, toolResult: null, meta: null, widgetState: null,
    theme: prefersDark() ? 'dark' : 'light',
    locale: navigator.language || 'en',
    displayMode: 'inline', maxHeight: null, status: 'waiting', error: null,
  });
  const subscribers = new Set();

  const deliver = (fn) => {
    try { fn(state); } catch (e) { console.error('[skyport] a subscriber threw', e); }
  };

  function applyDocument() {
    root.dataset.host = host;
    root.dataset.theme = state.theme;
    root.dataset.displayMode = state.displayMode;
    root.style.colorScheme = state.theme;
  }

  /** Merges `patch` into the state; on a change re-applies <html> and notifies. */
  function update(patch) {
    if (!Object.keys(patch).some((k) => !Object.is(state[k], patch[k]))) return;
    state = Object.freeze({ ...state, ...patch });
    applyDocument();
    [...subscribers].forEach(deliver);
  }

  /** Tool input only moves 'waiting' forward: a result or cancellation stays. */
  const canTakeInput = () => state.status === 'waiting' || state.status === 'input';

  /** The state patch for a CallToolResult the host delivered. */
  function resultPatch(result) {
    const r = isObject(result) ? result : { content: [] };
    const failed = r.isError === true;
    const text = (Array.isArray(r.content) ? r.content : [])
      .filter((b) => isObject(b) && b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text).join('\n');
    return {
      toolResult: r,
      toolOutput: r.structuredContent === undefined ? null : r.structuredContent,
      meta: isObject(r._meta) ? r._meta : null,
      status: failed ? 'error' : 'result',
      error: failed ? text || 'The tool reported an error.' : null,
    };
  }

  function checkMode(mode) {
    if (!isMode(mode)) throw new TypeError(`display mode must be one of ${DISPLAY_MODES.join(', ')}`);
    return mode;
  }
  function checkLink(url) {
    const parsed = new URL(String(url), location.href); // throws on garbage
    if (!['http:', 'https:', 'mailto:'].includes(parsed.protocol)) throw new TypeError('only http, https and mailto links open');
    return parsed.href;
  }
  function checkState(obj) {
    if (!isObject(obj)) throw new TypeError('widget state must be a plain object');
    return obj;
  }
  function consoleLog(level, data) {
    const fn = { debug: 'debug', info: 'info', notice: 'info', warning: 'warn' }[level] || 'error';
    console[fn]('[skyport]', data);
  }

  /** Reports the content size once per frame after layout changes, only when it changed. */
  function observeSize(report) {
    if (typeof ResizeObserver !== 'function') return;
    let queued = false;
    let last = '';
    const measure = () => {
      queued = false;
      // The content's height, not the frame's: let <html> shrink to fit for the measurement.
      const previous = root.style.height;
      root.style.height = 'max-content';
      const height = Math.ceil(root.getBoundingClientRect().height);
      root.style.height = previous;
      const width = Math.ceil(window.innerWidth);
      if (`${width}x${height}` === last) return;
      last = `${width}x${height}`;
      try { report({ width, height }); } catch (e) { console.error('[skyport] size report failed', e); }
    };
    const schedule = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(measure);
    };
    const observer = new ResizeObserver(schedule);
    observer.observe(root);
    if (document.body) observer.observe(document.body);
    else document.addEventListener('DOMContentLoaded', () => { observer.observe(document.body); schedule(); });
    schedule();
  }

  // ---- ChatGPT: window.openai -----------------------------------------------------

  function chatgpt() {
    const openai = window.openai;
    const api = (name) => {
      if (typeof openai[name] !== 'function') throw new Error(`window.openai.${name} is not available in this host`);
      return openai[name].bind(openai);
    };

    const KEYS = ['toolInput', 'toolOutput', 'toolResponseMetadata', 'widgetState', 'theme', 'locale', 'displayMode', 'maxHeight'];

    /**
     * Takes the globals an openai:set_globals event names (its detail is
     * authoritative for those keys: hosts may not have updated window.openai
     * yet); with no detail, re-reads them all from window.openai.
     */
    function sync(globals) {
      let source = globals;
      if (!isObject(source)) {
        source = {};
        KEYS.forEach((k) => { try { source[k] = openai[k]; } catch (e) { /* a throwing getter: skip */ } });
      }
      const has = (k) => k in source;
      const v = (k) => source[k];
      const patch = {};
      if (has('toolInput')) patch.toolInput = isObject(v('toolInput')) ? v('toolInput') : null;
      if (has('toolOutput')) patch.toolOutput = v('toolOutput') == null ? null : v('toolOutput');
      if (has('toolResponseMetadata')) patch.meta = isObject(v('toolResponseMetadata')) ? v('toolResponseMetadata') : null;
      if (has('widgetState')) patch.widgetState = isObject(v('widgetState')) ? v('widgetState') : null;
      if (has('theme')) patch.theme = normTheme(v('theme'));
      if (typeof v('locale') === 'string' && v('locale')) patch.locale = v('locale');
      if (isMode(v('displayMode'))) patch.displayMode = v('displayMode');
      if (has('maxHeight')) patch.maxHeight = Number.isFinite(v('maxHeight')) ? v('maxHeight') : null;
      const next = { ...state, ...patch };
      patch.status = next.toolOutput != null ? 'result' : next.toolInput ? 'input' : 'waiting';
      update(patch);
    }

    window.addEventListener('openai:set_globals', (event) => {
      try { sync(isObject(event.detail) ? event.detail.globals : null); } catch (e) { console.error('[skyport] bad set_globals event', e); }
    });
    sync(null);
    observeSize(({ height }) => {
      if (typeof openai.notifyIntrinsicHeight === 'function') openai.notifyIntrinsicHeight(height);
    });

    return {
      ready: Promise.resolve(),
      callTool: (name, args) => attempt(() => api('callTool')(String(name), args || {})),
      setWidgetState: (obj) => attempt(() => {
        update({ widgetState: checkState(obj) });
        return api('setWidgetState')(obj);
      }),
      sendFollowUp: (text) => attempt(() => api('sendFollowUpMessage')({ prompt: String(text) })),
      openLink: (url) => attempt(() => api('openExternal')({ href: checkLink(url) })),
      requestDisplayMode: (mode) => attempt(() => api('requestDisplayMode')({ mode: checkMode(mode) })).then((result) => {
        const granted = isObject(result) && isMode(result.mode) ? result.mode : state.displayMode;
        update({ displayMode: granted });
        return { mode: granted };
      }),
      requestModal: (opts) => attempt(() => api('requestModal')(opts || {})),
      log: consoleLog,
    };
  }

  // ---- MCP Apps: JSON-RPC 2.0 over postMessage with window.parent ------------------

  function mcpApps() {
    const parent = window.parent;
    const pending = new Map();
    let nextId = 1;
    let context = {};
    let capabilities = {};
    let appliedVars = [];
    let inputComplete = false;
    const EMPTY = Object.freeze({}); // stands in for missing or malformed params

    const post = (message) => {
      try { parent.postMessage({ jsonrpc: '2.0', ...message }, '*'); } catch (e) { console.error('[skyport] postMessage failed', e); }
    };
    const signal = (method, params) => post({ method, params });
    const send = (method, params) => new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ id, method, params });
    });

    function applyStyles(styles) {
      const vars = isObject(styles) && isObject(styles.variables) ? styles.variables : {};
      const names = Object.keys(vars).filter((n) => /^--[A-Za-z0-9-]+$/.test(n) && typeof vars[n] === 'string');
      appliedVars.filter((n) => !names.includes(n)).forEach((n) => root.style.removeProperty(n));
      names.forEach((n) => root.style.setProperty(n, vars[n]));
      appliedVars = names;
      const fonts = isObject(styles) && isObject(styles.css) && typeof styles.css.fonts === 'string' ? styles.css.fonts : '';
      let el = document.getElementById('skyport-host-fonts');
      if (!el && fonts) {
        el = document.createElement('style');
        el.id = 'skyport-host-fonts';
        document.head.appendChild(el);
      }
      if (el) el.textContent = fonts; // the host's CSS, as text
    }

    /** Merges a (partial) host context into the one we have, as host-context-changed asks. */
    function applyContext(partial) {
      if (!isObject(partial)) return;
      context = { ...context, ...partial };
      const patch = {};
      if ('theme' in partial) patch.theme = normTheme(partial.theme);
      if (typeof partial.locale === 'string' && partial.locale) patch.locale = partial.locale;
      if (isMode(partial.displayMode)) patch.displayMode = partial.displayMode;
      if ('containerDimensions' in partial) {
        const dims = isObject(partial.containerDimensions) ? partial.containerDimensions : {};
        const max = 'maxHeight' in dims ? dims.maxHeight : dims.height;
        patch.maxHeight = Number.isFinite(max) ? max : null;
      }
      if ('styles' in partial) applyStyles(partial.styles);
      update(patch);
    }

    function onNotification(method, params) {
      switch (method) {
        case 'ui/notifications/tool-input-partial':
          if (inputComplete) break; // partials stop at the complete input
        // falls through
        case 'ui/notifications/tool-input':
          inputComplete = inputComplete || method === 'ui/notifications/tool-input';
          if (canTakeInput()) update({ toolInput: isObject(params.arguments) ? params.arguments : {}, status: 'input' });
          break;
        case 'ui/notifications/tool-result':
          if (params !== EMPTY) update(resultPatch(params)); // a result without params is no result
          break;
        case 'ui/notifications/tool-cancelled':
          if (canTakeInput()) update({ status: 'cancelled', error: typeof params.reason === 'string' ? params.reason : null });
          break;
        case 'ui/notifications/host-context-changed':
          applyContext(params);
          break;
        default: // list_changed and notifications from later protocol versions
      }
    }

    function onMessage(event) {
      if (event.source !== parent) return; // only the host that embeds us
      const msg = event.data;
      if (!isObject(msg) || msg.jsonrpc !== '2.0') return;
      const validId = typeof msg.id === 'string' || Number.isFinite(msg.id);
      if (typeof msg.method === 'string') {
        if (validId) {
          // Host requests: we answer ping and teardown; we register no app tools.
          const known = msg.method === 'ping' || msg.method === 'ui/resource-teardown';
          post(known ? { id: msg.id, result: {} } : { id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
        } else if (!('id' in msg)) {
          onNotification(msg.method, isObject(msg.params) ? msg.params : EMPTY);
        }
        return;
      }
      const waiter = validId && pending.get(msg.id);
      if (!waiter) return;
      if (isObject(msg.error)) {
        const err = new Error(typeof msg.error.message === 'string' ? msg.error.message : 'The host refused the request');
        err.code = msg.error.code;
        err.data = msg.error.data;
        waiter.reject(err);
      } else if (isObject(msg.result)) {
        waiter.resolve(msg.result);
      } else {
        return; // neither result nor error: malformed, keep waiting
      }
      pending.delete(msg.id);
    }

    window.addEventListener('message', (event) => {
      try { onMessage(event); } catch (e) { console.error('[skyport] ignored a bad host message', e); }
    });

    const ready = send('ui/initialize', {
      protocolVersion: PROTOCOL_VERSION,
      appInfo: { name: widgetId, version: VERSION },
      appCapabilities: { availableDisplayModes: [...DISPLAY_MODES] },
    }).then((result) => {
      capabilities = isObject(result.hostCapabilities) ? result.hostCapabilities : {};
      applyContext(result.hostContext);
      signal('ui/notifications/initialized', {});
      observeSize((size) => signal('ui/notifications/size-changed', size));
    }, (err) => {
      update({ status: 'error', error: `Could not connect to the host: ${err.message}` });
      throw err;
    });
    // Requests wait for the handshake: hosts do not serve a View before it.
    const afterReady = (fn) => ready.then(fn);

    const requestDisplayMode = (mode) => attempt(() => checkMode(mode)).then(() => afterReady(() => {
      const offered = context.availableDisplayModes;
      if (Array.isArray(offered) && !offered.includes(mode)) return { mode: state.displayMode };
      return send('ui/request-display-mode', { mode }).then((result) => {
        const granted = isMode(result.mode) ? result.mode : state.displayMode;
        update({ displayMode: granted });
        return { mode: granted };
      });
    }));

    return {
      ready,
      callTool: (name, args) => afterReady(() => send('tools/call', { name: String(name), arguments: args || {} })),
      setWidgetState: (obj) => attempt(() => {
        update({ widgetState: checkState(obj) });
        return afterReady(() => {
          if (!capabilities.updateModelContext) return {};
          return send('ui/update-model-context', { structuredContent: obj }).catch((e) => {
            console.warn('[skyport] the host refused the widget state as model context', e);
            return {};
          });
        });
      }),
      sendFollowUp: (text) => afterReady(() => send('ui/message', { role: 'user', content: [{ type: 'text', text: String(text) }] })),
      openLink: (url) => attempt(() => checkLink(url)).then((href) => afterReady(() => send('ui/open-link', { url: href }))),
      requestDisplayMode,
      requestModal: () => requestDisplayMode('fullscreen'),
      log: (level, data) => {
        afterReady(() => {
          if (capabilities.logging) signal('notifications/message', { level, logger: widgetId, data });
          else consoleLog(level, data);
        }).catch(() => consoleLog(level, data));
      },
    };
  }

  // ---- standalone: a plain tab, calling the tool over REST -----------------------------

  function standalone() {
    const query = new URLSearchParams(location.search);
    const RESERVED = ['api', 'tool', 'args', 'theme', 'locale'];
    const storageKey = `skyport:widget-state:${location.pathname}${location.search}`;

    /** `?api=https://host/app`, else the app prefix of this page's `/{app}/widgets/{name}`. */
    function apiBase() {
      const api = query.get('api');
      if (api) {
        const url = new URL(api, location.href);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('?api= must be an http(s) URL');
        return url.href.replace(/\/+$/, '');
      }
      const match = location.pathname.match(/^(.*)\/widgets\/[^/]+\/?$/);
      if (!match || !/^https?:$/.test(location.protocol)) {
        throw new Error('No API to call: open this page at /{app}/widgets/{name} or add ?api=https://host/{app}');
      }
      return location.origin + match[1];
    }

    function toolArgs() {
      if (query.has('args')) {
        const parsed = JSON.parse(query.get('args'));
        if (!isObject(parsed)) throw new Error('?args= must be a JSON object');
        return parsed;
      }
      const args = {};
      query.forEach((value, key) => { if (!RESERVED.includes(key)) args[key] = value; });
      return args;
    }

    function loadState() {
      try {
        const saved = JSON.parse(window.localStorage.getItem(storageKey) || 'null');
        return isObject(saved) ? saved : null;
      } catch (e) { return null; } // storage blocked or corrupt: start empty
    }

    const callTool = (name, args) => attempt(() => fetch(`${apiBase()}/mcp/tools/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name: String(name), arguments: args || {} }),
    })).then((res) => res.json().catch(() => null).then((body) => {
      if (!res.ok) {
        const e = isObject(body) && isObject(body.error) ? body.error : {};
        const err = new Error(typeof e.message === 'string' ? e.message : `The server answered HTTP ${res.status}`);
        err.code = e.code;
        err.status = res.status;
        throw err;
      }
      if (!isObject(body)) throw new Error('The server sent a malformed tool result');
      return body;
    }));

    let toastTimer = 0;
    function showFollowUp(text) {
      console.info('[skyport] follow-up (standalone mode has no chat):', text);
      if (!document.body) return;
      let el = document.getElementById('skyport-toast');
      if (!el) {
        el = document.createElement('div');
        el.id = 'skyport-toast';
        el.className = 'skyport-toast';
        el.setAttribute('role', 'status');
        el.setAttribute('data-testid', 'skyport-toast');
        document.body.appendChild(el);
      }
      el.textContent = `Follow-up (no chat here): ${text}`;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => el.remove(), 6000);
    }

    const fixedTheme = query.get('theme');
    update({
      theme: fixedTheme ? normTheme(fixedTheme) : state.theme,
      locale: query.get('locale') || state.locale,
      displayMode: 'fullscreen', // the tab is all the widget's
      widgetState: loadState(),
    });
    if (!fixedTheme && window.matchMedia) {
      const media = window.matchMedia('(prefers-color-scheme: dark)');
      media.addEventListener('change', () => update({ theme: media.matches ? 'dark' : 'light' }));
    }

    // Deliver the input and the result as a host would.
    try {
      const tool = query.get('tool') || metaContent('skyport:tool');
      if (!tool) throw new Error('No tool to call: add ?tool=NAME to the URL');
      const args = toolArgs();
      update({ toolInput: args, status: 'input' });
      callTool(tool, args).then((result) => update(resultPatch(result)), (err) => update({ status: 'error', error: err.message }));
    } catch (err) {
      update({ status: 'error', error: err.message });
    }

    const requestDisplayMode = (mode) => attempt(() => {
      update({ displayMode: checkMode(mode) }); // a tab cannot change; the layout follows, for previews
      return { mode };
    });
    return {
      ready: Promise.resolve(),
      callTool,
      setWidgetState: (obj) => attempt(() => {
        update({ widgetState: checkState(obj) });
        try { window.localStorage.setItem(storageKey, JSON.stringify(obj)); } catch (e) { /* kept in memory */ }
      }),
      sendFollowUp: (text) => attempt(() => { showFollowUp(String(text)); return {}; }),
      openLink: (url) => attempt(() => { window.open(checkLink(url), '_blank', 'noopener,noreferrer'); return {}; }),
      requestDisplayMode,
      requestModal: () => requestDisplayMode('fullscreen'),
      log: consoleLog,
    };
  }

  // ---- the one API -----------------------------------------------------------------

  applyDocument();
  const adapter = host === 'chatgpt' ? chatgpt() : host === 'mcp-apps' ? mcpApps() : standalone();
  adapter.ready.catch(() => { /* reported through state.status */ });

  window.skyport = Object.freeze({
    version: VERSION,
    host,
    ready: adapter.ready,
    get state() { return state; },
    subscribe(fn) {
      if (typeof fn !== 'function') throw new TypeError('skyport.subscribe needs a function');
      subscribers.add(fn);
      if (state.status !== 'waiting' || state.widgetState !== null) deliver(fn);
      return () => { subscribers.delete(fn); };
    },
    callTool: (name, args) => adapter.callTool(name, args),
    getWidgetState: () => state.widgetState,
    setWidgetState: (obj) => adapter.setWidgetState(obj),
    sendFollowUp: (text) => adapter.sendFollowUp(text),
    openLink: (url) => adapter.openLink(url),
    requestDisplayMode: (mode) => adapter.requestDisplayMode(mode),
    requestModal: (opts) => adapter.requestModal(opts),
    log: (level, data) => {
      try { adapter.log(LOG_LEVELS.includes(level) ? level : 'info', data); } catch (e) { /* logging never breaks a widget */ }
    },
  });
})();
