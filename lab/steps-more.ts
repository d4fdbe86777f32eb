/**
 * Pooling (with the max switches), ReLU, softmax and backpropagation through
 * pooling and convolution, on the feature map Filter 1 makes of the decks' 6×6
 * image. The library computes every number (forward ops, and autograd for δ);
 * the page rearranges the kernel for the 180° rotation and shows the results.
 */
import {
  avgPool2d, conv2d, exp, interpolate, maxPool2d, noGrad, maxPool2dWithIndices, mul, pad, relu, softmax, sum, Tensor, tensor,
} from '../src/index.js';
import { DECK_FILTERS, DECK_IMAGE } from './steps-conv.js';
import { state } from './state.js';
import { el, fmt, grid } from './view.js';

const fig = (g: HTMLElement, caption: string) => el('figure', {}, g, el('figcaption', { text: caption }));
const feature = () => conv2d(tensor([[DECK_IMAGE]]), tensor([[DECK_FILTERS[0]]]));
const round = (t: Tensor) => Array.from(t.data, (v) => Number(v.toFixed(4)));

export function poolPanel(): HTMLElement {
  const x = feature();
  const { y, indices } = maxPool2dWithIndices(x, { kernelSize: 2 });
  const avg = avgPool2d(x, { kernelSize: 2 });
  const switches = new Set(Array.from(indices.data, Number));
  return el('section', {},
    el('h3', { text: 'Max and average pooling (2×2, stride 2)' }),
    el('div', { class: 'figs' },
      fig(grid(x.data, 4, 4, { marked: switches, markClass: 'switch', testid: 'pool-input' }), 'Filter 1 feature map; the max switches marked'),
      fig(grid(y.data, 2, 2, { testid: 'pool-max' }), 'max pooling'),
      fig(grid(round(avg), 2, 2, { testid: 'pool-avg' }), 'average pooling'),
    ),
  );
}

export function reluPanel(): HTMLElement {
  const x = feature();
  const r = relu(x);
  return el('section', {},
    el('h3', { text: 'ReLU: max(0, x)' }),
    el('div', { class: 'figs' }, fig(grid(x.data, 4, 4), 'Filter 1 feature map'), fig(grid(r.data, 4, 4, { testid: 'relu-out' }), 'after ReLU')),
  );
}

export function softmaxPanel(): HTMLElement {
  const body = el('div');
  const render = () => {
    const x = state.inputTensor();
    const z = x ? noGrad(() => state.model.call(x)) : maxPool2d(feature(), { kernelSize: 2 }).reshape([1, 4]);
    const e = exp(z);
    const total = sum(e).item();
    const p = softmax(z, -1);
    const k = z.shape[1];
    const head = el('tr', {}, el('th', { text: '' }), ...Array.from({ length: k }, (_, i) => el('th', { text: x ? String(i) : `z${i + 1}` })));
    const row = (name: string, t: ArrayLike<number>) => el('tr', {}, el('th', { text: name }), ...Array.from(t, (v) => el('td', { text: fmt(Number(v.toPrecision(4))) })));
    body.replaceChildren(
      el('p', { class: 'muted', text: x ? `The logits z of ${state.source} for the current input (${state.inputLabel}).` : 'No input drawn yet: the logits are the max-pooled Filter 1 map.' }),
      el('table', { class: 'grid wide', 'data-testid': 'softmax' }, head, row('z', z.data), row('exp(z)', e.data), row('p = exp(z)/Σ', p.data)),
      el('p', { class: 'equation', text: `Σ exp(z) = ${fmt(Number(total.toPrecision(6)))}` }),
    );
  };
  const panel = el('section', {}, el('h3', { text: 'Softmax: p_i = exp(z_i) / Σ_j exp(z_j)' }), body);
  // Only while its tab is shown: weights arrive several times a second during training.
  state.on(() => panel.parentElement?.hidden === false && render());
  render();
  return panel;
}

export function backpropPanel(): HTMLElement {
  // δ arriving from the layer above: 1, 2, 3, 4 on the pooled map, 1..16 / 10 on the feature map.
  const dPool = tensor([[[[1, 2], [3, 4]]]]);
  const dFeat = tensor([[Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (4 * i + j + 1) / 10))]]);
  const grads = (f: (x: Tensor) => Tensor, x0: Tensor, d: Tensor): Tensor => {
    const x = new Tensor(Float32Array.from(x0.data), x0.shape, true);
    f(x).backward(d);
    return x.grad!;
  };
  const a = feature();
  const gMax = grads((x) => maxPool2d(x, { kernelSize: 2 }), a, dPool);
  const gAvg = grads((x) => avgPool2d(x, { kernelSize: 2 }), a, dPool);
  // δ ⊗ M: each δ spread over its 2×2 window with M = ¼ of ones.
  const kron = mul(interpolate(dPool, { scaleFactor: 2, mode: 'nearest' }), 0.25);
  const w = tensor([[DECK_FILTERS[0]]]);
  const gConv = grads((x) => conv2d(x, w), tensor([[DECK_IMAGE]]), dFeat);
  // The 180° rotation only reorders the kernel's entries: row i, column j takes row 2 − i, column 2 − j.
  const rot = new Tensor(Float32Array.from(w.data).reverse(), w.shape);
  const full = conv2d(pad(dFeat, [[2, 2], [2, 2]]), rot);
  const switches = new Set(Array.from(maxPool2dWithIndices(a, { kernelSize: 2 }).indices.data, Number));
  return el('section', {},
    el('h3', { text: 'Backpropagation of δ' }),
    el('h4', { text: 'Max pooling routes δ to the input that won (the switch); the others get 0' }),
    el('div', { class: 'figs' },
      fig(grid(a.data, 4, 4, { marked: switches, markClass: 'switch' }), 'forward input, switches marked'),
      fig(grid(dPool.data, 2, 2), 'δ at the pooled output'),
      fig(grid(round(gMax), 4, 4, { marked: switches, markClass: 'switch', testid: 'bp-max' }), 'δ at the input (autograd)'),
    ),
    el('h4', { text: 'Average pooling: δ ⊗ M with M the 2×2 matrix of ¼' }),
    el('div', { class: 'figs' },
      fig(grid(dPool.data, 2, 2), 'δ'),
      fig(grid(round(kron), 4, 4, { testid: 'bp-kron' }), 'δ ⊗ M'),
      fig(grid(round(gAvg), 4, 4, { testid: 'bp-avg' }), 'δ at the input (autograd)'),
    ),
    el('h4', { text: 'Convolution: the input gradient is a full convolution of δ with the kernel rotated by 180°' }),
    el('div', { class: 'figs' },
      fig(grid(round(dFeat), 4, 4), 'δ at the feature map'),
      fig(grid(w.data, 3, 3), 'Filter 1'),
      fig(grid(rot.data, 3, 3, { testid: 'bp-rot' }), 'rotated 180°'),
      fig(grid(round(full), 6, 6, { testid: 'bp-full' }), 'conv2d(δ zero-padded by 2, rotated filter)'),
      fig(grid(round(gConv), 6, 6, { testid: 'bp-conv' }), 'δ at the image (autograd)'),
    ),
  );
}
