// The profile widget: renders show_profile's result through window.skyport,
// with "Refresh" (get_user_profile) and "Sign out" (logout_user) as tool calls
// from the widget. Every value goes into the page with textContent.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('prof'), status: $('status'), body: $('body'), avatar: $('avatar'), name: $('name'), email: $('email'),
    memberSince: $('member-since'), count: $('sign-in-count'), last: $('last-sign-in'),
    signedOut: $('signed-out'), error: $('error'), refresh: $('refresh'), signOut: $('sign-out'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.hidden = true;
    ui.error.hidden = false;
    ui.error.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const META_SESSION = 'account/sessionId';
  let fresh = null;      // { profile, replaces }: the newest Refresh result and the host output it replaces
  let busy = '';         // 'refresh' | 'sign-out' while a call is in flight
  let actionError = '';  // the last button's failure
  let signedOut = false; // Sign out succeeded on this page

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const isProfile = (o) => isObject(o) && typeof o.id === 'string' && typeof o.name === 'string';
  const textOf = (result) => ((result && Array.isArray(result.content)) ? result.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');

  /** Arguments for the widget's calls: the sign-in id when the result carried one (stateless hosts). */
  const callArgs = (state) => {
    const id = isObject(state.meta) ? str(state.meta[META_SESSION]) : '';
    return id ? { session_id: id } : {};
  };
  const profileOf = (state) => {
    if (fresh && fresh.replaces !== state.toolOutput) fresh = null;
    return fresh ? fresh.profile : state.toolOutput;
  };
  const isSignedOut = (state) => signedOut || (isObject(state.widgetState) && state.widgetState.signedOut === true);

  /** One or two letters from the name (first and last word), or from the email. */
  function initials(name, email) {
    const words = name.trim().split(/\s+/).filter(Boolean);
    const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.length ? [words[0]] : [email];
    return letters.map((w) => (Array.from(w)[0] || '')).join('').toLocaleUpperCase() || '?';
  }

  function formatDate(iso, locale, withTime) {
    const date = new Date(iso);
    if (!iso || Number.isNaN(date.getTime())) return '—';
    const options = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
    try {
      return new Intl.DateTimeFormat(locale, options).format(date);
    } catch (e) { // a locale the browser does not know
      return new Intl.DateTimeFormat(undefined, options).format(date);
    }
  }

  function setTime(el, iso, locale, withTime) {
    el.textContent = formatDate(iso, locale, withTime);
    el.dateTime = iso || '';
    el.dataset.iso = iso || '';
  }

  function render(state) {
    const profile = profileOf(state);
    const out = isSignedOut(state);
    const shown = !out && isProfile(profile);
    let view = 'loading';
    let error = actionError;
    if (out) {
      view = 'signed-out';
    } else if (state.status === 'cancelled') {
      view = 'error';
      error = error || 'Showing the profile was cancelled.';
    } else if (shown) {
      view = 'ready';
    } else if (state.status === 'error') {
      view = 'error';
      error = error || state.error || 'The profile could not be loaded.';
    } else if (state.status === 'result') {
      view = 'error';
      error = error || 'The tool sent no profile.';
    }

    ui.root.dataset.state = view;
    ui.root.setAttribute('aria-busy', String(view === 'loading' || Boolean(busy)));
    ui.status.hidden = view !== 'loading';
    ui.body.hidden = !shown;
    ui.signedOut.hidden = view !== 'signed-out';
    if (shown) {
      const name = str(profile.name);
      const email = str(profile.email);
      ui.avatar.textContent = initials(name, email);
      ui.name.textContent = name;
      ui.email.textContent = email;
      setTime(ui.memberSince, str(profile.memberSince), state.locale, false);
      const n = Number.isInteger(profile.signInCount) ? profile.signInCount : 0;
      ui.count.textContent = new Intl.NumberFormat(state.locale || undefined).format(n);
      ui.count.dataset.count = String(n);
      setTime(ui.last, str(profile.lastSignIn), state.locale, true);
    }
    ui.error.hidden = !error;
    ui.error.textContent = error;
    ui.refresh.disabled = Boolean(busy) || view === 'loading';
    ui.refresh.textContent = busy === 'refresh' ? 'Refreshing…' : 'Refresh';
    ui.signOut.disabled = Boolean(busy) || !shown;
    ui.signOut.textContent = busy === 'sign-out' ? 'Signing out…' : 'Sign out';
  }

  async function run(which, fn) {
    if (busy) return;
    busy = which;
    actionError = '';
    render(sky.state);
    try {
      await fn();
    } catch (e) {
      actionError = e.message || 'That did not work.';
    } finally {
      busy = '';
      render(sky.state);
    }
  }

  ui.refresh.addEventListener('click', () => run('refresh', async () => {
    const result = await sky.callTool('get_user_profile', callArgs(sky.state));
    if (!result || result.isError || !isProfile(result.structuredContent)) {
      throw new Error(textOf(result) || 'The profile could not be loaded.');
    }
    fresh = { profile: result.structuredContent, replaces: sky.state.toolOutput };
    if (signedOut) {
      signedOut = false;
      await sky.setWidgetState({ signedOut: false }).catch(() => {});
    }
  }));

  ui.signOut.addEventListener('click', () => run('sign-out', async () => {
    const result = await sky.callTool('logout_user', callArgs(sky.state));
    if (!result || result.isError) throw new Error(textOf(result) || 'Signing out failed.');
    signedOut = true;
    fresh = null;
    await sky.setWidgetState({ signedOut: true })
      .catch((e) => sky.log('warning', `could not save the widget state: ${e.message}`));
  }));

  sky.subscribe(render);
})();
