// The product carousel (search_products): scroll-snap product cards whose
// "Add to cart" calls add_to_cart via the host with the result's shopping
// session (without one, it asks in the chat). Values go in as text.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('carousel'), status: $('status'), results: $('results'), heading: $('heading'),
    corrected: $('corrected'), notice: $('notice'), nav: $('nav'), prev: $('prev'), next: $('next'),
    track: $('track'), empty: $('empty'), error: $('error'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.error.hidden = false;
    ui.error.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const num = (v) => (Number.isFinite(v) ? v : 0);
  const textOf = (r) => ((r && Array.isArray(r.content)) ? r.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');
  /** An element with a class, text (never markup) and a data-testid. */
  const el = (tag, className, text, testid) => {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    if (testid) node.dataset.testid = testid;
    return node;
  };

  let shown = null;         // the toolOutput the cards were built from
  let locale = '';
  const items = new Map();  // product id → { state, message, itemCount, title, inStock, node, button, msg }

  function fmt(options) {
    try { return new Intl.NumberFormat(locale || undefined, options); } catch (e) { return new Intl.NumberFormat('en-US', options); }
  }
  const money = (cents) => fmt({ style: 'currency', currency: 'USD' }).format(num(cents) / 100);
  const count = (n) => fmt().format(num(n));
  const safeUrl = (u) => {
    try { const url = new URL(str(u)); return /^https?:$/.test(url.protocol) ? url.href : ''; } catch (e) { return ''; }
  };

  function fallback(media, product) {
    const box = el('div', 'pc__fallback', (Array.from(str(product.brand) || str(product.title))[0] || '?').toUpperCase(), 'image-fallback');
    box.setAttribute('aria-hidden', 'true');
    media.replaceChildren(box, ...media.querySelectorAll('.pc__out'));
  }

  /** A card for `product`; its progress (adding, added…) survives a rebuild. */
  function buildCard(product, saved) {
    const id = product.id;
    const title = str(product.title) || id;
    const li = el('li', 'pc__card', undefined, 'product');
    li.dataset.productId = id;
    li.setAttribute('aria-label', title);

    const media = el('div', 'pc__media');
    const src = safeUrl(product.imageUrl);
    if (src) {
      const img = el('img', 'pc__img', undefined, 'product-image');
      Object.assign(img, { loading: 'lazy', decoding: 'async', alt: '' });
      img.addEventListener('error', () => fallback(media, product), { once: true });
      img.src = src;
      media.append(img);
    } else {
      fallback(media, product);
    }
    const inStock = product.inStock !== false;
    if (!inStock) media.append(el('span', 'pc__out', 'Out of stock', 'out-of-stock'));

    const price = el('p', 'pc__price', money(product.priceCents), 'product-price');
    price.dataset.cents = String(num(product.priceCents));
    const r = Math.max(0, Math.min(5, num(product.rating)));
    const stars = el('span', 'pc__stars', '★★★★★', 'product-rating');
    const on = el('span', 'pc__stars-on', '★★★★★');
    on.style.width = `${r * 20}%`;
    stars.append(on);
    stars.setAttribute('role', 'img');
    stars.setAttribute('aria-label', `Rated ${r} out of 5`);
    const reviews = num(product.reviewCount);
    const rating = el('p', 'pc__rating');
    rating.append(stars, el('span', 'pc__reviews', `${r.toFixed(1)} · ${count(reviews)} ${reviews === 1 ? 'review' : 'reviews'}`, 'product-reviews'));
    const body = el('div', 'pc__body');
    body.append(el('h2', 'pc__title', title, 'product-title'), el('p', 'pc__brand', str(product.brand), 'product-brand'), price, rating);

    const button = el('button', 'pc__add sp-spinner', undefined, 'add-to-cart');
    button.type = 'button';
    button.addEventListener('click', () => add(id));
    const msg = el('p', 'pc__msg', undefined, 'card-message');
    msg.setAttribute('role', 'status');
    const foot = el('div', 'pc__foot');
    foot.append(msg, button);
    li.append(media, body, foot);

    let item = items.get(id);
    if (!item) {
      const added = saved.added.includes(id);
      item = { state: added ? 'added' : 'idle', message: '', itemCount: added ? saved.itemCount : 0 };
      items.set(id, item);
    }
    Object.assign(item, { title, inStock, node: li, button, msg });
    updateCard(item);
    return li;
  }

  function updateCard(item) {
    const { state, title, inStock, button, msg } = item;
    item.node.dataset.state = state;
    item.node.dataset.busy = String(state === 'adding');
    button.disabled = !inStock || state === 'adding';
    button.textContent = !inStock ? 'Out of stock'
      : { adding: 'Adding…', added: 'Added ✓', asked: 'Asked ✓' }[state] || 'Add to cart';
    button.setAttribute('aria-label', !inStock ? `“${title}” is out of stock`
      : state === 'added' ? `Added “${title}” to cart; add another` : `Add “${title}” to cart`);
    const message = state === 'added' ? `In your cart · ${count(item.itemCount)} ${item.itemCount === 1 ? 'item' : 'items'}`
      : state === 'asked' ? 'Asked in the chat.' : item.message;
    msg.hidden = !message;
    msg.textContent = message;
    msg.dataset.kind = state === 'error' ? 'error' : 'info';
    msg.dataset.itemCount = String(item.itemCount);
  }

  async function add(id) {
    const item = items.get(id);
    if (!item || item.state === 'adding' || !item.inStock) return;
    const sessionId = str(isObject(sky.state.toolOutput) ? sky.state.toolOutput.sessionId : '');
    const fail = (e, fallbackText) => Object.assign(item, { state: 'error', message: e.message || fallbackText });
    if (!sessionId) {
      item.state = 'asked';
      updateCard(item);
      await sky.sendFollowUp(`Please add “${item.title}” to my cart.`).catch((e) => fail(e, 'Could not ask in the chat.'));
      updateCard(item);
      return;
    }
    Object.assign(item, { state: 'adding', message: '' });
    updateCard(item);
    try {
      const result = await sky.callTool('add_to_cart', { session_id: sessionId, product_id: id, quantity: 1 });
      const sc = result && isObject(result.structuredContent) ? result.structuredContent : null;
      if (!result || result.isError || !sc) throw new Error(textOf(result) || 'Could not add this product.');
      const itemCount = num(isObject(sc.cart) ? sc.cart.itemCount : 0);
      item.state = 'added';
      const added = [];
      for (const [key, other] of items) {
        if (other.state !== 'added') continue;
        added.push(key);
        other.itemCount = itemCount;
        updateCard(other);
      }
      sky.setWidgetState({ added, cartItemCount: itemCount }).catch((e) => sky.log('warning', e.message));
    } catch (e) {
      fail(e, 'Could not add this product.');
    }
    updateCard(item);
  }

  function build(state, out) {
    shown = out;
    locale = state.locale;
    const ws = isObject(state.widgetState) ? state.widgetState : {};
    const saved = { added: Array.isArray(ws.added) ? ws.added : [], itemCount: num(ws.cartItemCount) };
    const list = out.products.filter((p) => isObject(p) && typeof p.id === 'string' && p.id);
    ui.track.replaceChildren(...list.map((p) => buildCard(p, saved)));
    ui.track.scrollLeft = 0;
    const total = Number.isFinite(out.total) ? out.total : list.length;
    const query = str(out.query);
    ui.heading.textContent = `${count(total)} ${total === 1 ? 'result' : 'results'}${query ? ` for “${query}”` : ''}`;
    const corrected = str(out.correctedQuery);
    ui.corrected.hidden = !corrected;
    ui.corrected.textContent = `Showing results for “${corrected}”`;
    ui.notice.hidden = !str(out.notice);
    ui.notice.textContent = str(out.notice);
    ui.empty.hidden = list.length > 0;
    ui.track.hidden = !list.length;
    ui.nav.hidden = list.length < 2;
    ui.root.dataset.count = String(list.length);
  }

  function render(state) {
    const out = isObject(state.toolOutput) ? state.toolOutput : null;
    let view = 'loading';
    let error = '';
    if (state.status === 'cancelled') {
      view = 'cancelled';
      error = `The search was cancelled${state.error ? `: ${state.error}` : '.'}`;
    } else if (state.status === 'error') {
      view = 'error';
      error = state.error || 'The search failed.';
    } else if (state.status === 'result') {
      if (out && Array.isArray(out.products)) view = 'ready';
      else { view = 'error'; error = 'The search sent no products.'; }
    }
    if (view === 'ready' && (out !== shown || state.locale !== locale)) build(state, out);
    ui.root.dataset.state = view;
    ui.root.setAttribute('aria-busy', String(view === 'loading'));
    ui.status.hidden = view !== 'loading';
    ui.results.hidden = view !== 'ready';
    ui.error.hidden = !error;
    ui.error.textContent = error;
    if (view === 'ready') updateArrows();
  }

  // The arrows and the keyboard scroll by about one view of cards.
  const step = () => {
    const card = ui.track.firstElementChild;
    const width = card ? card.getBoundingClientRect().width + 12 : 200;
    return Math.max(width, Math.floor(ui.track.clientWidth / width) * width);
  };
  function updateArrows() {
    const t = ui.track;
    ui.prev.disabled = t.scrollLeft <= 4; // snapping may leave the padding's few pixels
    ui.next.disabled = t.scrollLeft >= t.scrollWidth - t.clientWidth - 4;
  }
  ui.prev.addEventListener('click', () => ui.track.scrollBy({ left: -step() }));
  ui.next.addEventListener('click', () => ui.track.scrollBy({ left: step() }));
  ui.track.addEventListener('scroll', updateArrows, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => updateArrows()).observe(ui.track);
  ui.track.addEventListener('keydown', (e) => {
    const moves = { ArrowLeft: -step(), ArrowRight: step(), Home: -1e6, End: 1e6 };
    if (e.target !== ui.track || !(e.key in moves)) return;
    e.preventDefault();
    ui.track.scrollBy({ left: moves[e.key] });
  });

  sky.subscribe(render);
})();
