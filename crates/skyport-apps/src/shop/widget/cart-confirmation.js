// The cart confirmation (add_to_cart): the added product and the cart's
// totals, with "Checkout" and "Keep shopping" as follow-up messages. Money is
// integer cents, formatted here with Intl.NumberFormat. Every value goes into
// the page with textContent or attributes.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('cart'), status: $('status'), body: $('body'), media: $('media'), title: $('title'), qty: $('qty'),
    price: $('price'), itemCount: $('item-count'), subtotal: $('subtotal'), tax: $('tax'), shipping: $('shipping'),
    total: $('total'), freeShipping: $('free-shipping'), checkout: $('checkout'), keepShopping: $('keep-shopping'),
    sent: $('sent'), error: $('error'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.hidden = true;
    ui.error.hidden = false;
    ui.error.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const num = (v) => (Number.isFinite(v) ? v : 0);
  let locale = '';
  let shownImage = null;
  let sending = false;
  let sentText = '';

  function fmt(options) {
    try { return new Intl.NumberFormat(locale || undefined, options); } catch (e) { return new Intl.NumberFormat('en-US', options); }
  }
  const money = (cents) => fmt({ style: 'currency', currency: 'USD' }).format(num(cents) / 100);
  const count = (n) => fmt().format(num(n));
  const safeUrl = (u) => {
    try { const url = new URL(str(u)); return /^https?:$/.test(url.protocol) ? url.href : ''; } catch (e) { return ''; }
  };
  const setMoney = (el, cents) => {
    el.textContent = money(cents);
    el.dataset.cents = String(num(cents));
  };

  function fallback(title) {
    const box = document.createElement('div');
    box.className = 'cc__fallback';
    box.setAttribute('aria-hidden', 'true');
    box.textContent = (Array.from(title)[0] || '?').toLocaleUpperCase();
    ui.media.replaceChildren(box);
  }

  function showImage(url, title) {
    if (shownImage === url) return;
    shownImage = url;
    const src = safeUrl(url);
    if (!src) return fallback(title);
    const img = document.createElement('img');
    img.alt = '';
    img.decoding = 'async';
    img.dataset.testid = 'added-image';
    img.addEventListener('error', () => fallback(title), { once: true });
    img.src = src;
    ui.media.replaceChildren(img);
    return undefined;
  }

  function fill(out) {
    const added = isObject(out.added) ? out.added : {};
    const cart = out.cart;
    const title = str(added.title) || str(added.productId) || 'Product';
    const qty = Math.max(1, num(added.quantity));
    showImage(str(added.imageUrl), title);
    ui.title.textContent = title;
    ui.qty.textContent = qty > 1 ? `Qty ${count(qty)} · ${money(added.unitPriceCents)} each` : `Qty ${count(qty)}`;
    ui.qty.dataset.quantity = String(qty);
    setMoney(ui.price, num(added.unitPriceCents) * qty);

    const items = num(cart.itemCount);
    ui.itemCount.textContent = `${count(items)} ${items === 1 ? 'item' : 'items'}`;
    ui.itemCount.dataset.count = String(items);
    setMoney(ui.subtotal, cart.subtotalCents);
    setMoney(ui.tax, cart.taxCents);
    if (num(cart.shippingCents) === 0) {
      ui.shipping.textContent = 'Free';
      ui.shipping.dataset.cents = '0';
    } else {
      setMoney(ui.shipping, cart.shippingCents);
    }
    ui.shipping.dataset.free = String(num(cart.shippingCents) === 0);
    setMoney(ui.total, cart.totalCents);

    const missing = num(cart.freeShippingThresholdCents) - num(cart.subtotalCents);
    const hint = num(cart.shippingCents) > 0 && missing > 0 ? `Add ${money(missing)} more for free shipping.` : '';
    ui.freeShipping.hidden = !hint;
    ui.freeShipping.textContent = hint;
    ui.freeShipping.dataset.cents = String(Math.max(0, missing));
  }

  function render(state) {
    const out = isObject(state.toolOutput) ? state.toolOutput : null;
    let view = 'loading';
    let error = '';
    if (state.status === 'cancelled') {
      view = 'cancelled';
      error = state.error ? `Adding to the cart was cancelled: ${state.error}` : 'Adding to the cart was cancelled.';
    } else if (state.status === 'error') {
      view = 'error';
      error = state.error || 'The product could not be added.';
    } else if (state.status === 'result') {
      if (out && isObject(out.cart) && isObject(out.added)) view = 'ready';
      else { view = 'error'; error = 'The shop sent no cart.'; }
    }
    ui.root.dataset.state = view;
    ui.root.dataset.busy = String(sending);
    ui.root.setAttribute('aria-busy', String(view === 'loading'));
    ui.status.hidden = view !== 'loading';
    ui.body.hidden = view !== 'ready';
    ui.error.hidden = !error;
    ui.error.textContent = error;
    if (view === 'ready') {
      locale = state.locale;
      fill(out);
    }
    ui.checkout.disabled = sending;
    ui.keepShopping.disabled = sending;
    ui.sent.hidden = !sentText;
    ui.sent.textContent = sentText;
  }

  async function followUp(text, note) {
    if (sending) return;
    sending = true;
    render(sky.state);
    try {
      await sky.sendFollowUp(text);
      sentText = note;
    } catch (e) {
      sentText = `Could not send that to the chat: ${e.message}`;
    } finally {
      sending = false;
      render(sky.state);
    }
  }

  ui.checkout.addEventListener('click', () => followUp("I'm ready to check out.", 'Asked the assistant to check out.'));
  ui.keepShopping.addEventListener('click', () => followUp('Show me more products.', 'Asked the assistant for more products.'));

  sky.subscribe(render);
})();
