/** The Receptive lab: draw, train and watch every layer of a CNN, with the decks' computations step by step. */
import { getNumThreads, ready } from '../src/index.js';
import { drawPanel } from './draw.js';
import { trainPanel } from './train.js';
import { overviewPanel } from './overview.js';
import { understandPanel } from './understand.js';
import { convPanel } from './steps-conv.js';
import { backpropPanel, poolPanel, reluPanel, softmaxPanel } from './steps-more.js';
import { el } from './view.js';
import { state } from './state.js';

async function main(): Promise<void> {
  const status = el('p', { class: 'status', 'data-testid': 'status', role: 'status' });
  const isolated = Boolean(globalThis.crossOriginIsolated);
  const backend = await ready({ quiet: true });
  const threads = backend === 'wasm' ? getNumThreads() : 1;
  const page = isolated
    ? `Cross-origin isolated: the training worker may use threads; the page's own views run on ${backend}, ${threads} thread (a page's main thread may not block)`
    : `Not cross-origin isolated (served without COOP/COEP headers): the wasm backend runs single-threaded here; \`receptive lab\` serves the page with them`;
  status.textContent = page;
  status.dataset.backend = backend;
  status.dataset.threads = String(threads);
  status.dataset.isolated = String(isolated);

  const { panel: train, loadFile } = trainPanel((m) => {
    status.textContent = `${page}. Training worker: ${m.backend}, ${m.threads} thread${m.threads === 1 ? '' : 's'}.`;
    status.dataset.workerThreads = String(m.threads);
  });
  const tabs: [string, string, HTMLElement][] = [
    ['draw', 'Draw', drawPanel()],
    ['train', 'Train', train],
    ['overview', 'Overview', overviewPanel()],
    ['understand', 'Understand', understandPanel()],
    ['steps', 'Step by step', el('div', {}, convPanel(), poolPanel(), reluPanel(), softmaxPanel(), backpropPanel())],
  ];
  const bar = el('nav', { role: 'tablist', 'aria-label': 'views' });
  const buttons = tabs.map(([id, label, panel], i) => {
    panel.id = `panel-${id}`;
    panel.setAttribute('role', 'tabpanel');
    panel.hidden = i !== 0;
    const b = el('button', { type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': panel.id, 'aria-selected': String(i === 0), 'data-testid': `tab-${id}`, text: label });
    b.tabIndex = i === 0 ? 0 : -1;
    return b;
  });
  const select = (k: number) => {
    tabs.forEach(([, , panel], i) => (panel.hidden = i !== k));
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === k));
      b.tabIndex = i === k ? 0 : -1;
    });
    buttons[k].focus();
    state.changed(); // views skip work while hidden: bring the shown one up to date
  };
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight') select((i + 1) % tabs.length);
      if (e.key === 'ArrowLeft') select((i + tabs.length - 1) % tabs.length);
    });
  });
  bar.append(...buttons);
  // A checkpoint dropped anywhere on the page is loaded (it never leaves the browser).
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) void loadFile(f);
  });
  document.getElementById('app')!.replaceChildren(status, bar, ...tabs.map(([, , p]) => p));
  document.body.dataset.ready = 'true';
}

main().catch((e: unknown) => {
  document.getElementById('app')!.textContent = `The lab failed to start: ${(e as Error).message ?? e}`;
});
