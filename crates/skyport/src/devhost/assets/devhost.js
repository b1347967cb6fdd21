/* Skyport dev host: the page at /dev.
 *
 * Lists the apps (GET /dev/api/apps) and their tools (MCP over each app's
 * Streamable HTTP endpoint), builds a form from a tool's inputSchema, calls it,
 * shows the CallToolResult and the result guard's findings (POST
 * /dev/api/inspect), and renders the tool's widget in a sandboxed srcdoc iframe
 * (opaque origin) under the widget's declared CSP, as one of two hosts:
 *
 *   mcp-apps  the host side of the MCP Apps postMessage protocol (ext-apps,
 *             protocol 2026-01-26; protocols.md §7) for the `ui.resourceUri` template
 *   chatgpt   ChatGPT's `window.openai` (protocols.md §6.5), defined in the frame by
 *             frame-shims.js for the `openai/outputTemplate` template
 *
 * Everything from servers and widgets is untrusted: the DOM is built with
 * createElement/textContent only, and the page accepts messages only from the
 * current widget frame, only as well-formed JSON-RPC 2.0.
 *
 * Sections: helpers · MCP client · CSP and the frame document · log · forms ·
 * widget sessions (MCP Apps, ChatGPT) · the page.
 */
(() => {
  'use strict';

  // ---- helpers --------------------------------------------------------------------

  const VERSION = '1.0.0';
  const MCP_PROTOCOL = '2025-11-25';
  const APPS_PROTOCOL = '2026-01-26';
  const MIME_MCP_APP = 'text/html;profile=mcp-app';
  const MIME_SKYBRIDGE = 'text/html+skybridge';
  const LATE_MS = 1000;
  const DISPLAY_MODES = ['inline', 'pip', 'fullscreen'];
  const MAX_HEIGHT = { inline: 720, pip: 480 };
  const LOCALES = [['en-US', 'English (US)'], ['en-GB', 'English (UK)'], ['de-DE', 'Deutsch'], ['fr-FR', 'Français'],
    ['ja-JP', '日本語'], ['pt-BR', 'Português (BR)'], ['ar-EG', 'العربية (RTL)']];

  const $ = (id) => document.getElementById(id);
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const validId = (id) => typeof id === 'string' || Number.isInteger(id);
  const short = (v, max = 120) => {
    let s;
    try { s = typeof v === 'string' ? v : JSON.stringify(v); } catch (e) { s = String(v); }
    if (s === undefined) s = String(v);
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };

  /** Builds an element. Children that are strings become text nodes: never markup. */
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  /** Pretty JSON with highlighted tokens, built from text nodes and spans. */
  function jsonView(value, testid) {
    const pre = h('pre', { class: 'json', 'data-testid': testid });
    let text;
    try { text = JSON.stringify(value, null, 2); } catch (e) { text = String(value); }
    if (text === undefined) text = 'undefined';
    const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      if (m.index > last) pre.append(text.slice(last, m.index));
      const cls = m[1] ? (m[2] ? 'key' : 'str') : m[3] ? 'lit' : 'num';
      pre.append(h('span', { class: `j-${cls}` }, m[1] || m[0]));
      if (m[2]) pre.append(m[2]);
      last = re.lastIndex;
    }
    pre.append(text.slice(last));
    return pre;
  }

  const clock = (d = new Date()) => `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  const store = {
    get: (k, fallback) => { try { return localStorage.getItem(`skyport-devhost:${k}`) ?? fallback; } catch (e) { return fallback; } },
    set: (k, v) => { try { localStorage.setItem(`skyport-devhost:${k}`, String(v)); } catch (e) { /* private mode */ } },
  };

  class RpcError extends Error {
    constructor(code, message, data) {
      super(message);
      this.code = code;
      this.data = data;
    }
  }
  const wireError = (e) => ({
    code: Number.isInteger(e.code) ? e.code : -32603,
    message: String(e.message || 'Internal error'),
    ...(e.data !== undefined ? { data: e.data } : {}),
  });

  // ---- MCP client: Streamable HTTP, one session per app ---------------------------------

  /** Reads an SSE response until the answer to `id` arrives; other messages go to `onMessage`. */
  async function readSse(response, id, onMessage) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let answer = null;
    const take = (block) => {
      const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).replace(/^ /, '')).join('\n');
      if (!data) return; // priming events and comments
      let msg;
      try { msg = JSON.parse(data); } catch (e) { return; }
      if (isObject(msg) && msg.id === id && !('method' in msg)) answer = msg;
      else if (onMessage) onMessage(msg);
    };
    while (!answer) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let m;
      while (!answer && (m = /\r?\n\r?\n/.exec(buffer))) {
        take(buffer.slice(0, m.index));
        buffer = buffer.slice(m.index + m[0].length);
      }
    }
    if (!answer && buffer.trim()) take(buffer);
    reader.cancel().catch(() => {});
    return answer;
  }

  class McpClient {
    constructor(app, endpoint, onServerMessage) {
      this.app = app;
      this.endpoint = endpoint;
      this.onServerMessage = onServerMessage;
      this.sessionId = null;
      this.protocolVersion = null;
      this.nextId = 1;
      this.ready = null;
    }

    connect() {
      if (!this.ready) this.ready = this.initialize().catch((e) => { this.ready = null; throw e; });
      return this.ready;
    }

    async initialize() {
      this.sessionId = null;
      this.protocolVersion = null;
      const { result, response } = await this.exchange('initialize', {
        protocolVersion: MCP_PROTOCOL,
        capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [MIME_MCP_APP] } } },
        clientInfo: { name: 'skyport-devhost', title: 'Skyport dev host', version: VERSION },
      });
      this.sessionId = response.headers.get('mcp-session-id');
      this.protocolVersion = response.headers.get('mcp-protocol-version') || result.protocolVersion || MCP_PROTOCOL;
      this.serverInfo = result.serverInfo;
      const res = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      if (!res.ok && res.status !== 202) throw new RpcError(-32000, `notifications/initialized: HTTP ${res.status}`);
    }

    /** Calls `method`; resolves `{result, id}`. Re-initializes once on an expired session (404). */
    async call(method, params) {
      await this.connect();
      try {
        return await this.exchange(method, params);
      } catch (e) {
        if (e.status !== 404 || !this.sessionId) throw e;
        this.ready = null;
        await this.connect();
        return this.exchange(method, params);
      }
    }

    async request(method, params) {
      return (await this.call(method, params)).result;
    }

    /** Every page of a paginated list. */
    async list(method, key) {
      const items = [];
      let cursor;
      for (let page = 0; page < 50; page += 1) {
        const result = await this.request(method, cursor ? { cursor } : {});
        if (Array.isArray(result[key])) items.push(...result[key]);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      return items;
    }

    post(body, signal) {
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
      if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
      return fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal, credentials: 'same-origin' });
    }

    async exchange(method, params) {
      const id = this.nextId++;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 120000);
      try {
        const response = await this.post({ jsonrpc: '2.0', id, method, params }, abort.signal);
        const type = response.headers.get('content-type') || '';
        if (!response.ok) {
          let body = null;
          try { body = await response.json(); } catch (e) { /* not JSON */ }
          const err = isObject(body) && isObject(body.error) ? body.error : {};
          const e = new RpcError(Number.isInteger(err.code) ? err.code : -32000,
            `${method}: HTTP ${response.status}${typeof err.message === 'string' ? `: ${err.message}` : ''}`);
          e.status = response.status;
          throw e;
        }
        let reply = null;
        if (type.includes('text/event-stream')) {
          reply = await readSse(response, id, (msg) => this.onServerMessage(this.app, msg));
        } else {
          const body = await response.json();
          reply = [].concat(body).find((m) => isObject(m) && m.id === id) || null;
        }
        if (!isObject(reply)) throw new RpcError(-32603, `${method}: the server sent no answer`);
        if (isObject(reply.error)) throw new RpcError(reply.error.code, String(reply.error.message), reply.error.data);
        if (!isObject(reply.result)) throw new RpcError(-32603, `${method}: the answer has no result object`);
        return { result: reply.result, response, id };
      } catch (e) {
        if (e.name === 'AbortError') throw new RpcError(-32001, `${method}: no answer within 120 s`);
        throw e;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  // ---- CSP and the frame document ---------------------------------------------------

  /** A source expression we pass through: scheme://host[:port][/path], wildcard subdomains allowed. */
  const SOURCE_RE = /^(https?|wss?):\/\/(\*\.)?[A-Za-z0-9.-]+(:(\d{1,5}|\*))?(\/[A-Za-z0-9._~%/-]*)?$/;

  /** The widget's CSP lists in MCP Apps names, from the template content (wins) or its list entry. */
  function declaredCsp(mode, contentMeta, listMeta) {
    const pick = (meta) => {
      if (!isObject(meta)) return null;
      const ui = isObject(meta.ui) && isObject(meta.ui.csp) ? meta.ui.csp : null;
      const oa = isObject(meta['openai/widgetCSP']) ? meta['openai/widgetCSP'] : null;
      if (mode === 'chatgpt' && oa) {
        return { connectDomains: oa.connect_domains, resourceDomains: oa.resource_domains, frameDomains: oa.frame_domains,
          baseUriDomains: ui ? ui.baseUriDomains : undefined, redirectDomains: oa.redirect_domains };
      }
      return ui;
    };
    return pick(contentMeta) || pick(listMeta);
  }

  /** The Content-Security-Policy for a declared csp (protocols.md §7.2); `rejected` lists ignored entries. */
  function buildCsp(declared) {
    const rejected = [];
    const list = (key) => {
      const v = isObject(declared) ? declared[key] : undefined;
      if (!Array.isArray(v)) return [];
      return v.filter((d) => {
        const ok = typeof d === 'string' && SOURCE_RE.test(d);
        if (!ok) rejected.push(`${key}: ${short(d, 80)}`);
        return ok;
      });
    };
    const R = list('resourceDomains');
    const C = list('connectDomains');
    const F = list('frameDomains');
    const B = list('baseUriDomains');
    const join = (...parts) => parts.flat().join(' ');
    const directives = [
      "default-src 'none'",
      join("script-src 'self' 'unsafe-inline'", R),
      join("style-src 'self' 'unsafe-inline'", R),
      join("img-src 'self' data:", R),
      ...(R.length ? [join("font-src 'self'", R)] : []),
      join("media-src 'self' data:", R),
      C.length ? join('connect-src', C) : "connect-src 'none'",
      "object-src 'none'",
      F.length ? join('frame-src', F) : "frame-src 'none'",
      join("base-uri 'self'", B),
    ];
    return { policy: directives.join('; '), directives, rejected };
  }

  const escapeAttr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  /** JSON safe inside a <script> element: no `<` can end it or open a comment. */
  const scriptJson = (v) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

  let SHIMS = '';

  /** The widget document with the CSP <meta> first in <head>, then the config and the shims. */
  function frameDocument(html, policy, config) {
    const inject = `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(policy)}">\n`
      + `<script type="application/json" id="skyport-devhost-config">${scriptJson(config)}</script>\n`
      + `<script>\n${SHIMS.replace(/<\/script/gi, '<\\/script')}\n</script>\n`;
    for (const re of [/<head(\s[^>]*)?>/i, /<html(\s[^>]*)?>/i, /<!doctype[^>]*>/i]) {
      const m = re.exec(html);
      if (m) {
        const at = m.index + m[0].length;
        const open = re.source.startsWith('<head') ? '' : '<head>';
        return `${html.slice(0, at)}${open}\n${inject}${open ? '</head>\n' : ''}${html.slice(at)}`;
      }
    }
    return `<head>\n${inject}</head>\n${html}`;
  }

  /** MCP Apps style variables (§7.5): the host's light and dark palettes. */
  const SHARED_VARS = {
    '--font-sans': 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    '--font-mono': 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    '--font-weight-normal': '400', '--font-weight-medium': '500', '--font-weight-semibold': '600', '--font-weight-bold': '700',
    '--font-text-xs-size': '0.75rem', '--font-text-xs-line-height': '1rem',
    '--font-text-sm-size': '0.875rem', '--font-text-sm-line-height': '1.25rem',
    '--font-text-md-size': '1rem', '--font-text-md-line-height': '1.5rem',
    '--font-text-lg-size': '1.125rem', '--font-text-lg-line-height': '1.75rem',
    '--font-heading-xs-size': '0.875rem', '--font-heading-xs-line-height': '1.25rem',
    '--font-heading-sm-size': '1rem', '--font-heading-sm-line-height': '1.5rem',
    '--font-heading-md-size': '1.125rem', '--font-heading-md-line-height': '1.75rem',
    '--font-heading-lg-size': '1.25rem', '--font-heading-lg-line-height': '1.75rem',
    '--font-heading-xl-size': '1.5rem', '--font-heading-xl-line-height': '2rem',
    '--font-heading-2xl-size': '1.875rem', '--font-heading-2xl-line-height': '2.25rem',
    '--font-heading-3xl-size': '2.25rem', '--font-heading-3xl-line-height': '2.5rem',
    '--border-radius-xs': '4px', '--border-radius-sm': '6px', '--border-radius-md': '8px',
    '--border-radius-lg': '12px', '--border-radius-xl': '16px', '--border-radius-full': '9999px',
    '--border-width-regular': '1px',
  };
  const PALETTES = {
    light: {
      ...SHARED_VARS,
      '--color-background-primary': '#ffffff', '--color-background-secondary': '#f7f7f8', '--color-background-tertiary': '#efeff1',
      '--color-background-inverse': '#1f1f24', '--color-background-ghost': 'rgba(31, 31, 36, 0.04)',
      '--color-background-info': '#eff6ff', '--color-background-danger': '#fef2f2', '--color-background-success': '#f0fdf4',
      '--color-background-warning': '#fffbeb', '--color-background-disabled': '#f4f4f5',
      '--color-text-primary': '#18181b', '--color-text-secondary': '#52525b', '--color-text-tertiary': '#71717a',
      '--color-text-inverse': '#fafafa', '--color-text-ghost': '#a1a1aa', '--color-text-info': '#1d4ed8',
      '--color-text-danger': '#b91c1c', '--color-text-success': '#15803d', '--color-text-warning': '#b45309', '--color-text-disabled': '#a1a1aa',
      '--color-border-primary': '#e4e4e7', '--color-border-secondary': '#d4d4d8', '--color-border-tertiary': '#f0f0f2',
      '--color-border-inverse': '#27272a', '--color-border-ghost': 'transparent', '--color-border-info': '#bfdbfe',
      '--color-border-danger': '#fecaca', '--color-border-success': '#bbf7d0', '--color-border-warning': '#fde68a', '--color-border-disabled': '#e4e4e7',
      '--color-ring-primary': '#4f46e5', '--color-ring-secondary': '#71717a', '--color-ring-inverse': '#fafafa', '--color-ring-info': '#3b82f6',
      '--color-ring-danger': '#ef4444', '--color-ring-success': '#22c55e', '--color-ring-warning': '#f59e0b',
      '--shadow-hairline': '0 0 0 1px rgba(24, 24, 27, 0.06)', '--shadow-sm': '0 1px 2px rgba(24, 24, 27, 0.06), 0 1px 3px rgba(24, 24, 27, 0.08)',
      '--shadow-md': '0 4px 8px -2px rgba(24, 24, 27, 0.1)', '--shadow-lg': '0 12px 24px -6px rgba(24, 24, 27, 0.16)',
    },
    dark: {
      ...SHARED_VARS,
      '--color-background-primary': '#17171a', '--color-background-secondary': '#212126', '--color-background-tertiary': '#2a2a30',
      '--color-background-inverse': '#f4f4f5', '--color-background-ghost': 'rgba(244, 244, 245, 0.05)',
      '--color-background-info': '#172554', '--color-background-danger': '#3b1111', '--color-background-success': '#052e16',
      '--color-background-warning': '#3a2606', '--color-background-disabled': '#27272a',
      '--color-text-primary': '#f4f4f5', '--color-text-secondary': '#a1a1aa', '--color-text-tertiary': '#8b8b94',
      '--color-text-inverse': '#18181b', '--color-text-ghost': '#71717a', '--color-text-info': '#93c5fd',
      '--color-text-danger': '#fca5a5', '--color-text-success': '#86efac', '--color-text-warning': '#fcd34d', '--color-text-disabled': '#71717a',
      '--color-border-primary': '#34343b', '--color-border-secondary': '#45454d', '--color-border-tertiary': '#26262b',
      '--color-border-inverse': '#e4e4e7', '--color-border-ghost': 'transparent', '--color-border-info': '#1e3a8a',
      '--color-border-danger': '#7f1d1d', '--color-border-success': '#14532d', '--color-border-warning': '#78350f', '--color-border-disabled': '#3f3f46',
      '--color-ring-primary': '#a5b4fc', '--color-ring-secondary': '#a1a1aa', '--color-ring-inverse': '#18181b', '--color-ring-info': '#60a5fa',
      '--color-ring-danger': '#f87171', '--color-ring-success': '#4ade80', '--color-ring-warning': '#fbbf24',
      '--shadow-hairline': '0 0 0 1px rgba(0, 0, 0, 0.4)', '--shadow-sm': '0 1px 2px rgba(0, 0, 0, 0.4), 0 1px 3px rgba(0, 0, 0, 0.5)',
      '--shadow-md': '0 4px 8px -2px rgba(0, 0, 0, 0.5)', '--shadow-lg': '0 12px 24px -6px rgba(0, 0, 0, 0.6)',
    },
  };

  // ---- the log ----------------------------------------------------------------------

  const KINDS = [
    ['tool-call', 'Tool calls'], ['tool-data', 'Tool input/result'], ['follow-up', 'Follow-ups'], ['state', 'State & context'],
    ['display', 'Display mode'], ['size', 'Size'], ['context', 'Host context'], ['csp', 'CSP'], ['error', 'Errors'],
    ['link', 'Links'], ['lifecycle', 'Lifecycle'], ['server', 'Server'],
  ];
  const KIND_OF = {
    'tools/call': 'tool-call', 'openai/callTool': 'tool-call',
    'ui/notifications/tool-input': 'tool-data', 'ui/notifications/tool-input-partial': 'tool-data',
    'ui/notifications/tool-result': 'tool-data', 'ui/notifications/tool-cancelled': 'tool-data',
    'ui/message': 'follow-up', 'openai/sendFollowUpMessage': 'follow-up',
    'ui/update-model-context': 'state', 'openai/setWidgetState': 'state',
    'ui/request-display-mode': 'display', 'openai/requestDisplayMode': 'display', 'openai/requestModal': 'display', 'openai/requestClose': 'display',
    'ui/notifications/request-teardown': 'display',
    'ui/notifications/size-changed': 'size', 'openai/notifyIntrinsicHeight': 'size',
    'ui/notifications/host-context-changed': 'context', 'openai/setGlobals': 'context',
    'devhost/csp-violation': 'csp', 'devhost/error': 'error',
    'ui/open-link': 'link', 'openai/openExternal': 'link', 'openai/setOpenInAppUrl': 'link',
  };
  const DIR_LABEL = { 'to-widget': 'host → widget', 'from-widget': 'widget → host', 'to-server': 'host → server', 'from-server': 'server → host', host: 'host' };
  const DIR_SHORT = { 'to-widget': '→ widget', 'from-widget': '← widget', 'to-server': '→ server', 'from-server': '← server', host: '· host' };
  const MAX_LOG = 1500;
  const payloads = new WeakMap();

  function summarize(method, params) {
    const p = isObject(params) ? params : {};
    switch (method) {
      case 'tools/call': return `${p.name}(${short(p.arguments ?? {}, 80)})`;
      case 'openai/callTool': return `${p.name}(${short(p.args ?? {}, 80)})`;
      case 'ui/message': return short((Array.isArray(p.content) ? p.content : []).map((b) => (isObject(b) && b.type === 'text' ? b.text : `[${b && b.type}]`)).join(' '));
      case 'openai/sendFollowUpMessage': return short(p.prompt);
      case 'ui/notifications/size-changed': return `${p.width ?? '?'} × ${p.height ?? '?'} px`;
      case 'openai/notifyIntrinsicHeight': return `height ${p.height} px`;
      case 'devhost/csp-violation': return `${p.effectiveDirective} blocked ${p.blockedURI || '(inline)'}`;
      case 'devhost/error': return short(p.message);
      case 'ui/notifications/host-context-changed': return Object.keys(p).join(', ');
      case 'openai/setGlobals': return Object.keys(isObject(p.globals) ? p.globals : {}).join(', ');
      case 'ui/request-display-mode': case 'openai/requestDisplayMode': return String(p.mode);
      case 'ui/update-model-context': return short(p.structuredContent ?? p.content ?? {});
      case 'openai/setWidgetState': return short(p.state);
      case 'ui/open-link': return short(p.url);
      case 'openai/openExternal': case 'openai/setOpenInAppUrl': return short(p.href);
      case 'ui/notifications/tool-input': return short(p.arguments ?? {});
      case 'ui/notifications/tool-result': return `${p.isError ? 'isError · ' : ''}${short(p.structuredContent ?? p.content ?? {}, 100)}`;
      case 'ui/initialize': return isObject(p.appInfo) ? `${p.appInfo.name} ${p.appInfo.version} · protocol ${p.protocolVersion}` : '';
      case 'notifications/message': return `${p.level}: ${short(p.data)}`;
      default: return Object.keys(p).length ? short(p) : '';
    }
  }

  const log = {
    list: null, count: null, filterText: '', filterKind: '', entries: 0,
    /** Adds an entry: dir (to-widget…), kind, method, summary, payload (shown on demand), level. */
    add({ dir, kind, method, summary = '', payload, level }) {
      const k = kind || KIND_OF[method] || (dir.endsWith('server') ? 'server' : 'lifecycle');
      const body = h('div', { class: 'log__body' });
      const entry = h('li', {
        class: `log__entry${level ? ` log__entry--${level}` : ''}`,
        'data-testid': 'log-entry', dataset: { dir, kind: k, method: method || '' },
      },
      h('button', { type: 'button', class: 'log__row', 'aria-expanded': 'false', onclick: () => toggle(entry) },
        h('time', { class: 'log__time' }, clock()),
        h('span', { class: `log__dir log__dir--${dir}`, title: DIR_LABEL[dir] || dir }, DIR_SHORT[dir] || dir),
        h('span', { class: 'log__what' }, h('span', { class: 'log__method' }, method || ''), ' ', h('span', { class: 'log__summary' }, summary))),
      body);
      payloads.set(entry, payload);
      entry.dataset.search = `${method} ${summary} ${short(payload, 4000)}`.toLowerCase();
      const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
      this.list.append(entry);
      this.entries += 1;
      if (this.entries > MAX_LOG) { this.list.firstElementChild.remove(); this.entries -= 1; }
      this.apply(entry);
      this.count.textContent = String(this.entries);
      if (atBottom) this.list.scrollTop = this.list.scrollHeight;
      function toggle(el) {
        const row = el.firstElementChild;
        const open = row.getAttribute('aria-expanded') !== 'true';
        row.setAttribute('aria-expanded', String(open));
        el.lastElementChild.replaceChildren(...(open ? [jsonView(payloads.get(el))] : []));
      }
    },
    apply(entry) {
      const ok = (!this.filterKind || entry.dataset.kind === this.filterKind)
        && (!this.filterText || entry.dataset.search.includes(this.filterText));
      entry.hidden = !ok;
    },
    refilter() { for (const e of this.list.children) this.apply(e); },
    clear() { this.list.replaceChildren(); this.entries = 0; this.count.textContent = '0'; },
  };

  function onServerMessage(app, msg) {
    if (!isObject(msg)) return;
    const method = typeof msg.method === 'string' ? msg.method : '(response)';
    log.add({ dir: 'from-server', kind: 'server', method, summary: `${app}: ${summarize(method, msg.params)}`, payload: msg });
  }

  // ---- forms from inputSchema ---------------------------------------------------------

  const typeOf = (s) => {
    const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
    if (Array.isArray(s.enum) && s.enum.length) return 'enum';
    if (['string', 'number', 'integer', 'boolean'].includes(t)) return t;
    return 'json';
  };

  /** One input for one property; `read()` → {value, present, error}. */
  function makeField(name, schema, required, index) {
    const s = isObject(schema) ? schema : {};
    const kind = typeOf(s);
    const id = `arg-${index}`;
    let input;
    let dirty = false;
    const notes = [];
    if (kind === 'enum') {
      input = h('select', { id, name });
      if (!required || s.default === undefined) input.append(h('option', { value: '' }, required ? 'Choose…' : '— not set —'));
      s.enum.forEach((v, i) => input.append(h('option', { value: String(i) }, typeof v === 'string' ? v : JSON.stringify(v))));
      const d = s.enum.findIndex((v) => JSON.stringify(v) === JSON.stringify(s.default));
      if (d >= 0) input.value = String(d);
    } else if (kind === 'boolean') {
      input = h('input', { id, name, type: 'checkbox', checked: s.default === true, onchange: () => { dirty = true; } });
    } else if (kind === 'number' || kind === 'integer') {
      input = h('input', { id, name, type: 'number', inputmode: kind === 'integer' ? 'numeric' : 'decimal', step: kind === 'integer' ? '1' : 'any' });
      if (Number.isFinite(s.minimum)) { input.min = String(s.minimum); notes.push(`≥ ${s.minimum}`); }
      if (Number.isFinite(s.exclusiveMinimum)) notes.push(`> ${s.exclusiveMinimum}`);
      if (Number.isFinite(s.maximum)) { input.max = String(s.maximum); notes.push(`≤ ${s.maximum}`); }
      if (Number.isFinite(s.exclusiveMaximum)) notes.push(`< ${s.exclusiveMaximum}`);
      if (Number.isFinite(s.default)) input.value = String(s.default);
    } else if (kind === 'string') {
      const long = (s.maxLength || 0) > 200 || s.format === 'textarea';
      const inputType = { email: 'email', uri: 'url', date: 'date', 'date-time': 'datetime-local' }[s.format];
      input = long ? h('textarea', { id, name, rows: 3 }) : h('input', { id, name, type: inputType || 'text', autocomplete: 'off', spellcheck: 'false' });
      if (typeof s.default === 'string') input.value = s.default;
      if (Number.isInteger(s.minLength)) notes.push(`min ${s.minLength} chars`);
      if (Number.isInteger(s.maxLength)) notes.push(`max ${s.maxLength} chars`);
      if (typeof s.pattern === 'string') notes.push(`pattern ${s.pattern}`);
      if (s.format) notes.push(`format ${s.format}`);
    } else {
      input = h('textarea', { id, name, rows: 4, class: 'mono', spellcheck: 'false',
        placeholder: s.type === 'array' ? '[ … ]' : s.type === 'object' ? '{ … }' : 'JSON value' });
      if (s.default !== undefined) input.value = JSON.stringify(s.default, null, 2);
      notes.push(`JSON ${Array.isArray(s.type) ? s.type.join(' | ') : s.type || (s.anyOf ? 'anyOf' : s.oneOf ? 'oneOf' : 'value')}`);
    }
    if (Array.isArray(s.examples) && s.examples.length && 'placeholder' in input && !input.placeholder) input.placeholder = short(s.examples[0], 60);
    if (required) { input.required = true; input.setAttribute('aria-required', 'true'); }
    const error = h('p', { class: 'field__error', id: `${id}-error`, hidden: true, role: 'alert' });
    input.setAttribute('aria-describedby', `${id}-help ${id}-error`);
    const label = h('label', { for: id, class: 'field__label' },
      h('span', { class: 'field__name' }, name),
      s.title ? h('span', { class: 'field__title' }, s.title) : null,
      required ? h('span', { class: 'field__req', 'data-testid': 'required-mark', title: 'required' }, 'required') : h('span', { class: 'field__opt' }, 'optional'),
      h('span', { class: 'field__type' }, kind === 'json' ? 'json' : kind === 'enum' ? 'enum' : kind));
    const help = h('p', { class: 'field__help', id: `${id}-help` },
      typeof s.description === 'string' ? s.description : '',
      notes.length ? h('span', { class: 'field__notes' }, notes.join(' · ')) : null);
    const el = h('div', { class: `field field--${kind}`, 'data-testid': 'field', dataset: { name } },
      kind === 'boolean' ? h('div', { class: 'field__check' }, input, label) : [label, input], help, error);

    function read() {
      const fail = (msg) => ({ error: msg });
      if (kind === 'enum') {
        if (input.value === '') return required ? fail('Choose a value.') : { present: false };
        return { present: true, value: s.enum[Number(input.value)] };
      }
      if (kind === 'boolean') return { present: required || dirty || input.checked || s.default !== undefined, value: input.checked };
      const raw = input.value;
      if (raw.trim() === '' && kind !== 'string') return required ? fail('Required.') : { present: false };
      if (kind === 'string') {
        if (raw === '') return required ? fail('Required.') : { present: false };
        if (Number.isInteger(s.minLength) && raw.length < s.minLength) return fail(`At least ${s.minLength} characters.`);
        if (Number.isInteger(s.maxLength) && raw.length > s.maxLength) return fail(`At most ${s.maxLength} characters.`);
        if (typeof s.pattern === 'string') {
          try { if (!new RegExp(s.pattern, 'u').test(raw)) return fail(`Must match ${s.pattern}.`); } catch (e) { /* a pattern JS can't read */ }
        }
        return { present: true, value: raw };
      }
      if (kind === 'number' || kind === 'integer') {
        const n = Number(raw);
        if (!Number.isFinite(n)) return fail('Not a number.');
        if (kind === 'integer' && !Number.isInteger(n)) return fail('Must be a whole number.');
        if (Number.isFinite(s.minimum) && n < s.minimum) return fail(`Must be ≥ ${s.minimum}.`);
        if (Number.isFinite(s.maximum) && n > s.maximum) return fail(`Must be ≤ ${s.maximum}.`);
        if (Number.isFinite(s.exclusiveMinimum) && n <= s.exclusiveMinimum) return fail(`Must be > ${s.exclusiveMinimum}.`);
        if (Number.isFinite(s.exclusiveMaximum) && n >= s.exclusiveMaximum) return fail(`Must be < ${s.exclusiveMaximum}.`);
        return { present: true, value: n };
      }
      try {
        const v = JSON.parse(raw);
        if (s.type === 'array' && !Array.isArray(v)) return fail('Must be a JSON array.');
        if (s.type === 'object' && !isObject(v)) return fail('Must be a JSON object.');
        return { present: true, value: v };
      } catch (e) { return fail(`Invalid JSON: ${e.message}`); }
    }
    function write(value) {
      if (value === undefined) { if (kind === 'boolean') input.checked = false; else input.value = ''; return; }
      if (kind === 'enum') input.value = String(Math.max(0, s.enum.findIndex((v) => JSON.stringify(v) === JSON.stringify(value))));
      else if (kind === 'boolean') { input.checked = value === true; dirty = true; }
      else if (kind === 'json') input.value = JSON.stringify(value, null, 2);
      else input.value = String(value);
    }
    function showError(msg) {
      error.hidden = !msg;
      error.textContent = msg || '';
      input.setAttribute('aria-invalid', String(Boolean(msg)));
    }
    return { name, el, input, read, write, showError };
  }

  // ---- widget sessions ------------------------------------------------------------------

  /** The parts both host modes share: the frame, message routing, requests to the view. */
  function baseSession(ctx, mode) {
    const s = {
      mode, ctx, frame: null, shell: null, pending: new Map(), nextId: 1, closed: false,
      handlers: {}, notifications: {},
      post(msg) {
        if (!s.frame || !s.frame.contentWindow) return;
        const full = { jsonrpc: '2.0', ...msg };
        s.frame.contentWindow.postMessage(full, '*'); // the frame's origin is opaque: '*' is the only target
        const method = msg.method || s.answering.get(msg.id) || '(response)';
        const summary = msg.error ? `error ${msg.error.code}: ${msg.error.message}` : msg.method ? summarize(msg.method, msg.params) : `result ${short(msg.result, 100)}`;
        log.add({ dir: 'to-widget', method, summary, payload: full, level: msg.error ? 'error' : undefined });
      },
      answering: new Map(),
      notify(method, params) { s.post({ method, params }); },
      request(method, params, timeoutMs = 1000) {
        const id = `host-${s.nextId++}`;
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => { s.pending.delete(id); reject(new RpcError(-32001, `${method}: no answer within ${timeoutMs} ms`)); }, timeoutMs);
          s.pending.set(id, { method, resolve: (r) => { clearTimeout(timer); resolve(r); }, reject: (e) => { clearTimeout(timer); reject(e); } });
          s.post({ id, method, params });
        });
      },
      /** A validated JSON-RPC message from this session's frame. */
      async receive(msg) {
        if (!('method' in msg)) { // a response to one of our requests
          const waiter = s.pending.get(msg.id);
          const method = waiter ? waiter.method : '(unknown request)';
          log.add({ dir: 'from-widget', method, summary: msg.error ? `error ${msg.error.code}: ${msg.error.message}` : `result ${short(msg.result, 100)}`, payload: msg, level: waiter ? undefined : 'warn' });
          if (!waiter) return;
          s.pending.delete(msg.id);
          if (msg.error) waiter.reject(new RpcError(msg.error.code, msg.error.message)); else waiter.resolve(msg.result);
          return;
        }
        const { method } = msg;
        const params = msg.params === undefined ? {} : msg.params;
        const isRequest = 'id' in msg;
        const level = method === 'devhost/csp-violation' || method === 'devhost/error' ? 'error' : undefined;
        log.add({ dir: 'from-widget', method, summary: summarize(method, params), payload: msg, level });
        if (!isRequest) {
          const fn = Object.prototype.hasOwnProperty.call(s.notifications, method) ? s.notifications[method] : null;
          if (fn) fn(params);
          else log.add({ dir: 'host', method, summary: 'ignored: not a notification this host handles', payload: msg, level: 'warn' });
          return;
        }
        s.answering.set(msg.id, method);
        const fn = Object.prototype.hasOwnProperty.call(s.handlers, method) ? s.handlers[method] : null;
        if (!fn) {
          s.post({ id: msg.id, error: { code: -32601, message: `Method not found: ${method}` } });
          return;
        }
        try {
          const result = await fn(params);
          if (!s.closed) s.post({ id: msg.id, result: isObject(result) ? result : {} });
        } catch (e) {
          if (!s.closed) s.post({ id: msg.id, error: wireError(e) });
        } finally {
          s.answering.delete(msg.id);
        }
      },
    };
    // Both modes: the shims' reports.
    s.notifications['devhost/csp-violation'] = () => {};
    s.notifications['devhost/error'] = () => {};
    return s;
  }

  /** Refuses params that aren't an object (JSON-RPC allows arrays; MCP does not). */
  const needParams = (p) => {
    if (!isObject(p)) throw new RpcError(-32602, 'params must be an object');
    return p;
  };

  function findTool(name) {
    return page.tools.find((t) => t.name === name) || null;
  }
  const visibility = (tool) => {
    const v = tool && isObject(tool._meta) && isObject(tool._meta.ui) ? tool._meta.ui.visibility : undefined;
    return Array.isArray(v) ? v : ['model', 'app'];
  };

  function containerDimensions(mode) {
    if (mode === 'fullscreen') return { height: Math.max(200, window.innerHeight - 44), width: window.innerWidth };
    const width = Math.round(($('transcript').clientWidth || 600) - 32);
    return mode === 'pip' ? { maxHeight: MAX_HEIGHT.pip, width: 400 } : { maxHeight: MAX_HEIGHT.inline, width };
  }

  /** The MCP Apps host (protocols.md §7.5, §7.6). */
  function mcpAppsSession(ctx) {
    const s = baseSession(ctx, 'mcp-apps');
    s.initialized = false;
    s.inputSent = false;
    s.resultSent = false;
    s.appCapabilities = {};

    const hostContext = () => ({
      toolInfo: { ...(ctx.requestId !== undefined ? { id: ctx.requestId } : {}), tool: ctx.tool },
      theme: page.theme,
      styles: { variables: PALETTES[page.theme] },
      displayMode: page.displayMode,
      availableDisplayModes: [...DISPLAY_MODES],
      containerDimensions: containerDimensions(page.displayMode),
      locale: page.locale,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      userAgent: `skyport-devhost/${VERSION}`,
      platform: 'web',
      deviceCapabilities: { touch: false, hover: true },
      safeAreaInsets: { top: 0, right: 0, bottom: 0, left: 0 },
    });

    const proxy = (method) => async (p) => {
      try {
        return await ctx.client.request(method, needParams(p));
      } catch (e) {
        throw e instanceof RpcError ? e : new RpcError(-32603, e.message);
      }
    };

    Object.assign(s.handlers, {
      'ui/initialize': (p) => {
        needParams(p);
        s.appCapabilities = isObject(p.appCapabilities) ? p.appCapabilities : {};
        return {
          protocolVersion: p.protocolVersion === APPS_PROTOCOL ? p.protocolVersion : APPS_PROTOCOL,
          hostInfo: { name: 'skyport-devhost', title: 'Skyport dev host', version: VERSION },
          hostCapabilities: {
            openLinks: {}, serverTools: {}, serverResources: {}, logging: {},
            message: { text: {} }, updateModelContext: { text: {}, structuredContent: {} },
          },
          hostContext: hostContext(),
        };
      },
      ping: () => ({}),
      'tools/call': async (p) => {
        needParams(p);
        if (typeof p.name !== 'string' || !p.name) throw new RpcError(-32602, 'tools/call needs a tool name');
        const tool = findTool(p.name);
        if (tool && !visibility(tool).includes('app')) {
          throw new RpcError(-32000, `Tool ${p.name} is not callable from the app: its _meta.ui.visibility ${JSON.stringify(visibility(tool))} lacks "app"`);
        }
        return proxy('tools/call')({ name: p.name, arguments: isObject(p.arguments) ? p.arguments : {} });
      },
      'resources/read': proxy('resources/read'),
      'resources/list': proxy('resources/list'),
      'resources/templates/list': proxy('resources/templates/list'),
      'ui/message': (p) => {
        needParams(p);
        if (p.role !== 'user' || !Array.isArray(p.content)) throw new RpcError(-32602, 'ui/message needs {role: "user", content: ContentBlock[]}');
        const text = p.content.filter((b) => isObject(b) && b.type === 'text').map((b) => String(b.text)).join('\n');
        ui.followUp(text || '(non-text message)');
        return {};
      },
      'ui/open-link': (p) => ({ ...(ui.link(needParams(p).url, 'ui/open-link') ? {} : { isError: true }) }),
      'ui/request-display-mode': (p) => {
        const mode = needParams(p).mode;
        const declared = Array.isArray(s.appCapabilities.availableDisplayModes) ? s.appCapabilities.availableDisplayModes : null;
        if (!DISPLAY_MODES.includes(mode) || (declared && !declared.includes(mode))) return { mode: page.displayMode };
        setDisplayMode(mode);
        return { mode: page.displayMode };
      },
      'ui/update-model-context': (p) => {
        needParams(p);
        ui.modelContext('ui/update-model-context', { content: p.content, structuredContent: p.structuredContent });
        return {};
      },
    });
    Object.assign(s.notifications, {
      'ui/notifications/initialized': () => {
        s.initialized = true;
        s.deliver();
      },
      'ui/notifications/size-changed': (p) => ui.frameHeight(isObject(p) ? p.height : undefined),
      'ui/notifications/request-teardown': () => { ui.closeWidget('The widget asked to be torn down (ui/notifications/request-teardown).'); },
      'notifications/message': () => {},
    });

    /** Input once after initialized; the result once it is there (late: ~1 s later). */
    s.deliver = () => {
      if (!s.initialized || s.closed) return;
      if (!s.inputSent) {
        s.inputSent = true;
        s.notify('ui/notifications/tool-input', { arguments: ctx.args });
      }
      if (ctx.result && !s.resultSent) {
        s.resultSent = true;
        const send = () => { if (!s.closed) s.notify('ui/notifications/tool-result', ctx.result); };
        if (page.late) {
          log.add({ dir: 'host', kind: 'tool-data', method: 'deliver late', summary: `holding the tool result for ${LATE_MS} ms` });
          setTimeout(send, LATE_MS);
        } else send();
      }
    };
    s.onResult = () => s.deliver();
    s.onContext = (partial) => { if (s.initialized && !s.closed) s.notify('ui/notifications/host-context-changed', partial); };
    s.teardown = async () => {
      if (!s.initialized || s.closed) return;
      try { await s.request('ui/resource-teardown', {}, 800); } catch (e) {
        log.add({ dir: 'host', kind: 'lifecycle', method: 'ui/resource-teardown', summary: e.message, level: 'warn' });
      }
    };
    return s;
  }

  /** ChatGPT: window.openai, served to frame-shims.js (protocols.md §6.5). */
  function chatgptSession(ctx) {
    const s = baseSession(ctx, 'chatgpt');
    const late = page.late;
    s.globals = {
      theme: page.theme,
      locale: page.locale,
      displayMode: page.displayMode,
      maxHeight: containerDimensions(page.displayMode).maxHeight ?? containerDimensions(page.displayMode).height,
      safeArea: { insets: { top: 0, bottom: 0, left: 0, right: 0 } },
      userAgent: { device: { type: 'desktop' }, capabilities: { hover: true, touch: false } },
      view: { mode: 'inline', params: null },
      toolInput: ctx.args,
      toolOutput: late ? null : ctx.result.structuredContent ?? null,
      toolResponseMetadata: late ? null : ctx.result._meta ?? null,
      widgetState: ctx.widgetState ?? null,
    };
    const push = (globals) => {
      Object.assign(s.globals, globals);
      if (!s.closed) s.notify('openai/setGlobals', { globals });
    };
    if (late) {
      log.add({ dir: 'host', kind: 'tool-data', method: 'deliver late', summary: `toolOutput is null for ${LATE_MS} ms` });
      setTimeout(() => push({ toolOutput: ctx.result.structuredContent ?? null, toolResponseMetadata: ctx.result._meta ?? null }), LATE_MS);
    }

    Object.assign(s.handlers, {
      'openai/callTool': async (p) => {
        needParams(p);
        const tool = findTool(p.name);
        if (!tool) throw new RpcError(-32602, `Unknown tool: ${p.name}`);
        if (!isObject(tool._meta) || tool._meta['openai/widgetAccessible'] !== true) {
          throw new RpcError(-32000, `Tool ${p.name} is not widget-accessible: ChatGPT lets widgets call only tools with _meta["openai/widgetAccessible"] = true`);
        }
        return ctx.client.request('tools/call', {
          name: p.name,
          arguments: isObject(p.args) ? p.args : {},
          _meta: { 'openai/locale': page.locale, 'openai/userAgent': navigator.userAgent },
        });
      },
      'openai/sendFollowUpMessage': (p) => {
        if (typeof needParams(p).prompt !== 'string') throw new RpcError(-32602, 'sendFollowUpMessage needs {prompt}');
        ui.followUp(p.prompt);
        return {};
      },
      'openai/setWidgetState': (p) => {
        s.globals.widgetState = needParams(p).state;
        ctx.widgetState = p.state; // kept across re-renders of this call, as ChatGPT keeps it per widget
        ui.modelContext('window.openai.setWidgetState', p.state);
        return {};
      },
      'openai/requestDisplayMode': (p) => {
        const mode = needParams(p).mode;
        if (DISPLAY_MODES.includes(mode)) setDisplayMode(mode);
        return { mode: page.displayMode };
      },
      'openai/requestModal': (p) => {
        log.add({ dir: 'host', kind: 'display', method: 'requestModal', summary: `the dev host does not render modals (template ${short(needParams(p).template ?? 'this widget', 60)})`, level: 'warn' });
        return {};
      },
      'openai/requestClose': () => { ui.closeWidget('The widget asked to close (window.openai.requestClose).'); return {}; },
      'openai/openExternal': (p) => ({ ...(ui.link(needParams(p).href, 'openExternal') ? {} : { isError: true }) }),
      'openai/setOpenInAppUrl': (p) => { ui.note(`Open-in-app URL set to ${short(needParams(p).href, 200)}`); return {}; },
    });
    s.notifications['openai/notifyIntrinsicHeight'] = (p) => ui.frameHeight(isObject(p) ? p.height : undefined);

    s.onResult = () => {};
    s.onContext = (partial) => {
      const g = {};
      if ('theme' in partial) g.theme = partial.theme;
      if ('locale' in partial) g.locale = partial.locale;
      if ('displayMode' in partial) {
        g.displayMode = partial.displayMode;
        const dims = containerDimensions(partial.displayMode);
        g.maxHeight = dims.maxHeight ?? dims.height;
      }
      if (Object.keys(g).length) push(g);
    };
    s.teardown = async () => {};
    return s;
  }

  /** Only the current frame's messages, only well-formed JSON-RPC 2.0. */
  function checkMessage(msg) {
    if (!isObject(msg)) return 'not a JSON-RPC object';
    if (msg.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
    if ('method' in msg) {
      if (typeof msg.method !== 'string' || !msg.method) return 'method must be a non-empty string';
      if ('id' in msg && !validId(msg.id)) return 'id must be a string or an integer';
      if ('params' in msg && msg.params !== undefined && !isObject(msg.params) && !Array.isArray(msg.params)) return 'params must be an object';
      return null;
    }
    if (!validId(msg.id)) return 'a response needs a string or integer id';
    if (('result' in msg) === ('error' in msg)) return 'a response has exactly one of result and error';
    if ('error' in msg && (!isObject(msg.error) || !Number.isInteger(msg.error.code) || typeof msg.error.message !== 'string')) return 'error needs an integer code and a string message';
    return null;
  }

  window.addEventListener('message', (event) => {
    const s = page.session;
    if (!s || s.closed || !s.frame || event.source !== s.frame.contentWindow) return; // not the current widget frame
    const msg = event.data;
    const problem = checkMessage(msg);
    if (problem) {
      log.add({ dir: 'from-widget', kind: 'error', method: '(invalid message)', summary: problem, payload: msg, level: 'error' });
      if (isObject(msg) && typeof msg.method === 'string' && validId(msg.id)) s.post({ id: msg.id, error: { code: -32600, message: `Invalid Request: ${problem}` } });
      return;
    }
    s.receive(msg);
  });

  // ---- the page --------------------------------------------------------------------------

  const page = {
    apps: [], app: null, client: null, tools: [], resources: [], tool: null, fields: [],
    hostMode: store.get('host', 'mcp-apps') === 'chatgpt' ? 'chatgpt' : 'mcp-apps',
    theme: store.get('theme', '') || (window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
    locale: LOCALES.some(([l]) => l === store.get('locale', '')) ? store.get('locale', '') : 'en-US',
    displayMode: 'inline',
    late: store.get('late', '') === '1',
    call: null, session: null, generation: 0, resourceCache: new Map(),
  };
  const clients = new Map();

  function clientFor(app) {
    if (!clients.has(app.name)) clients.set(app.name, new McpClient(app.name, app.mcp, onServerMessage));
    return clients.get(app.name);
  }

  function banner(message) {
    const el = $('banner');
    el.hidden = !message;
    el.textContent = message || '';
  }

  /** A segmented control: buttons with data-value, one pressed. */
  function segmented(el, value, onPick) {
    for (const b of el.querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.value === value));
      if (!b.dataset.wired) {
        b.dataset.wired = '1';
        b.addEventListener('click', () => onPick(b.dataset.value));
      }
    }
  }

  function toolTitle(t) {
    return t.title || (isObject(t.annotations) && t.annotations.title) || t.name;
  }
  function widgetUri(tool, mode) {
    const m = isObject(tool._meta) ? tool._meta : {};
    const mcp = (isObject(m.ui) && typeof m.ui.resourceUri === 'string' && m.ui.resourceUri) || (typeof m['ui/resourceUri'] === 'string' ? m['ui/resourceUri'] : null);
    const openai = typeof m['openai/outputTemplate'] === 'string' ? m['openai/outputTemplate'] : null;
    return mode === 'chatgpt' ? openai || mcp : mcp;
  }
  function widgetName(uri) {
    if (!uri || !page.app) return null;
    const w = (page.app.widgets || []).find((x) => x.uri === uri || x.skybridgeUri === uri);
    return w ? w.name : uri;
  }
  const chip = (text, variant, title) => h('span', { class: `chip${variant ? ` chip--${variant}` : ''}`, title }, text);

  // -- apps and tools

  async function loadApps() {
    banner('');
    let body;
    try {
      const res = await fetch('/dev/api/apps', { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
    } catch (e) {
      banner(`Could not load /dev/api/apps: ${e.message}`);
      return;
    }
    page.apps = Array.isArray(body.apps) ? body.apps.filter((a) => isObject(a) && typeof a.name === 'string' && typeof a.mcp === 'string') : [];
    const [hashApp, hashTool] = location.hash.slice(1).split('/').map((x) => { try { return decodeURIComponent(x); } catch (e) { return ''; } });
    const first = page.apps.find((a) => a.name === hashApp) || page.apps.find((a) => a.name === body.defaultApp) || page.apps[0];
    renderApps();
    if (first) await selectApp(first.name, hashTool);
    else $('tools').replaceChildren(h('li', { class: 'empty' }, 'No apps are served. Start with skyport dev --apps NAME.'));
  }

  function renderApps() {
    $('apps').replaceChildren(...page.apps.map((a) => h('li', null,
      h('button', {
        type: 'button', class: 'nav-item', 'data-testid': 'app', dataset: { app: a.name },
        'aria-current': page.app && page.app.name === a.name ? 'true' : null,
        onclick: () => selectApp(a.name),
      },
      h('span', { class: 'nav-item__title' }, a.name),
      a.summary ? h('span', { class: 'nav-item__sub' }, String(a.summary)) : null))));
  }

  async function selectApp(name, toolName) {
    const app = page.apps.find((a) => a.name === name);
    if (!app) return;
    page.app = app;
    page.client = clientFor(app);
    renderApps();
    $('tools').replaceChildren(h('li', { class: 'empty' }, 'Loading tools…'));
    try {
      page.tools = (await page.client.list('tools/list', 'tools')).filter((t) => isObject(t) && typeof t.name === 'string');
      try { page.resources = await page.client.list('resources/list', 'resources'); } catch (e) { page.resources = []; }
    } catch (e) {
      page.tools = [];
      banner(`${app.name}: ${e.message}`);
    }
    renderTools();
    const pick = page.tools.find((t) => t.name === toolName) || page.tools.find((t) => widgetUri(t, 'mcp-apps')) || page.tools[0];
    if (pick) selectTool(pick.name);
  }

  function toolChips(t) {
    const a = isObject(t.annotations) ? t.annotations : {};
    const vis = visibility(t);
    return [
      a.readOnlyHint === true ? chip('read-only', 'ok') : null,
      a.destructiveHint !== false && a.readOnlyHint !== true ? chip('destructive', 'warn') : null,
      !vis.includes('model') ? chip('app-only', 'info') : null,
      !vis.includes('app') ? chip('model-only', 'muted') : null,
      widgetUri(t, 'mcp-apps') || widgetUri(t, 'chatgpt') ? chip(`widget: ${widgetName(widgetUri(t, 'mcp-apps') || widgetUri(t, 'chatgpt'))}`, 'accent') : null,
    ];
  }

  function renderTools() {
    $('tool-count').textContent = String(page.tools.length);
    if (!page.tools.length) {
      $('tools').replaceChildren(h('li', { class: 'empty' }, 'This app has no tools.'));
      return;
    }
    $('tools').replaceChildren(...page.tools.map((t) => h('li', null,
      h('button', {
        type: 'button', class: 'nav-item', 'data-testid': 'tool', dataset: { tool: t.name },
        'aria-current': page.tool && page.tool.name === t.name ? 'true' : null,
        onclick: () => selectTool(t.name),
      },
      h('span', { class: 'nav-item__title' }, toolTitle(t)),
      h('code', { class: 'nav-item__code' }, t.name),
      h('span', { class: 'nav-item__chips' }, toolChips(t))))));
  }

  function selectTool(name) {
    const tool = findTool(name);
    if (!tool) return;
    page.tool = tool;
    history.replaceState(null, '', `#${encodeURIComponent(page.app.name)}/${encodeURIComponent(tool.name)}`);
    renderTools();
    renderToolDetail(tool);
    renderForm(tool);
  }

  function renderToolDetail(t) {
    const a = isObject(t.annotations) ? t.annotations : {};
    const m = isObject(t._meta) ? t._meta : {};
    const hint = (key, def) => {
      const set = typeof a[key] === 'boolean';
      const v = set ? a[key] : def;
      return chip(`${key.replace(/Hint$/, '')}: ${v}`, set ? (v ? 'on' : 'off') : 'muted', set ? null : 'not declared: the default applies');
    };
    const vis = visibility(t);
    const mcpUri = widgetUri(t, 'mcp-apps');
    const oaUri = typeof m['openai/outputTemplate'] === 'string' ? m['openai/outputTemplate'] : null;
    const facts = [
      ['Annotations', [hint('readOnlyHint', false), hint('destructiveHint', true), hint('idempotentHint', false), hint('openWorldHint', true)]],
      ['Visibility', [chip('model', vis.includes('model') ? 'on' : 'off', 'ui.visibility'), chip('app', vis.includes('app') ? 'on' : 'off', 'ui.visibility'),
        chip(`widgetAccessible: ${m['openai/widgetAccessible'] === true}`, m['openai/widgetAccessible'] === true ? 'on' : 'off', 'openai/widgetAccessible')]],
      ['Widget', mcpUri || oaUri ? [
        h('span', { class: 'fact__line' }, chip('MCP Apps', 'muted'), h('code', null, mcpUri || '—')),
        h('span', { class: 'fact__line' }, chip('ChatGPT', 'muted'), h('code', null, oaUri || '—'))] : [h('span', { class: 'muted' }, 'none: hosts show only the content')]],
    ];
    if (m['openai/toolInvocation/invoking'] || m['openai/toolInvocation/invoked']) {
      facts.push(['Status text', [h('span', null, `${short(m['openai/toolInvocation/invoking'] || '—', 64)} → ${short(m['openai/toolInvocation/invoked'] || '—', 64)}`)]]);
    }
    $('tool-detail').replaceChildren(
      h('div', { class: 'tool-head' },
        h('h2', { class: 'tool-head__title', 'data-testid': 'tool-title' }, toolTitle(t)),
        h('code', { class: 'tool-head__name' }, t.name)),
      typeof t.description === 'string' ? h('p', { class: 'tool-head__desc', 'data-testid': 'tool-description' }, t.description) : null,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
      h('details', { class: 'schema' }, h('summary', null, 'Input and output schema'),
        jsonView({ inputSchema: t.inputSchema, ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}) })));
  }

  function renderForm(tool) {
    const schema = isObject(tool.inputSchema) ? tool.inputSchema : {};
    const props = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required : [];
    page.fields = Object.entries(props).map(([n, s], i) => makeField(n, s, required.includes(n), i));
    $('fields').replaceChildren(...(page.fields.length ? page.fields.map((f) => f.el) : [h('p', { class: 'muted' }, 'This tool takes no arguments.')]));
    $('raw-toggle').checked = false;
    $('raw-args').hidden = true;
    $('fields').hidden = false;
    $('raw-error').hidden = true;
    $('call').textContent = `Call ${tool.name}`;
  }

  /** The arguments from the form (or raw JSON); null after showing what is wrong. */
  function readArgs() {
    if ($('raw-toggle').checked) {
      try {
        const v = JSON.parse($('raw-args').value || '{}');
        if (!isObject(v)) throw new Error('arguments must be a JSON object');
        $('raw-error').hidden = true;
        return v;
      } catch (e) {
        $('raw-error').hidden = false;
        $('raw-error').textContent = e.message;
        return null;
      }
    }
    const args = {};
    let firstBad = null;
    for (const f of page.fields) {
      const r = f.read();
      f.showError(r.error);
      if (r.error) firstBad = firstBad || f;
      else if (r.present) args[f.name] = r.value;
    }
    if (firstBad) { firstBad.input.focus(); return null; }
    return args;
  }

  function toggleRaw() {
    const raw = $('raw-toggle').checked;
    if (raw) {
      const args = {};
      for (const f of page.fields) { const r = f.read(); if (!r.error && r.present) args[f.name] = r.value; }
      $('raw-args').value = JSON.stringify(args, null, 2);
    } else {
      let v;
      try { v = JSON.parse($('raw-args').value || '{}'); } catch (e) { v = null; }
      if (!isObject(v)) {
        $('raw-toggle').checked = true;
        $('raw-error').hidden = false;
        $('raw-error').textContent = 'Fix the JSON (an object) to go back to the form.';
        return;
      }
      page.fields.forEach((f) => f.write(v[f.name]));
    }
    $('raw-error').hidden = true;
    $('raw-args').hidden = !raw;
    $('fields').hidden = raw;
  }

  // -- calling a tool

  async function callTool(event) {
    event.preventDefault();
    const tool = page.tool;
    if (!tool || !page.client) return;
    const args = readArgs();
    if (!args) return;
    const generation = ++page.generation;
    const call = { app: page.app, client: page.client, tool, args, result: null, error: null, requestId: undefined, widgetState: null, started: performance.now() };
    page.call = call;
    $('call').disabled = true;
    $('call-status').textContent = 'Calling…';
    const params = { name: tool.name, arguments: args };
    log.add({ dir: 'to-server', kind: 'server', method: 'tools/call', summary: `${page.app.name}: ${summarize('tools/call', params)}`, payload: params });
    const pending = call.client.call('tools/call', params);
    if (page.hostMode === 'mcp-apps') mountWidget(call, generation); // MCP Apps hosts mount while the tool runs
    try {
      const { result, id } = await pending;
      call.result = result;
      call.requestId = id;
    } catch (e) {
      call.error = e;
      call.result = { content: [{ type: 'text', text: e.message }], isError: true };
    }
    call.ms = Math.round(performance.now() - call.started);
    if (generation !== page.generation) return;
    log.add({ dir: 'from-server', kind: 'server', method: 'tools/call', summary: call.error ? `error ${call.error.code}: ${call.error.message}` : `${call.result.isError ? 'isError · ' : ''}${call.ms} ms`, payload: call.error ? wireError(call.error) : call.result, level: call.error ? 'error' : undefined });
    $('call').disabled = false;
    $('call-status').textContent = call.error ? 'Failed' : `Done in ${call.ms} ms`;
    renderResult(call);
    inspect(call, generation);
    if (call.statusEl) {
      const m = isObject(tool._meta) ? tool._meta : {};
      call.statusEl.dataset.state = call.result.isError ? 'failed' : 'done';
      call.statusEl.lastElementChild.textContent = call.error ? 'Failed' : String((page.hostMode === 'chatgpt' && m['openai/toolInvocation/invoked']) || 'Done');
    }
    if (page.hostMode === 'chatgpt') mountWidget(call, generation); // ChatGPT renders with the output in hand
    else if (page.session && page.session.ctx === call) page.session.onResult();
  }

  async function inspect(call, generation) {
    const box = $('findings');
    box.replaceChildren(h('p', { class: 'muted' }, 'Inspecting…'));
    let findings;
    try {
      const res = await fetch('/dev/api/inspect', {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ app: call.app.name, tool: call.tool.name, result: call.result }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = await res.json();
      findings = Array.isArray(body.findings) ? body.findings.filter(isObject) : [];
    } catch (e) {
      if (generation === page.generation) box.replaceChildren(h('p', { class: 'finding finding--error' }, `Could not inspect the result: ${e.message}`));
      return;
    }
    if (generation !== page.generation) return;
    $('findings-count').textContent = String(findings.length);
    $('findings-count').dataset.severity = findings.some((f) => f.severity === 'error') ? 'error' : findings.length ? 'warning' : 'ok';
    box.replaceChildren(...(findings.length ? findings.map((f) => h('div', {
      class: `finding finding--${f.severity === 'error' ? 'error' : 'warning'}`, 'data-testid': 'finding', dataset: { kind: String(f.kind || '') },
    },
    h('span', { class: 'finding__sev' }, String(f.severity || 'warning')),
    h('code', { class: 'finding__kind' }, String(f.kind || '')),
    h('span', { class: 'finding__msg' }, String(f.message || '')),
    f.path ? h('code', { class: 'finding__path' }, String(f.path)) : null))
      : [h('p', { class: 'finding finding--ok', 'data-testid': 'no-findings' }, 'No findings: structuredContent is within budget and has no secret-like keys.')]));
  }

  function renderResult(call) {
    const r = call.result;
    $('result').hidden = false;
    $('result-status').replaceChildren(
      call.error ? chip(`JSON-RPC error ${call.error.code}`, 'error') : r.isError ? chip('isError: true', 'error') : chip('ok', 'ok'),
      chip(`${call.ms} ms`, 'muted'));
    const section = (title, audience, variant, value, testid) => h('section', { class: 'result-part', 'data-testid': testid },
      h('h4', null, h('code', null, title), chip(audience, variant)),
      value === undefined ? h('p', { class: 'muted' }, 'absent') : jsonView(value));
    const content = Array.isArray(r.content) ? r.content : [];
    $('result-parts').replaceChildren(
      h('section', { class: 'result-part', 'data-testid': 'result-content' },
        h('h4', null, h('code', null, 'content'), chip('model sees', 'model')),
        content.length ? content.map((b) => (isObject(b) && b.type === 'text'
          ? h('pre', { class: 'text-block' }, String(b.text))
          : jsonView(b))) : h('p', { class: 'muted' }, 'empty')),
      section('structuredContent', 'model sees', 'model', r.structuredContent, 'result-structured'),
      section('_meta', 'widget only', 'widget', r._meta, 'result-meta'),
      call.error ? section('error', 'host', 'error', wireError(call.error), 'result-error') : null,
      h('details', { class: 'raw' }, h('summary', null, 'Raw CallToolResult'), jsonView(r, 'result-raw')));
    $('model-context').replaceChildren(h('p', { class: 'muted' }, 'Nothing yet: the widget has not set state or model context.'));
  }

  // -- the widget stage

  async function readTemplate(client, uri) {
    if (page.resourceCache.has(uri)) return page.resourceCache.get(uri);
    const result = await client.request('resources/read', { uri });
    const c = Array.isArray(result.contents) ? result.contents.find((x) => isObject(x) && x.uri === uri) || result.contents[0] : null;
    if (!isObject(c)) throw new Error(`resources/read ${uri}: no contents`);
    let html;
    if (typeof c.text === 'string') html = c.text;
    else if (typeof c.blob === 'string') html = new TextDecoder().decode(Uint8Array.from(atob(c.blob), (ch) => ch.charCodeAt(0)));
    else throw new Error(`resources/read ${uri}: neither text nor blob`);
    const listed = page.resources.find((x) => isObject(x) && x.uri === uri);
    const template = { uri, html, mimeType: c.mimeType, meta: isObject(c._meta) ? c._meta : null, listMeta: listed && isObject(listed._meta) ? listed._meta : null };
    page.resourceCache.set(uri, template);
    return template;
  }

  async function unmount() {
    const s = page.session;
    if (!s) return;
    await s.teardown(); // the frame stays current until it answers: its reply is routed and logged
    s.closed = true;
    if (page.session === s) page.session = null;
  }

  /** Renders `call`'s widget in the current host mode, replacing any previous frame. */
  async function mountWidget(call, generation) {
    const mode = page.hostMode;
    const transcript = $('transcript');
    const uri = widgetUri(call.tool, mode);
    await unmount();
    if (generation !== page.generation) return;
    $('csp').replaceChildren(h('p', { class: 'muted' }, 'No widget rendered.'));
    $('template-info').textContent = '';
    const m = isObject(call.tool._meta) ? call.tool._meta : {};
    const status = h('div', { class: 'tool-status', 'data-testid': 'tool-status', dataset: { state: call.result ? (call.result.isError ? 'failed' : 'done') : 'running' } },
      h('span', { class: 'tool-status__icon', 'aria-hidden': 'true' }),
      h('span', null, `${call.app.name} · `), h('code', null, call.tool.name),
      h('span', { class: 'tool-status__text' }, mode === 'chatgpt'
        ? String((call.result ? m['openai/toolInvocation/invoked'] : m['openai/toolInvocation/invoking']) || (call.result ? 'Done' : 'Working…'))
        : call.result ? 'Done' : 'Running…'));
    call.statusEl = status;
    transcript.replaceChildren(status);
    if (!uri) {
      const text = call.result && Array.isArray(call.result.content) ? call.result.content.filter((b) => isObject(b) && b.type === 'text').map((b) => b.text).join('\n') : '';
      transcript.append(h('div', { class: 'bubble bubble--assistant' }, text || `${call.tool.name} renders no widget: hosts show only its content.`));
      return;
    }
    let template;
    try {
      template = await readTemplate(call.client, uri);
    } catch (e) {
      transcript.append(h('p', { class: 'finding finding--error' }, `Could not read the template: ${e.message}`));
      return;
    }
    if (generation !== page.generation || page.hostMode !== mode) return;
    const expected = mode === 'chatgpt' ? [MIME_SKYBRIDGE, MIME_MCP_APP] : [MIME_MCP_APP];
    if (!expected.includes(template.mimeType)) {
      log.add({ dir: 'host', kind: 'error', method: 'resources/read', summary: `${uri} has mimeType ${template.mimeType}; ${mode} expects ${expected.join(' or ')}`, level: 'warn' });
    }
    const declared = declaredCsp(mode, template.meta, template.listMeta);
    const csp = buildCsp(declared);
    csp.rejected.forEach((r) => log.add({ dir: 'host', kind: 'csp', method: 'csp', summary: `ignored an invalid CSP entry (${r})`, level: 'warn' }));
    const meta = template.meta || template.listMeta || {};
    const border = (isObject(meta.ui) && meta.ui.prefersBorder === true) || meta['openai/widgetPrefersBorder'] === true;

    const s = mode === 'chatgpt' ? chatgptSession(call) : mcpAppsSession(call);
    const frame = h('iframe', {
      class: 'widget-frame', 'data-testid': 'widget-frame', title: `Widget ${widgetName(uri)} (${mode === 'chatgpt' ? 'ChatGPT' : 'MCP Apps'})`,
      sandbox: 'allow-scripts allow-forms', referrerpolicy: 'no-referrer',
    });
    const perms = isObject(meta.ui) && isObject(meta.ui.permissions) ? meta.ui.permissions : {};
    const allow = [['camera', 'camera'], ['microphone', 'microphone'], ['geolocation', 'geolocation'], ['clipboardWrite', 'clipboard-write']]
      .filter(([k]) => perms[k]).map(([, v]) => v).join('; ');
    if (allow && mode === 'mcp-apps') frame.setAttribute('allow', allow);
    frame.style.height = '160px';
    const shell = h('div', { class: `widget-shell${border ? ' widget-shell--border' : ''}`, 'data-testid': 'widget-shell', dataset: { displayMode: page.displayMode } },
      h('div', { class: 'widget-shell__bar' },
        h('span', { class: 'widget-shell__title' }, `${call.app.name} · ${widgetName(uri)}`),
        h('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-testid': 'exit-display-mode', onclick: () => setDisplayMode('inline') }, 'Back to inline')),
      frame);
    s.frame = frame;
    s.shell = shell;
    page.session = s;
    transcript.append(shell, h('div', { class: 'note widget-placeholder' }, 'The widget is shown in picture-in-picture or fullscreen.',
      h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: () => setDisplayMode('inline') }, 'Back to inline')));
    frame.srcdoc = frameDocument(template.html, csp.policy, mode === 'chatgpt' ? { mode, globals: s.globals } : { mode });

    $('template-info').replaceChildren(h('code', null, uri), chip(String(template.mimeType || 'no mimeType'), 'muted'),
      chip(`${(template.html.length / 1024).toFixed(1)} KB`, 'muted'), border ? chip('prefersBorder', 'muted') : null);
    $('csp').replaceChildren(
      h('p', { class: 'csp__source' }, declared ? `Declared in ${mode === 'chatgpt' && isObject(meta['openai/widgetCSP']) ? 'openai/widgetCSP' : '_meta.ui.csp'}` : 'No csp declared: the MCP Apps default'),
      h('pre', { class: 'csp__policy', 'data-testid': 'csp-policy' }, csp.directives.join(';\n')));
    log.add({ dir: 'host', kind: 'lifecycle', method: 'mount', summary: `${mode} · ${uri}`, payload: { uri, mode, csp: csp.policy } });
  }

  // -- host UI the sessions drive

  const ui = {
    followUp(text) {
      $('transcript').append(h('div', { class: 'bubble bubble--user', 'data-testid': 'follow-up-message' },
        h('span', { class: 'bubble__caption' }, 'Follow-up from the widget'), text));
      scrollTranscript();
    },
    link(url, via) {
      let parsed = null;
      try { parsed = new URL(String(url)); } catch (e) { /* not a URL */ }
      const ok = parsed && ['http:', 'https:', 'mailto:'].includes(parsed.protocol);
      $('transcript').append(h('div', { class: 'note', 'data-testid': 'link-request' },
        ok ? ['The widget asked to open ', h('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' }, parsed.href), ` (${via})`]
          : `Refused to open ${short(String(url), 200)} (${via}): only http, https and mailto links open.`));
      scrollTranscript();
      return ok;
    },
    note(text) {
      $('transcript').append(h('div', { class: 'note' }, text));
      scrollTranscript();
    },
    modelContext(source, value) {
      $('model-context').replaceChildren(h('p', { class: 'model-context__source' }, chip(source, 'muted'), chip('model sees on the next turn', 'model')), jsonView(value, 'model-context-json'));
    },
    frameHeight(height) {
      const s = page.session;
      if (!s || !s.frame || !Number.isFinite(height)) return;
      const cap = MAX_HEIGHT[page.displayMode];
      const hgt = Math.max(32, Math.min(Math.ceil(height), cap || 4000));
      s.frame.style.height = `${hgt}px`;
    },
    closeWidget(reason) {
      const s = page.session;
      if (!s) return;
      setDisplayMode('inline');
      s.closed = true;
      if (s.shell) s.shell.replaceWith(h('div', { class: 'note', 'data-testid': 'widget-closed' }, reason,
        h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: () => rerender() }, 'Render again')));
      page.session = null;
    },
  };

  function scrollTranscript() {
    const t = $('transcript');
    t.scrollTop = t.scrollHeight;
  }

  function rerender() {
    if (!page.call || !page.call.result) return;
    mountWidget(page.call, page.generation);
  }

  // -- host settings

  function setTheme(theme) {
    page.theme = theme === 'dark' ? 'dark' : 'light';
    store.set('theme', page.theme);
    document.documentElement.dataset.theme = page.theme;
    document.documentElement.style.colorScheme = page.theme;
    segmented($('theme'), page.theme, setTheme);
    if (page.session) page.session.onContext({ theme: page.theme, styles: { variables: PALETTES[page.theme] } });
  }

  function setLocale(locale) {
    page.locale = locale;
    store.set('locale', locale);
    if (page.session) page.session.onContext({ locale });
  }

  function setDisplayMode(mode) {
    if (!DISPLAY_MODES.includes(mode) || mode === page.displayMode) return;
    page.displayMode = mode;
    segmented($('display-mode'), mode, setDisplayMode);
    const s = page.session;
    if (!s) return;
    if (s.shell) s.shell.dataset.displayMode = mode;
    document.body.classList.toggle('has-fullscreen-widget', mode === 'fullscreen');
    s.onContext({ displayMode: mode, containerDimensions: containerDimensions(mode) });
  }

  function setHostMode(mode) {
    if (mode === page.hostMode) return;
    page.hostMode = mode === 'chatgpt' ? 'chatgpt' : 'mcp-apps';
    store.set('host', page.hostMode);
    segmented($('host-mode'), page.hostMode, setHostMode);
    $('stage-mode').textContent = page.hostMode === 'chatgpt' ? 'ChatGPT · window.openai' : 'MCP Apps · ui/* postMessage';
    if (page.call && page.call.result) mountWidget(page.call, page.generation); // the same result, the other host
  }

  function wire() {
    segmented($('host-mode'), page.hostMode, setHostMode);
    $('stage-mode').textContent = page.hostMode === 'chatgpt' ? 'ChatGPT · window.openai' : 'MCP Apps · ui/* postMessage';
    setTheme(page.theme);
    segmented($('display-mode'), page.displayMode, setDisplayMode);
    const locale = $('locale');
    locale.replaceChildren(...LOCALES.map(([v, label]) => h('option', { value: v }, `${label} · ${v}`)));
    locale.value = page.locale;
    locale.addEventListener('change', () => setLocale(locale.value));
    $('late').checked = page.late;
    $('late').addEventListener('change', () => { page.late = $('late').checked; store.set('late', page.late ? '1' : '0'); });
    $('call-form').addEventListener('submit', callTool);
    $('raw-toggle').addEventListener('change', toggleRaw);
    $('reload-apps').addEventListener('click', () => { page.resourceCache.clear(); loadApps(); });
    $('rerender').addEventListener('click', rerender);
    log.list = $('log');
    log.count = $('log-count');
    $('log-filter').addEventListener('input', (e) => { log.filterText = e.target.value.trim().toLowerCase(); log.refilter(); });
    const kinds = $('log-kind');
    kinds.replaceChildren(h('option', { value: '' }, 'All messages'), ...KINDS.map(([v, label]) => h('option', { value: v }, label)));
    kinds.addEventListener('change', () => { log.filterKind = kinds.value; log.refilter(); });
    $('log-clear').addEventListener('click', () => log.clear());
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && page.displayMode === 'fullscreen') setDisplayMode('inline'); });
    window.addEventListener('resize', () => {
      if (page.session && page.displayMode === 'fullscreen') page.session.onContext({ containerDimensions: containerDimensions('fullscreen') });
    });
  }

  async function start() {
    wire();
    try {
      const res = await fetch('/dev/assets/frame-shims.js');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      SHIMS = await res.text();
    } catch (e) {
      banner(`Could not load frame-shims.js (${e.message}): widgets will not get window.openai or CSP reports.`);
    }
    await loadApps();
    document.documentElement.dataset.ready = 'true';
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
