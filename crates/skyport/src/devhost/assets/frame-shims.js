/* Skyport dev host: the shims injected first into every widget frame.
 *
 * The dev page puts this script, inline, right after the Content-Security-Policy
 * <meta> of the widget document, preceded by a JSON config block:
 *
 *   <script type="application/json" id="skyport-devhost-config">
 *     {"mode":"chatgpt"|"mcp-apps","globals":{...window.openai globals...}}
 *   </script>
 *
 * In both modes it reports CSP violations and uncaught errors to the dev page.
 * In "chatgpt" mode it also defines `window.openai` as ChatGPT does (protocols.md
 * §6.5): the globals, the methods proxied to the dev page as JSON-RPC 2.0 over
 * postMessage (`openai/<method>`, with request ids and promises), and the
 * `openai:set_globals` event when the dev page pushes new globals
 * (`openai/setGlobals` notifications).
 *
 * It runs before the widget's own scripts, keeps nothing on `window` except
 * `window.openai`, and only trusts messages from `window.parent`.
 */
(() => {
  'use strict';
  const parent = window.parent;
  if (parent === window) return; // not framed: nothing to talk to

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

  // The config, read once; the block leaves the DOM so the widget never sees it.
  let config = {};
  const holder = document.getElementById('skyport-devhost-config');
  if (holder) {
    try { config = JSON.parse(holder.textContent); } catch (e) { config = {}; }
    holder.remove();
  }

  const post = (message) => {
    try { parent.postMessage({ jsonrpc: '2.0', ...message }, '*'); } catch (e) { /* a non-clonable value: dropped */ }
  };
  const notify = (method, params) => post({ method, params });

  // ---- both modes: CSP violations and uncaught errors ------------------------------

  const LIMIT = 50; // a widget stuck in a loop must not flood the log
  let reports = 0;
  const report = (method, params) => {
    if (reports >= LIMIT) return;
    reports += 1;
    notify(method, reports === LIMIT ? { ...params, truncated: true } : params);
  };

  window.addEventListener('securitypolicyviolation', (e) => {
    report('devhost/csp-violation', {
      effectiveDirective: e.effectiveDirective,
      violatedDirective: e.violatedDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
      sourceFile: e.sourceFile,
      lineNumber: e.lineNumber,
      columnNumber: e.columnNumber,
      sample: e.sample,
    });
  }, true);
  window.addEventListener('error', (e) => {
    if (e.target !== window) return; // resource load failures come as CSP reports
    report('devhost/error', { message: String(e.message || 'error'), source: e.filename, line: e.lineno, column: e.colno });
  });
  window.addEventListener('unhandledrejection', (e) => {
    const reason = e.reason instanceof Error ? e.reason.message : String(e.reason);
    report('devhost/error', { message: `Unhandled promise rejection: ${reason}` });
  });

  if (config.mode !== 'chatgpt') return;

  // ---- ChatGPT: window.openai --------------------------------------------------------

  const KEYS = ['theme', 'locale', 'displayMode', 'maxHeight', 'safeArea', 'userAgent', 'view',
    'toolInput', 'toolOutput', 'toolResponseMetadata', 'widgetState'];
  const globals = Object.fromEntries(KEYS.map((k) => [k, null]));
  const initial = isObject(config.globals) ? config.globals : {};
  KEYS.forEach((k) => { if (k in initial) globals[k] = initial[k]; });

  const pending = new Map();
  let nextId = 1;
  const request = (method, params) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    post({ id, method: `openai/${method}`, params });
  });

  /** Takes new globals and tells the widget, as ChatGPT's set_globals event does. */
  function setGlobals(partial) {
    const changed = {};
    Object.keys(partial).forEach((k) => {
      if (!KEYS.includes(k)) return;
      globals[k] = partial[k];
      changed[k] = partial[k];
    });
    if (!Object.keys(changed).length) return;
    window.dispatchEvent(new CustomEvent('openai:set_globals', { detail: { globals: changed } }));
  }

  window.addEventListener('message', (event) => {
    if (event.source !== parent) return;
    const msg = event.data;
    if (!isObject(msg) || msg.jsonrpc !== '2.0') return;
    if (msg.method === 'openai/setGlobals' && !('id' in msg)) {
      if (isObject(msg.params) && isObject(msg.params.globals)) setGlobals(msg.params.globals);
      return;
    }
    if (typeof msg.method === 'string') {
      if ('id' in msg) post({ id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } });
      return;
    }
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (isObject(msg.error)) {
      const err = new Error(typeof msg.error.message === 'string' ? msg.error.message : 'The host refused the request');
      err.code = msg.error.code;
      waiter.reject(err);
    } else {
      waiter.resolve(msg.result);
    }
  });

  const needObject = (what, v) => {
    if (!isObject(v)) throw new TypeError(`${what} must be an object`);
    return v;
  };
  // Argument errors reject the promise, as an async host API does.
  const attempt = (fn) => { try { return fn(); } catch (e) { return Promise.reject(e); } };

  const openai = {
    callTool: (name, args) => attempt(() => {
      if (typeof name !== 'string' || !name) throw new TypeError('callTool needs a tool name');
      return request('callTool', { name, args: args === undefined ? {} : needObject('callTool arguments', args) });
    }),
    sendFollowUpMessage: (opts) => attempt(() => {
      const o = needObject('sendFollowUpMessage options', opts);
      if (typeof o.prompt !== 'string') throw new TypeError('sendFollowUpMessage needs {prompt: string}');
      return request('sendFollowUpMessage', { prompt: o.prompt, scrollToBottom: o.scrollToBottom !== false });
    }),
    setWidgetState: (state) => attempt(() => {
      setGlobals({ widgetState: state });
      return request('setWidgetState', { state });
    }),
    requestDisplayMode: (opts) => attempt(() => request('requestDisplayMode', { mode: needObject('requestDisplayMode options', opts).mode })),
    requestModal: (opts) => attempt(() => request('requestModal', opts === undefined ? {} : needObject('requestModal options', opts))),
    requestClose: () => request('requestClose', {}),
    notifyIntrinsicHeight: (height) => {
      if (Number.isFinite(height)) notify('openai/notifyIntrinsicHeight', { height });
    },
    openExternal: (opts) => attempt(() => {
      const o = needObject('openExternal options', opts);
      return request('openExternal', { href: String(o.href), redirectUrl: o.redirectUrl });
    }),
    setOpenInAppUrl: (opts) => attempt(() => request('setOpenInAppUrl', { href: String(needObject('setOpenInAppUrl options', opts).href) })),
  };
  KEYS.forEach((k) => Object.defineProperty(openai, k, { get: () => globals[k], enumerable: true }));
  Object.defineProperty(window, 'openai', { value: Object.freeze(openai), enumerable: true });
})();
