// The membership sign-up (show_membership_signup): the plans as a radio
// group (the suggested or current plan preselected) and "Join", which calls
// join_membership through the host. Members see their plan and may switch.
// Every value goes into the page with textContent or attributes.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('membership'), status: $('status'), form: $('form'), heading: $('heading'), current: $('current'),
    tiers: $('tiers'), error: $('error'), join: $('join'), done: $('done'), welcome: $('welcome'), since: $('since'),
    fatal: $('fatal'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.hidden = true;
    ui.fatal.hidden = false;
    ui.fatal.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const num = (v) => (Number.isFinite(v) ? v : 0);
  const textOf = (result) => ((result && Array.isArray(result.content)) ? result.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');

  let locale = '';
  let built = null;      // the toolOutput the plan cards were built from
  let selected = '';     // the picked tier id
  let busy = false;
  let joinError = '';
  let joined = null;     // { tier, tierName, since } after Join

  function fmt(options) {
    try { return new Intl.NumberFormat(locale || undefined, options); } catch (e) { return new Intl.NumberFormat('en-US', options); }
  }
  const price = (cents) => (num(cents) === 0 ? 'Free' : `${fmt({ style: 'currency', currency: 'USD' }).format(num(cents) / 100)} per year`);
  function date(iso) {
    const d = new Date(str(iso));
    if (!iso || Number.isNaN(d.getTime())) return '';
    try { return new Intl.DateTimeFormat(locale || undefined, { dateStyle: 'medium' }).format(d); } catch (e) { return d.toDateString(); }
  }

  const outputOf = (state) => (isObject(state.toolOutput) ? state.toolOutput : null);
  const tiersOf = (out) => (Array.isArray(out.tiers) ? out.tiers : []).filter((t) => isObject(t) && typeof t.id === 'string' && t.id);
  const currentOf = (out) => (isObject(out.current) && typeof out.current.tier === 'string' ? out.current : null);
  const nameOf = (out, id) => {
    const t = tiersOf(out).find((x) => x.id === id);
    return (t && str(t.name)) || (id ? id.charAt(0).toLocaleUpperCase() + id.slice(1) : '');
  };

  function joinedOf(state) {
    if (joined) return joined;
    const ws = isObject(state.widgetState) ? state.widgetState : {};
    if (typeof ws.joined === 'string' && ws.joined) return { tier: ws.joined, tierName: str(ws.tierName) || ws.joined, since: str(ws.since) };
    return null;
  }

  function build(out) {
    built = out;
    const tiers = tiersOf(out);
    const current = currentOf(out);
    const wanted = [str(out.suggestedTier), current ? current.tier : ''].find((id) => id && tiers.some((t) => t.id === id));
    if (!selected || !tiers.some((t) => t.id === selected)) selected = wanted || (tiers[0] ? tiers[0].id : '');
    const cards = tiers.map((tier) => {
      const card = document.createElement('div');
      card.className = 'ms__tier';
      card.dataset.testid = 'tier';
      card.dataset.tier = tier.id;
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'tier';
      radio.value = tier.id;
      radio.id = `tier-${tier.id}`;
      radio.dataset.testid = 'tier-radio';
      radio.checked = tier.id === selected;
      radio.setAttribute('aria-describedby', `benefits-${tier.id}`);
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        selected = tier.id;
        joinError = '';
        render(sky.state);
      });
      const label = document.createElement('label');
      label.htmlFor = radio.id;
      const name = document.createElement('span');
      name.className = 'ms__tier-name';
      name.dataset.testid = 'tier-name';
      name.textContent = str(tier.name) || tier.id;
      const cost = document.createElement('span');
      cost.className = 'ms__tier-price';
      cost.dataset.testid = 'tier-price';
      cost.dataset.cents = String(num(tier.priceCents));
      cost.textContent = price(tier.priceCents);
      label.append(name, cost);
      card.append(radio, label);
      const tag = current && current.tier === tier.id ? 'Your plan' : str(out.suggestedTier) === tier.id ? 'Suggested' : '';
      if (tag) {
        const t = document.createElement('span');
        t.className = 'ms__tag';
        t.dataset.testid = 'tier-tag';
        t.textContent = tag;
        card.append(t);
      }
      const list = document.createElement('ul');
      list.className = 'ms__benefits';
      list.id = `benefits-${tier.id}`;
      for (const b of Array.isArray(tier.benefits) ? tier.benefits : []) {
        const li = document.createElement('li');
        li.textContent = String(b);
        list.append(li);
      }
      card.append(list);
      return card;
    });
    ui.tiers.replaceChildren(ui.tiers.querySelector('legend'), ...cards);
  }

  function render(state) {
    const out = outputOf(state);
    const done = joinedOf(state);
    let view = 'loading';
    let fatal = '';
    if (done) {
      view = 'done';
    } else if (state.status === 'cancelled') {
      view = 'cancelled';
      fatal = state.error ? `The membership sign-up was cancelled: ${state.error}` : 'The membership sign-up was cancelled.';
    } else if (state.status === 'error') {
      view = 'error';
      fatal = state.error || 'The membership plans could not be loaded.';
    } else if (state.status === 'result') {
      if (out && tiersOf(out).length && str(out.sessionId)) view = busy ? 'busy' : 'ready';
      else { view = 'error'; fatal = 'The shop sent no membership plans.'; }
    }
    ui.root.dataset.state = view;
    ui.root.dataset.busy = String(busy);
    ui.root.setAttribute('aria-busy', String(view === 'loading' || busy));
    ui.status.hidden = view !== 'loading';
    ui.form.hidden = view !== 'ready' && view !== 'busy';
    ui.done.hidden = view !== 'done';
    ui.fatal.hidden = !fatal;
    ui.fatal.textContent = fatal;

    if (!ui.form.hidden) {
      if (built !== out || locale !== state.locale) {
        locale = state.locale;
        build(out);
      }
      const current = currentOf(out);
      ui.heading.textContent = current ? 'Your membership' : 'Become a member';
      ui.current.hidden = !current;
      if (current) {
        const since = date(current.since);
        ui.current.textContent = `You're a ${nameOf(out, current.tier)} member${since ? ` since ${since}` : ''}.`;
      }
      const name = nameOf(out, selected);
      const same = current && current.tier === selected;
      ui.join.disabled = busy || !selected || Boolean(same);
      ui.join.textContent = busy ? 'Joining…' : same ? 'Your current plan' : current ? `Switch to ${name}` : `Join ${name}`;
      for (const r of ui.tiers.querySelectorAll('input')) r.disabled = busy;
    }
    ui.error.hidden = !joinError;
    ui.error.textContent = joinError;
    if (done) {
      locale = state.locale;
      ui.welcome.textContent = `Welcome to ${done.tierName}`;
      const since = date(done.since);
      ui.since.textContent = since ? `Member since ${since}.` : '';
      ui.since.hidden = !since;
    }
  }

  async function join(event) {
    event.preventDefault();
    const out = outputOf(sky.state);
    if (busy || !out || !selected) return;
    const tier = selected;
    const tierName = nameOf(out, tier);
    busy = true;
    joinError = '';
    render(sky.state);
    let membership = null;
    try {
      const result = await sky.callTool('join_membership', { session_id: str(out.sessionId), tier });
      const sc = result && isObject(result.structuredContent) ? result.structuredContent : null;
      if (!result || result.isError || !sc) throw new Error(textOf(result) || 'Joining failed.');
      membership = isObject(sc.membership) ? sc.membership : { tier };
    } catch (e) {
      joinError = e.message || 'Joining failed.';
    } finally {
      busy = false;
    }
    if (!membership) {
      render(sky.state);
      ui.join.focus();
      return;
    }
    joined = { tier: str(membership.tier) || tier, tierName, since: str(membership.since) };
    render(sky.state);
    await sky.setWidgetState({ joined: joined.tier, tierName, since: joined.since })
      .catch((e) => sky.log('warning', `could not save the widget state: ${e.message}`));
    await sky.sendFollowUp(`I joined the ${tierName} membership.`)
      .catch((e) => sky.log('warning', `could not tell the chat: ${e.message}`));
  }

  ui.form.addEventListener('submit', join);
  sky.subscribe(render);
})();
