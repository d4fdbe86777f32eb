/** Draw a digit; see it as the network sees it (MNIST preprocessing) and its class probabilities, live. */
import { mnistPreprocess } from './preprocess.js';
import { DATASETS } from './shared.js';
import { state } from './state.js';
import { el, heatmap, timed } from './view.js';

const SIZE = 280;

export function drawPanel(): HTMLElement {
  const canvas = el('canvas', { width: String(SIZE), height: String(SIZE), class: 'pad', 'data-testid': 'draw-canvas', 'aria-label': 'drawing area: draw a digit with the mouse, a pen or a finger' });
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const clearPad = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIZE, SIZE);
  };
  clearPad();
  const preview = el('canvas', { 'data-testid': 'preview', 'aria-label': 'the 28×28 input after preprocessing' });
  heatmap(new Float32Array(784), 28, 28, 4, preview);
  const bars = el('ol', { class: 'probs', 'data-testid': 'probs', 'aria-live': 'polite' });
  const verdict = el('p', { class: 'verdict', 'data-testid': 'verdict' });
  const source = el('p', { class: 'muted', 'data-testid': 'model-source' });

  const render = () => {
    if (panel.hidden) return; // brought up to date when its tab is shown
    source.textContent = `Model: ${state.source}`;
    if (state.input) heatmap(state.input, 28, 28, 4, preview);
    const p = state.probabilities();
    bars.replaceChildren();
    if (!p) {
      verdict.textContent = 'Draw a digit (or pick an MNIST test image).';
      return;
    }
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const names = state.classNames;
    verdict.textContent = `Prediction: ${names[best]} (${(100 * p[best]).toFixed(1)}%)${state.inputLabel ? ` · ${state.inputLabel}` : ''}`;
    verdict.dataset.class = String(best);
    p.forEach((v, i) => {
      const bar = el('span', { class: 'bar' });
      bar.style.width = `${(100 * v).toFixed(1)}%`;
      bars.append(el('li', { 'data-class': String(i), 'data-p': v.toFixed(6), class: i === best ? 'best' : '' }, el('b', { text: names[i] }), bar, el('span', { text: `${(100 * v).toFixed(1)}%` })));
    });
  };
  state.on(() => timed('draw', render));

  const update = () => {
    const rgba = ctx.getImageData(0, 0, SIZE, SIZE).data;
    const gray = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
    state.input = mnistPreprocess(gray, SIZE, SIZE);
    state.inputLabel = 'drawn';
    state.changed();
  };
  let drawing = false;
  let last: [number, number] | null = null;
  let queued = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    last = at(e);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing || !last) return;
    const p = at(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 22;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
    if (!queued) {
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        update();
      });
    }
  });
  const end = () => {
    if (drawing) update();
    drawing = false;
    last = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  const clear = el('button', { type: 'button', text: 'Clear', 'data-testid': 'clear' });
  clear.addEventListener('click', () => {
    clearPad();
    state.input = null;
    state.inputLabel = '';
    state.changed();
  });
  const index = el('input', { type: 'number', min: '0', max: '9999', value: '0', 'aria-label': 'test image number', 'data-testid': 'test-index' });
  const pick = el('button', { type: 'button', text: 'Use test image', 'data-testid': 'use-test' });
  pick.addEventListener('click', async () => {
    const t = await state.testData();
    const i = Math.min(t.labels.size - 1, Math.max(0, Math.floor(Number(index.value) || 0)));
    state.input = Float32Array.from(t.raw.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    state.inputLabel = `${DATASETS[state.dataset].label.replace(/ \(.*$/, '')} test #${i}, label ${t.labels.data[i]} (${t.classNames[t.labels.data[i]]})`;
    clearPad();
    state.changed();
  });
  const panel = el('section', { class: 'draw' },
    el('div', {}, canvas, el('div', { class: 'row' }, clear, index, pick)),
    el('div', {}, el('h3', { text: 'What the network sees (28×28)' }), preview, verdict, bars, source),
  );
  render();
  return panel;
}
