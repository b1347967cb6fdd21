// The sign-in widget: an email and password form (or name, email and password
// to create an account) posted to the account app's POST /api/authenticate.
// The API base and the sign-in session id come from the tool result's _meta
// (widgets see it, the model does not). Every value goes into the page with
// textContent, never as markup; the password never leaves this form except in
// that one request.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('acct'), status: $('status'), form: $('form'), heading: $('heading'),
    nameField: $('name-field'), name: $('name'), nameError: $('name-error'),
    email: $('email'), emailError: $('email-error'), password: $('password'), passwordError: $('password-error'),
    error: $('error'), submit: $('submit'), switchText: $('switch-text'), switchMode: $('switch'),
    done: $('done'), doneText: $('done-text'), doneEmail: $('done-email'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const META_API = 'skyport/api';
  const META_SESSION = 'account/sessionId';
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const MIN_PASSWORD = 8;

  let mode = null;        // 'sign_in' | 'sign_up' once the user (or the tool) picked one
  let busy = false;       // a submit is in flight
  let formError = '';     // the last submit's failure
  let signedIn = null;    // { name, email } after a successful submit or a session check
  let checked = '';       // the sign-in id whose status was already asked for

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const metaOf = (state) => (isObject(state.meta) ? state.meta : {});
  const apiOf = (state) => str(metaOf(state)[META_API]).replace(/\/+$/, '');
  const sessionOf = (state) => str(metaOf(state)[META_SESSION]);
  const outputOf = (state) => (isObject(state.toolOutput) ? state.toolOutput : null);
  const modeOf = (state) => {
    if (mode) return mode;
    const out = outputOf(state);
    const wanted = (out && out.mode) || (isObject(state.toolInput) && state.toolInput.mode);
    return wanted === 'sign_up' ? 'sign_up' : 'sign_in';
  };

  /** Who is signed in, from this page, the widget state or the tool result. */
  function whoOf(state) {
    if (signedIn) return signedIn;
    const ws = state.widgetState;
    if (isObject(ws) && ws.signedIn === true) return { name: str(ws.userName), email: str(ws.userEmail) };
    const out = outputOf(state);
    if (out && out.status === 'signed_in' && isObject(out.user)) return { name: str(out.user.name), email: str(out.user.email) };
    return null;
  }

  function showFieldError(input, el, message) {
    el.hidden = !message;
    el.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function render(state) {
    const who = whoOf(state);
    const m = modeOf(state);
    let view = 'loading';
    let status = 'Preparing the sign-in form…';
    if (who) {
      view = 'signed-in';
    } else if (state.status === 'cancelled') {
      view = 'error';
      status = 'The sign-in was cancelled.';
    } else if (state.status === 'error') {
      view = 'error';
      status = state.error || 'The sign-in form could not be opened.';
    } else if (state.status === 'result') {
      if (apiOf(state) && sessionOf(state)) {
        view = 'form';
      } else {
        view = 'error';
        status = 'The sign-in form could not start: the server sent no sign-in session. Ask the assistant to sign in again.';
      }
    }

    ui.root.dataset.state = view;
    ui.root.dataset.mode = m;
    ui.root.dataset.busy = String(busy);
    ui.root.setAttribute('aria-busy', String(view === 'loading' || busy));
    ui.status.hidden = view === 'form' || view === 'signed-in';
    ui.status.textContent = status;
    ui.form.hidden = view !== 'form';
    ui.done.hidden = view !== 'signed-in';
    if (who) {
      ui.doneText.textContent = who.name ? `Signed in as ${who.name}` : 'Signed in';
      ui.doneEmail.textContent = who.email;
      ui.doneEmail.hidden = !who.email;
    }

    const signUp = m === 'sign_up';
    ui.heading.textContent = signUp ? 'Create an account' : 'Sign in';
    ui.nameField.hidden = !signUp;
    ui.name.required = signUp;
    if (signUp) ui.name.setAttribute('aria-required', 'true');
    else ui.name.removeAttribute('aria-required');
    ui.password.autocomplete = signUp ? 'new-password' : 'current-password';
    ui.submit.textContent = busy ? (signUp ? 'Creating your account…' : 'Signing in…') : (signUp ? 'Create account' : 'Sign in');
    ui.submit.disabled = busy;
    ui.switchMode.disabled = busy;
    ui.switchText.textContent = signUp ? 'Have an account?' : 'New here?';
    ui.switchMode.textContent = signUp ? 'Sign in instead' : 'Create an account';
    ui.error.hidden = !formError;
    ui.error.textContent = formError;

    maybeCheckSession(state, view);
  }

  /** A reloaded widget without widget state asks the server whether its sign-in already completed. */
  function maybeCheckSession(state, view) {
    const id = sessionOf(state);
    const api = apiOf(state);
    if (view !== 'form' || !id || !api || checked === id) return;
    checked = id;
    fetch(`${api}/api/session/${encodeURIComponent(id)}`, { credentials: 'omit', cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        if (!body || body.authenticated !== true || !isObject(body.user) || signedIn) return;
        signedIn = { name: str(body.user.name), email: str(body.user.email) };
        render(sky.state);
      })
      .catch(() => { /* the form stays usable */ });
  }

  /** Checks the fields; returns the request body or null (with the errors shown). */
  function validate(state) {
    const signUp = modeOf(state) === 'sign_up';
    const name = ui.name.value.trim();
    const email = ui.email.value.trim();
    const password = ui.password.value;
    const errors = {
      name: signUp && !name ? 'Enter your name.' : '',
      email: !email ? 'Enter your email address.' : !EMAIL.test(email) ? 'Enter an email address like name@example.com.' : '',
      password: !password ? 'Enter your password.'
        : signUp && [...password].length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : '',
    };
    showFieldError(ui.name, ui.nameError, errors.name);
    showFieldError(ui.email, ui.emailError, errors.email);
    showFieldError(ui.password, ui.passwordError, errors.password);
    const first = [['name', ui.name], ['email', ui.email], ['password', ui.password]].find(([k]) => errors[k]);
    if (first) {
      first[1].focus();
      return null;
    }
    const body = { email, password, sessionId: sessionOf(state), mode: signUp ? 'sign_up' : 'sign_in' };
    if (signUp) body.name = name;
    return body;
  }

  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    const state = sky.state;
    const body = validate(state);
    if (!body) return;
    busy = true;
    formError = '';
    render(sky.state);
    let user = null;
    try {
      const response = await fetch(`${apiOf(state)}/api/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
      let answer = null;
      try { answer = await response.json(); } catch (e) { /* not JSON */ }
      if (!response.ok || !isObject(answer) || answer.success !== true || !isObject(answer.user)) {
        const message = isObject(answer) && isObject(answer.error) ? str(answer.error.message) : '';
        throw new Error(message || `Sign-in failed (HTTP ${response.status}).`);
      }
      user = { name: str(answer.user.name), email: str(answer.user.email) };
    } catch (e) {
      formError = e instanceof TypeError ? 'Could not reach the server. Check your connection and try again.' : (e.message || 'Sign-in failed.');
      ui.password.value = '';
    } finally {
      busy = false;
    }
    if (!user) {
      render(sky.state);
      ui.password.focus();
      return;
    }
    signedIn = user;
    ui.password.value = '';
    render(sky.state);
    const label = user.name || user.email;
    try {
      await sky.setWidgetState({ signedIn: true, userName: user.name });
    } catch (e) {
      sky.log('warning', `could not save the widget state: ${e.message}`);
    }
    try {
      await sky.sendFollowUp(`Signed in as ${label}`);
    } catch (e) {
      sky.log('warning', `could not tell the chat: ${e.message}`);
    }
  }

  ui.form.addEventListener('submit', submit);
  ui.switchMode.addEventListener('click', () => {
    if (busy) return;
    mode = modeOf(sky.state) === 'sign_up' ? 'sign_in' : 'sign_up';
    formError = '';
    showFieldError(ui.name, ui.nameError, '');
    showFieldError(ui.password, ui.passwordError, '');
    render(sky.state);
    (mode === 'sign_up' ? ui.name : ui.email).focus();
  });
  for (const [input, el] of [[ui.name, ui.nameError], [ui.email, ui.emailError], [ui.password, ui.passwordError]]) {
    input.addEventListener('input', () => { if (!el.hidden) showFieldError(input, el, ''); });
  }

  sky.subscribe(render);
})();
