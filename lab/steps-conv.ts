/**
 * Convolution, step by step, on the decks' 6×6 image with Filter 1 and Filter 2:
 * the receptive field of one output on the (padded) input, the kernel, the
 * element-wise products and their sum, and the output-size formula. Every number
 * comes from the library's ops (pad, slice, mul, sum, conv2d); the page only shows them.
 */
import { conv2d, mul, pad, slice, sum, tensor, type Tensor } from '../src/index.js';
import { el, fmt, grid } from './view.js';

export const DECK_IMAGE = [
  [1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 1, 0],
  [0, 1, 1, 1, 0, 0],
  [0, 0, 1, 0, 0, 0],
  [0, 1, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0],
];
export const DECK_FILTERS = [
  [[1, 1, 1], [-1, 1, -1], [1, -1, -1]],
  [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]],
];

/** The kernels for size n: the deck's two filters at 3, else Filter 2's pattern (1 on the diagonal, −1 elsewhere). */
function kernels(n: number): number[][][] {
  if (n === 3) return DECK_FILTERS;
  return [Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : -1)))];
}

const num = (id: string, label: string, min: number, max: number, value: number) =>
  el('label', {}, `${label} `, el('input', { id, 'data-testid': id, type: 'number', min: String(min), max: String(max), value: String(value) }));

export function convPanel(): HTMLElement {
  const controls = el('div', { class: 'row controls' },
    el('label', {}, 'Filter ', el('select', { id: 'conv-filter', 'data-testid': 'conv-filter' }, el('option', { value: '0', text: 'Filter 1' }), el('option', { value: '1', text: 'Filter 2' }))),
    num('conv-stride', 'Stride S', 1, 4, 1), num('conv-padding', 'Zero padding per side', 0, 3, 0), num('conv-dilation', 'Dilation', 1, 3, 1), num('conv-kernel', 'Kernel size n', 1, 6, 3),
  );
  const next = el('button', { type: 'button', text: 'Next output ▶', 'data-testid': 'conv-next' });
  const body = el('div', { class: 'steps' });
  const get = (id: string) => Number((controls.querySelector(`#${id}`) as HTMLInputElement).value);
  let pick: [number, number] = [0, 0];
  let shownKey = '';

  const render = () => {
    shownKey = key();
    const S = Math.max(1, get('conv-stride'));
    const p = Math.max(0, get('conv-padding'));
    const d = Math.max(1, get('conv-dilation'));
    const n = Math.max(1, get('conv-kernel'));
    const ks = kernels(n);
    const f = Math.min(ks.length - 1, get('conv-filter'));
    const filterName = n === 3 ? `Filter ${f + 1}` : `${n}×${n} filter (Filter 2's pattern)`;
    const x = tensor([[DECK_IMAGE]]);
    const w = tensor(ks.map((k) => [k]));
    const span = d * (n - 1) + 1;
    const H = 6, P = 2 * p;
    const formula = el('p', { class: 'formula', 'data-testid': 'conv-formula' });
    const lines: (HTMLElement | string)[] = [];
    let y: Tensor;
    try {
      y = conv2d(x, w, { stride: S, padding: p, dilation: d });
    } catch (e) {
      formula.textContent = `N × ((H − n + P)/S + 1) × ((W − n + P)/S + 1): ${(e as Error).message}`;
      body.replaceChildren(formula);
      return;
    }
    const [, N, oh, ow] = y.shape;
    const q = (H - span + P) / S + 1;
    formula.textContent =
      `N × ((H − n + P)/S + 1) × ((W − n + P)/S + 1) = ${N} × ((6 − ${span} + ${P})/${S} + 1) × ((6 − ${span} + ${P})/${S} + 1) = ` +
      `${N} × ${fmt(Number(q.toFixed(3)))} × ${fmt(Number(q.toFixed(3)))}` +
      (Number.isInteger(q) ? '' : ` → ⌊⌋ gives ${oh} × ${ow}: the last ${(H - span + P) % S} row(s) and column(s) are never covered`) +
      `. The library's conv2d output: [${y.shape.join(', ')}].` + (d > 1 ? ` With dilation ${d}, the kernel spans n = ${d}·(${n} − 1) + 1 = ${span}.` : '');
    pick = [Math.min(pick[0], oh - 1), Math.min(pick[1], ow - 1)];
    const [r, c] = pick;
    const xp = pad(x, [[p, p], [p, p]]);
    const win = slice(xp, [0, 0, r * S, c * S], [1, 1, r * S + span, c * S + span], [1, 1, d, d]);
    const wk = slice(w, [f, 0, 0, 0], [f + 1, 1, n, n]);
    const prod = mul(win, wk);
    const total = sum(prod).item();
    const out = y.data[(f * oh + r) * ow + c];
    const field = new Set<number>();
    const side = 6 + P;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) field.add((r * S + i * d) * side + c * S + j * d);
    const terms = Array.from(win.data, (v, i) => `${fmt(v)}×${wk.data[i] < 0 ? `(${fmt(wk.data[i])})` : fmt(wk.data[i])}`);
    lines.push(
      el('figure', {}, grid(xp.data, side, side, { marked: field, label: 'input with the receptive field', testid: 'conv-input' }), el('figcaption', { text: `6×6 image${p ? `, zero-padded by ${p}` : ''}: the receptive field of output (${r + 1}, ${c + 1})` })),
      el('figure', {}, grid(wk.data, n, n, { label: filterName, testid: 'conv-kernel' }), el('figcaption', { text: filterName })),
      el('figure', {}, grid(prod.data, n, n, { label: 'element-wise products', testid: 'conv-products' }), el('figcaption', { text: 'element-wise products' })),
      el('figure', {}, grid(y.data.subarray(f * oh * ow, (f + 1) * oh * ow), oh, ow, {
        marked: new Set([r * ow + c]), label: `output of ${filterName}`, testid: 'conv-output',
        onPick: (rr, cc) => { pick = [rr, cc]; render(); },
      }), el('figcaption', { text: `${filterName} output ${oh}×${ow} (click a cell)` })),
    );
    const eq = el('p', { class: 'equation', 'data-testid': 'conv-sum', 'data-sum': String(total), 'data-out': String(out), 'data-row': String(r), 'data-col': String(c) });
    eq.textContent = `${terms.join(' + ')} = ${fmt(total)}  (conv2d gives ${fmt(out)} at row ${r + 1}, column ${c + 1})`;
    body.replaceChildren(formula, el('div', { class: 'figs' }, ...lines), eq);
    next.onclick = () => {
      pick = c + 1 < ow ? [r, c + 1] : r + 1 < oh ? [r + 1, 0] : [0, 0];
      render();
    };
  };
  // Re-render only when a setting changed: a blur's late 'change' must not rebuild the grid under a click.
  const key = () => Array.from(controls.querySelectorAll('input, select')).map((e) => (e as HTMLInputElement).value).join(',');
  const onEdit = () => key() !== shownKey && render();
  controls.addEventListener('change', onEdit);
  controls.addEventListener('input', onEdit);
  render();
  return el('section', { class: 'conv' }, el('h3', { text: 'Convolution' }), controls, next, body);
}
