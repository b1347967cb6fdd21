// The card widget: renders show_card's result through window.skyport.
// Values go into the page with textContent only, never as markup.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const sky = window.skyport;
  if (!sky) {
    $('status').textContent = 'The Skyport bridge did not load.';
    return;
  }
  sky.subscribe((state) => {
    const card = state.toolOutput;
    const ready = card && typeof card.title === 'string';
    $('card').dataset.state = ready ? 'ready' : 'loading';
    $('status').hidden = Boolean(ready);
    $('title').hidden = !ready;
    $('words').hidden = !ready;
    if (ready) {
      $('title').textContent = card.title;
      $('words').textContent = `${card.words} word${card.words === 1 ? '' : 's'}`;
    }
  });
})();
