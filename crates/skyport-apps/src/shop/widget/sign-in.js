// The shop's sign-in (sign_in_to_shop): email, then password (or name and
// password for a new account) posted with the shopping session id to
// {_meta["skyport/api"]}/api/session/authenticate, then done. Values go in
// with textContent; the password leaves the form only in that request.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('shop-signin'), status: $('status'),
    emailStep: $('email-step'), email: $('email'), emailError: $('email-error'),
    passwordStep: $('password-step'), heading: $('heading'), whoEmail: $('who-email'), changeEmail: $('change-email'),
    nameField: $('name-field'), name: $('name'), nameError: $('name-error'),
    password: $('password'), passwordError: $('password-error'),
    error: $('error'), submit: $('submit'), switchText: $('switch-text'), switchMode: $('switch'),
    done: $('done'), doneText: $('done-text'), doneEmail: $('done-email'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.textContent = 'The Skyport bridge did not load.';
    return;
  }

  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const MIN_PASSWORD = 8;

  let step = 'email';   // 'email' | 'password'
  let mode = 'sign_in'; // 'sign_in' | 'sign_up'
  let busy = false;
  let formError = '';
  let expired = '';     // the session is gone: the form cannot work any more
  let lockedUntil = 0;  // after a 429 (ms)
  let lockTimer = 0;
  let signedIn = null;  // { name, email }

  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const str = (v) => (typeof v === 'string' ? v : '');
  const outputOf = (state) => (isObject(state.toolOutput) ? state.toolOutput : {});
  const apiOf = (state) => str(isObject(state.meta) ? state.meta['skyport/api'] : '').replace(/\/+$/, '');
  const sessionOf = (state) => str(outputOf(state).sessionId);

  /** Who is signed in: this page, the widget state, or the tool result. */
  function whoOf(state) {
    if (signedIn) return signedIn;
    const ws = state.widgetState;
    if (isObject(ws) && ws.signedIn === true) return { name: str(ws.userName), email: str(ws.userEmail) };
    const out = outputOf(state);
    if (out.status === 'signed_in') {
      const user = isObject(out.user) ? out.user : {};
      return { name: str(user.name), email: str(user.email) };
    }
    return null;
  }

  function fieldError(input, el, message) {
    el.hidden = !message;
    el.textContent = message;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  function view(state) {
    if (whoOf(state)) return ['done', ''];
    if (state.status === 'cancelled') return ['cancelled', `Sign-in was cancelled${state.error ? `: ${state.error}` : '.'}`];
    if (state.status === 'error') return ['error', state.error || 'Sign-in could not start.'];
    if (state.status !== 'result') return ['loading', 'Preparing sign-in…'];
    if (expired) return ['error', expired];
    if (!apiOf(state) || !sessionOf(state)) return ['error', 'Sign-in could not start: the shop sent no session. Ask the assistant to sign in again.'];
    return [step, ''];
  }

  function render(state) {
    const [v, status] = view(state);
    const who = whoOf(state);
    const signUp = mode === 'sign_up';
    const locked = lockedUntil > Date.now();
    ui.root.dataset.state = v;
    ui.root.dataset.mode = mode;
    ui.root.dataset.busy = String(busy);
    ui.root.setAttribute('aria-busy', String(v === 'loading' || busy));
    ui.status.hidden = !status;
    ui.status.textContent = status;
    ui.emailStep.hidden = v !== 'email';
    ui.passwordStep.hidden = v !== 'password';
    ui.done.hidden = v !== 'done';
    if (who) {
      ui.doneText.textContent = who.name ? `Signed in as ${who.name}` : 'Signed in';
      ui.doneEmail.textContent = who.email;
      ui.doneEmail.hidden = !who.email;
    }
    ui.whoEmail.textContent = ui.email.value.trim();
    ui.heading.textContent = signUp ? 'Create your account' : 'Welcome back';
    ui.nameField.hidden = !signUp;
    ui.name.required = signUp;
    ui.password.autocomplete = signUp ? 'new-password' : 'current-password';
    ui.submit.textContent = busy ? (signUp ? 'Creating your account…' : 'Signing in…') : (signUp ? 'Create account' : 'Sign in');
    ui.submit.disabled = busy || locked;
    ui.switchMode.disabled = busy;
    ui.changeEmail.disabled = busy;
    ui.switchText.textContent = signUp ? 'Have an account?' : 'New here?';
    ui.switchMode.textContent = signUp ? 'Sign in instead' : 'Create an account';
    ui.error.hidden = !formError;
    ui.error.textContent = formError;
  }

  function goToPassword(event) {
    event.preventDefault();
    const email = ui.email.value.trim();
    const problem = !email ? 'Enter your email address.' : !EMAIL.test(email) ? 'Enter an email address like name@example.com.' : '';
    fieldError(ui.email, ui.emailError, problem);
    if (problem) {
      ui.email.focus();
      return;
    }
    step = 'password';
    formError = '';
    render(sky.state);
    (mode === 'sign_up' ? ui.name : ui.password).focus();
  }

  /** The request body, or null after showing what is wrong. */
  function validate(state) {
    const signUp = mode === 'sign_up';
    const name = ui.name.value.trim();
    const password = ui.password.value;
    const errors = {
      name: signUp && !name ? 'Enter your name.' : '',
      password: !password ? 'Enter your password.'
        : signUp && [...password].length < MIN_PASSWORD ? `Use at least ${MIN_PASSWORD} characters.` : '',
    };
    fieldError(ui.name, ui.nameError, errors.name);
    fieldError(ui.password, ui.passwordError, errors.password);
    if (errors.name) { ui.name.focus(); return null; }
    if (errors.password) { ui.password.focus(); return null; }
    const body = { sessionId: sessionOf(state), email: ui.email.value.trim(), password, mode };
    if (signUp) body.name = name;
    return body;
  }

  /** Seconds to wait after a 429: Retry-After, else error.retryAfter. */
  function retryAfter(response, err) {
    const s = Number.parseInt(response.headers.get('retry-after') || err.retryAfter, 10);
    return s > 0 ? s : 0;
  }

  function lock(seconds) {
    lockedUntil = Date.now() + seconds * 1000;
    clearTimeout(lockTimer);
    lockTimer = setTimeout(() => { lockedUntil = 0; render(sky.state); }, seconds * 1000);
  }

  /** Posts the form; resolves the user or throws an Error with the message to show. */
  async function authenticate(state, body) {
    let response;
    try {
      response = await fetch(`${apiOf(state)}/api/session/authenticate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      throw new Error('Could not reach the shop. Check your connection and try again.');
    }
    let answer = null;
    try { answer = await response.json(); } catch (e) { /* not JSON */ }
    if (response.ok && isObject(answer) && answer.success === true && isObject(answer.user)) {
      return { name: str(answer.user.name), email: str(answer.user.email) || body.email };
    }
    const err = isObject(answer) && isObject(answer.error) ? answer.error : {};
    const message = str(err.message);
    const code = str(err.code);
    if (response.status === 429) {
      const wait = retryAfter(response, err);
      if (wait) lock(wait);
      throw new Error(message || `Too many attempts. Try again ${wait ? `in ${wait} s` : 'later'}.`);
    }
    if (response.status === 400 && /session|expire/i.test(`${code} ${message}`)) {
      expired = `${message || 'This sign-in session has expired.'} Ask the assistant to start shopping again.`;
      throw new Error('');
    }
    if (response.status === 409) throw new Error(message || 'An account with this email already exists. Sign in instead.');
    if (response.status === 401) throw new Error(message || 'The email or password is not correct.');
    throw new Error(message || `Sign-in failed (HTTP ${response.status}).`);
  }

  async function submit(event) {
    event.preventDefault();
    if (busy || lockedUntil > Date.now()) return;
    const state = sky.state;
    const body = validate(state);
    if (!body) return;
    busy = true;
    formError = '';
    render(sky.state);
    let user = null;
    try {
      user = await authenticate(state, body);
    } catch (e) {
      formError = e.message;
    } finally {
      busy = false;
      ui.password.value = '';
    }
    if (!user) {
      render(sky.state);
      if (!expired) ui.password.focus();
      return;
    }
    signedIn = user;
    render(sky.state);
    try {
      await sky.setWidgetState({ signedIn: true, userName: user.name, userEmail: user.email });
    } catch (e) {
      sky.log('warning', `could not save the widget state: ${e.message}`);
    }
    try {
      await sky.sendFollowUp(`I signed in as ${user.name || user.email}.`);
    } catch (e) {
      sky.log('warning', `could not tell the chat: ${e.message}`);
    }
  }

  ui.emailStep.addEventListener('submit', goToPassword);
  ui.passwordStep.addEventListener('submit', submit);
  ui.changeEmail.addEventListener('click', () => {
    if (busy) return;
    step = 'email';
    formError = '';
    render(sky.state);
    ui.email.focus();
  });
  ui.switchMode.addEventListener('click', () => {
    if (busy) return;
    mode = mode === 'sign_up' ? 'sign_in' : 'sign_up';
    formError = '';
    fieldError(ui.name, ui.nameError, '');
    fieldError(ui.password, ui.passwordError, '');
    render(sky.state);
    (mode === 'sign_up' ? ui.name : ui.password).focus();
  });
  for (const [input, el] of [[ui.name, ui.nameError], [ui.email, ui.emailError], [ui.password, ui.passwordError]]) {
    input.addEventListener('input', () => { if (!el.hidden) fieldError(input, el, ''); });
  }

  sky.subscribe(render);
})();
