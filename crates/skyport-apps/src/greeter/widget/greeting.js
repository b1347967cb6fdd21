// The greeting widget: renders greet_user's result through window.skyport.
// Every value from the tool goes into the page with textContent, never as markup.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const ui = {
    root: $('greeter'), status: $('status'), body: $('body'), greeting: $('greeting'), name: $('name'),
    timestamp: $('timestamp'), count: $('count'), error: $('error'), again: $('greet-again'), followUp: $('follow-up'),
  };
  const sky = window.skyport;
  if (!sky) {
    ui.root.dataset.state = 'error';
    ui.status.hidden = true;
    ui.error.hidden = false;
    ui.error.textContent = 'The Skyport bridge did not load.';
    return;
  }

  let again = null;      // { output, replaces }: the newest "Greet again" result and the host output it replaces
  let busy = false;      // a "Greet again" call is in flight
  let actionError = '';  // the last button's failure, shown under the greeting

  const isGreeting = (o) => o !== null && typeof o === 'object' && typeof o.greeting === 'string';
  const nameOf = (state) => {
    const input = state.toolInput;
    return input && typeof input.name === 'string' ? input.name.trim() : '';
  };
  const countOf = (state) => {
    const n = state.widgetState && state.widgetState.greetings;
    return Number.isInteger(n) && n > 0 ? n : 1;
  };
  /** The greeting to show: ours from "Greet again", until the host delivers a new result. */
  const outputOf = (state) => {
    if (again && again.replaces !== state.toolOutput) again = null;
    return again ? again.output : state.toolOutput;
  };
  const textOf = (result) => ((result && Array.isArray(result.content)) ? result.content : [])
    .filter((b) => b && b.type === 'text' && typeof b.text === 'string').map((b) => b.text).join('\n');

  function formatTime(iso, locale) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const options = { dateStyle: 'medium', timeStyle: 'medium' };
    try {
      return new Intl.DateTimeFormat(locale, options).format(date);
    } catch (e) { // a locale the browser does not know
      return new Intl.DateTimeFormat(undefined, options).format(date);
    }
  }

  function render(state) {
    const output = outputOf(state);
    const name = nameOf(state);
    const shown = isGreeting(output);
    let view = 'loading';
    let status = 'Getting your greeting…';
    let error = actionError;
    if (state.status === 'cancelled') {
      view = 'cancelled';
      status = state.error ? `The greeting was cancelled: ${state.error}` : 'The greeting was cancelled.';
    } else if (state.status === 'error' && !again) {
      view = 'error';
      error = state.error || 'The greeting failed.';
    } else if (shown) {
      view = 'ready';
    } else if (state.status === 'result') {
      view = 'error';
      error = 'The tool sent no greeting.';
    }

    ui.root.dataset.state = view;
    ui.root.setAttribute('aria-busy', String(view === 'loading' || busy));
    ui.status.hidden = view !== 'loading' && view !== 'cancelled';
    ui.status.textContent = status;
    ui.body.hidden = !shown;
    if (shown) {
      ui.greeting.textContent = output.greeting;
      ui.name.textContent = name || '—';
      const iso = typeof output.timestamp === 'string' ? output.timestamp : '';
      ui.timestamp.textContent = iso ? formatTime(iso, state.locale) : '—';
      ui.timestamp.dateTime = iso;
      ui.timestamp.dataset.timestamp = iso;
      const n = countOf(state);
      ui.count.textContent = n === 1 ? '1 greeting' : `${n} greetings`;
      ui.count.dataset.count = String(n);
    }
    ui.error.hidden = !error;
    ui.error.textContent = error;
    ui.again.disabled = busy || !name || view === 'loading'; // after an error it retries
    ui.again.textContent = busy ? 'Greeting…' : view === 'error' && !shown ? 'Try again' : 'Greet again';
    ui.followUp.disabled = !name;
  }

  ui.again.addEventListener('click', async () => {
    const name = nameOf(sky.state);
    if (busy || !name) return;
    // A retry after a failed first call makes the first greeting, not another one.
    const count = isGreeting(outputOf(sky.state)) ? countOf(sky.state) + 1 : countOf(sky.state);
    busy = true;
    actionError = '';
    render(sky.state);
    try {
      const result = await sky.callTool('greet_user', { name });
      if (!result || result.isError || !isGreeting(result.structuredContent)) {
        throw new Error(textOf(result) || 'The greeting failed.');
      }
      again = { output: result.structuredContent, replaces: sky.state.toolOutput };
      busy = false;
      await sky.setWidgetState({ ...(sky.state.widgetState || {}), greetings: count })
        .catch((e) => sky.log('warning', `could not save the greeting count: ${e.message}`));
    } catch (e) {
      actionError = e.message || 'The greeting failed.';
    } finally {
      busy = false;
      render(sky.state);
    }
  });

  ui.followUp.addEventListener('click', async () => {
    const name = nameOf(sky.state);
    if (!name) return;
    actionError = '';
    try {
      await sky.sendFollowUp(`Say hi to ${name}!`);
    } catch (e) {
      actionError = e.message || 'Could not send the message.';
    }
    render(sky.state);
  });

  sky.subscribe(render);
})();
