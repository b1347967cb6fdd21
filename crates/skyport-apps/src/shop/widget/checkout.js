// Checkout (checkout): summary, editable address, payment and "Place order"
// (place_order via the host). The idempotency key is made once per widget and
// kept in the widget state: a retry or re-mount cannot order twice.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('checkout'), status: $('status'), form: $('form'), member: $('member'), lines: $('lines'),
    subtotal: $('subtotal'), tax: $('tax'), shipping: $('shipping'), total: $('total'), payment: $('payment'),
    error: $('error'), place: $('place'), done: $('done'), orderId: $('order-id'), orderTotal: $('order-total'),
    fatal: $('fatal'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.fatal.hidden = false;
    ui.fatal.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const num = (v) => (Number.isFinite(v) ? v : 0);
  const textOf = (r) => ((r && Array.isArray(r.content)) ? r.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
  const el = (tag, props, text) => {
    const node = Object.assign(document.createElement(tag), props);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // Address fields: name, label, autocomplete, max length; all but line2 are required.
  const SPEC = [
    ['name', 'Full name', 'name', 120], ['line1', 'Street address', 'address-line1', 200],
    ['line2', 'Apartment, suite (optional)', 'address-line2', 200], ['city', 'City', 'address-level2', 120],
    ['region', 'State or region', 'address-level1', 120], ['postalCode', 'Postal code', 'postal-code', 20],
    ['country', 'Country', 'country-name', 60],
  ];
  const fields = {};
  for (const [f, label, autocomplete, maxLength] of SPEC) {
    const required = f === 'line2' ? '' : `Enter the ${label.toLowerCase()}.`;
    const box = el('div', { className: `co__field${/^(name|line)/.test(f) ? ' co__wide' : ''}` });
    const input = el('input', { id: `f-${f}`, autocomplete, maxLength, required: Boolean(required) });
    input.dataset.testid = `field-${f}`;
    box.append(el('label', { htmlFor: input.id }, label), input);
    const error = el('p', { id: `e-${f}`, className: 'co__field-error', hidden: true });
    error.dataset.testid = `error-${f}`;
    if (required) {
      input.setAttribute('aria-describedby', error.id);
      box.append(error);
    }
    input.addEventListener('input', () => { if (!error.hidden) fieldError(f, ''); });
    fields[f] = { input, error, required };
    $('address').append(box);
  }

  let locale = '';
  let filledFrom = null; // the toolOutput the address came from
  let busy = false;
  let placeError = '';
  let key = '';          // the idempotency key
  let placed = null;     // { orderId, totalCents }

  function money(cents) {
    const o = { style: 'currency', currency: 'USD' };
    try { return new Intl.NumberFormat(locale || undefined, o).format(num(cents) / 100); } catch (e) { return `$${(num(cents) / 100).toFixed(2)}`; }
  }
  const setMoney = (node, cents, free) => {
    node.textContent = free && num(cents) === 0 ? 'Free' : money(cents);
    node.dataset.cents = String(num(cents));
    if (free) node.dataset.free = String(num(cents) === 0);
  };

  function newKey() {
    const c = window.crypto;
    if (typeof c.randomUUID === 'function') return c.randomUUID().replace(/-/g, '');
    return Array.from(c.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const outputOf = (state) => (isObject(state.toolOutput) ? state.toolOutput : null);
  const savedOf = (state) => (isObject(state.widgetState) ? state.widgetState : {});

  /** This page's key, else the widget state's (a re-mount), else a new one. */
  function keyOf(state) {
    const saved = savedOf(state).idempotencyKey;
    if (!key) key = typeof saved === 'string' && /^[\w-]{8,64}$/.test(saved) ? saved : newKey();
    return key;
  }

  function placedOf(state) {
    const s = savedOf(state);
    if (placed || !str(s.orderId)) return placed;
    return { orderId: s.orderId, totalCents: num(s.totalCents) };
  }

  function fill(out) {
    if (filledFrom !== out) {
      filledFrom = out;
      const address = isObject(out.shipping) ? out.shipping : {};
      for (const f in fields) fields[f].input.value = str(address[f]);
    }
    const cart = out.cart;
    const lines = Array.isArray(cart.lines) ? cart.lines.filter(isObject) : [];
    ui.lines.replaceChildren(...lines.map((line) => {
      const li = el('li', { className: 'co__line' });
      li.dataset.testid = 'line';
      li.dataset.productId = str(line.productId);
      const name = el('span', { className: 'co__line-title' }, str(line.title) || str(line.productId));
      name.append(el('span', { className: 'co__line-qty' }, ` × ${num(line.quantity)}`));
      const total = el('span', { className: 'co__line-total' });
      setMoney(total, line.lineTotalCents);
      li.append(name, total);
      return li;
    }));
    setMoney(ui.subtotal, cart.subtotalCents);
    setMoney(ui.tax, cart.taxCents);
    setMoney(ui.shipping, cart.shippingCents, true);
    setMoney(ui.total, cart.totalCents);
    ui.payment.textContent = (isObject(out.payment) && str(out.payment.label)) || 'Pay on delivery';
    const tier = isObject(out.member) ? str(out.member.tier) : '';
    ui.member.hidden = !tier;
    ui.member.textContent = `${tier.charAt(0).toUpperCase()}${tier.slice(1)} member`;
    if (cart.checkedOut === true) return 'This cart has already been checked out.';
    return lines.length ? '' : 'Your cart is empty.';
  }

  function render(state) {
    const out = outputOf(state);
    const order = placedOf(state);
    let view = 'loading';
    let fatal = '';
    if (order) view = 'done';
    else if (state.status === 'cancelled') {
      view = 'cancelled';
      fatal = `Checkout was cancelled${state.error ? `: ${state.error}` : '.'}`;
    } else if (state.status === 'error') {
      view = 'error';
      fatal = state.error || 'Checkout could not start.';
    } else if (state.status === 'result') {
      if (out && isObject(out.cart) && str(out.sessionId) && str(out.cartId)) view = busy ? 'busy' : 'ready';
      else { view = 'error'; fatal = 'The shop sent no cart to check out.'; }
    }
    locale = state.locale;
    ui.root.dataset.state = view;
    ui.root.dataset.busy = String(busy);
    ui.root.setAttribute('aria-busy', String(view === 'loading' || busy));
    ui.status.hidden = view !== 'loading';
    ui.form.hidden = view !== 'ready' && view !== 'busy';
    ui.done.hidden = view !== 'done';
    ui.fatal.hidden = !fatal;
    ui.fatal.textContent = fatal;

    const blocked = ui.form.hidden ? '' : fill(out);
    ui.error.hidden = !(placeError || blocked);
    ui.error.textContent = placeError || blocked;
    ui.place.disabled = busy || Boolean(blocked);
    ui.place.textContent = busy ? 'Placing your order…' : placeError ? 'Try again' : 'Place order';
    for (const f in fields) fields[f].input.disabled = busy;

    if (order) {
      ui.orderId.textContent = order.orderId;
      setMoney(ui.orderTotal, order.totalCents);
    }
  }

  function fieldError(f, message) {
    const { input, error } = fields[f];
    error.hidden = !message;
    error.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  /** The address from the form, or null after showing what is missing. */
  function readAddress() {
    const address = {};
    let first = null;
    for (const f in fields) {
      const { input, required } = fields[f];
      const value = input.value.trim();
      if (required) fieldError(f, value ? '' : required);
      if (required && !value) first = first || input;
      if (value) address[f] = value;
    }
    if (first) first.focus();
    return first ? null : address;
  }

  async function place(event) {
    event.preventDefault();
    const state = sky.state;
    const out = outputOf(state);
    if (busy || placedOf(state) || !out) return;
    const shipping = readAddress();
    if (!shipping) return;
    const idempotencyKey = keyOf(state);
    const cartId = str(out.cartId);
    const warn = (e) => sky.log('warning', e.message);
    busy = true;
    placeError = '';
    render(sky.state);
    // Saved before the call: a re-mounted widget retries with the same key.
    await sky.setWidgetState({ ...savedOf(sky.state), cartId, idempotencyKey }).catch(warn);
    let order = null;
    try {
      const result = await sky.callTool('place_order', {
        session_id: str(out.sessionId),
        cart_id: cartId,
        cart_version: num(out.cartVersion),
        idempotency_key: idempotencyKey,
        shipping,
      });
      const sc = result && isObject(result.structuredContent) ? result.structuredContent : {};
      if (!result || result.isError || !isObject(sc.order)) throw new Error(textOf(result) || 'The order could not be placed.');
      order = sc.order;
    } catch (e) {
      placeError = e.message || 'The order could not be placed.';
    }
    busy = false;
    if (!order) {
      render(sky.state);
      ui.place.focus();
      return;
    }
    placed = { orderId: str(order.orderId), totalCents: num(order.totalCents) };
    render(sky.state);
    await sky.setWidgetState({ cartId, idempotencyKey, ...placed }).catch(warn);
    await sky.sendFollowUp(`I placed order ${placed.orderId}.`).catch(warn);
  }

  ui.form.addEventListener('submit', place);
  sky.subscribe(render);
})();
