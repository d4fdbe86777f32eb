/**
 * Overview (as CNN Explainer's main view): every layer's output for the current
 * input, caught with a forward hook on every module during one forward pass,
 * redrawn whenever the input or the weights change (so it moves while training).
 */
import { noGrad, registerModuleForwardHook, summary, Tensor, type Module } from '../src/index.js';
import { state } from './state.js';
import { el, fmt, grid, heatmap, timed } from './view.js';

const MAX_MAPS = 64;

interface LayerOutput {
  path: string;
  type: string;
  output: Tensor;
}

/** Run the model once and keep every leaf module's output, in call order. */
export function layerOutputs(model: Module, x: Tensor): LayerOutput[] {
  const paths = new Map<unknown, string>(model.namedModules().map(([p, m]) => [m, p]));
  const out: LayerOutput[] = [];
  const hook = registerModuleForwardHook((m, _inputs, y) => {
    if (m.namedChildren().length === 0 && y instanceof Tensor) {
      const type = (m.constructor as { typeName?: string }).typeName ?? m.constructor.name;
      out.push({ path: paths.get(m) ?? '?', type, output: y });
    }
  });
  try {
    noGrad(() => model.call(x));
  } finally {
    hook.remove();
  }
  return out;
}

function openMap(dialog: HTMLDialogElement, title: string, data: Float32Array, h: number, w: number): void {
  let lo = Infinity, hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const close = el('button', { type: 'button', text: 'Close', 'data-testid': 'map-close' });
  close.addEventListener('click', () => dialog.close());
  dialog.replaceChildren(
    el('h3', { text: title }),
    el('p', { class: 'muted', text: `${h}×${w}, min ${fmt(Number(lo.toPrecision(4)))}, max ${fmt(Number(hi.toPrecision(4)))}` }),
    heatmap(data, h, w, Math.max(2, Math.floor(Math.min(360 / w, 360 / h)))),
    h * w <= 196 ? grid(Array.from(data, (v) => Number(v.toPrecision(3))), h, w, { label: title }) : '',
    el('div', {}, close),
  );
  dialog.showModal();
  close.focus();
}

export function overviewPanel(): HTMLElement {
  const body = el('div', { class: 'layers', 'data-testid': 'overview' });
  const dialog = el('dialog', { 'data-testid': 'map-dialog' });
  const note = el('p', { class: 'muted' });
  let queued = false;
  const render = () => {
    queued = false;
    const x = state.inputTensor();
    if (!x) {
      note.textContent = 'Draw a digit or pick an MNIST test image in the Draw tab: every layer of the network is shown here for it.';
      body.replaceChildren();
      shownKey = '';
      return;
    }
    note.textContent = `${state.inputLabel} · ${state.source}. Each map is scaled to its own range; click one to open it.`;
    const outs = [{ path: 'input', type: 'Input', data: x.data as Float32Array, shape: [1, 1, 28, 28] as readonly number[] }];
    for (const l of layerOutputs(state.model, x)) outs.push({ path: l.path, type: l.type, data: l.output.data as Float32Array, shape: l.output.shape });
    // While training only the numbers change: redraw into the same canvases rather than rebuild the DOM.
    const key = outs.map((o) => `${o.path}:${o.shape.join('x')}`).join(' ');
    if (key === shownKey) {
      outs.forEach((o, i) => rows[i].update(o.data));
      return;
    }
    rows = outs.map((o) => layerRow(o.path, o.type, o.data, o.shape, dialog));
    shownKey = key;
    body.replaceChildren(...rows.map((r) => r.row));
  };
  let rows: { row: HTMLElement; update: (data: Float32Array) => void }[] = [];
  let shownKey = '';
  state.on(() => {
    if (!queued && !panel.hidden) {
      queued = true;
      requestAnimationFrame(() => timed('overview', render));
    }
  });
  const table = el('div', { class: 'wide' });
  let summarised: Module | null = null;
  const details = el('details', {}, el('summary', { text: 'Summary: output shapes, parameters, MACs and receptive fields per layer' }), table);
  details.addEventListener('toggle', () => {
    // The table depends on the architecture only, so it is built once per model object.
    if (details.open && summarised !== state.model) {
      summarised = state.model;
      table.replaceChildren(summaryTable(state.model));
    }
  });
  const panel = el('section', { class: 'overview' }, details, note, body, dialog);
  // Render when the tab is shown, since hidden tabs skip the work.
  new MutationObserver(() => !panel.hidden && render()).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
  return panel;
}

/** One layer's maps as buttons; update() redraws them in place with new values of the same shape. */
function layerRow(path: string, type: string, data: Float32Array, shape: readonly number[], dialog: HTMLDialogElement): { row: HTMLElement; update: (data: Float32Array) => void } {
  const maps = el('div', { class: 'maps' });
  let current = data;
  const draws: (() => void)[] = [];
  const add = (label: string, channel: number, title: string, h: number, w: number, zoom: number, slice: () => Float32Array, style?: string) => {
    const cv = el('canvas');
    const draw = () => {
      heatmap(slice(), h, w, zoom, cv);
      if (style) cv.style.height = style;
    };
    draw();
    draws.push(draw);
    const b = el('button', { type: 'button', class: 'map', 'aria-label': label, 'data-layer': path, 'data-channel': String(channel) }, cv);
    b.addEventListener('click', () => openMap(dialog, title, Float32Array.from(slice()), h, w));
    maps.append(b);
  };
  if (shape.length === 4) {
    const [, c, h, w] = shape;
    const zoom = Math.max(2, Math.floor(56 / Math.max(h, w)));
    // Wide layers (GoogLeNet's 1024 channels) show their first maps: thousands of canvases would stall the page.
    for (let k = 0; k < Math.min(c, MAX_MAPS); k++) {
      add(`${path} channel ${k}`, k, `${path} (${type}), channel ${k}`, h, w, zoom, () => current.subarray(k * h * w, (k + 1) * h * w));
    }
  } else {
    const n = shape[shape.length - 1];
    add(`${path} activations`, 0, `${path} (${type})`, 1, n, Math.max(2, Math.floor(480 / n)), () => current, '18px');
  }
  const more = shape.length === 4 && shape[1] > MAX_MAPS ? ` · the first ${MAX_MAPS} of ${shape[1]} maps` : '';
  const row = el('div', { class: 'layer' }, el('h4', { text: `${path} · ${type} · [${shape.join(', ')}]${more}` }), maps);
  return {
    row,
    update: (d) => {
      current = d;
      for (const f of draws) f();
    },
  };
}

/** The library's `summary` of the model as a table (Keras's layer table, with MACs and receptive fields). */
function summaryTable(model: Module): HTMLElement {
  const s = summary(model, [1, 1, 28, 28]);
  const cols = ['layer', 'type', 'output', 'parameters', 'MACs', 'receptive field'];
  const t = el('table', { class: 'grid summary', 'data-testid': 'summary' }, el('tr', {}, ...cols.map((c) => el('th', { text: c }))));
  for (const r of s.rows.filter((r) => r.depth > 0)) {
    const rf = r.receptiveField ? `${r.receptiveField[0]}×${r.receptiveField[1]}` : '';
    t.append(el('tr', { 'data-path': r.path }, ...[r.path, r.type, `[${r.outputShape.join(', ')}]`, String(r.params), String(r.macs), rf].map((v) => el('td', { text: v }))));
  }
  t.append(el('tr', { 'data-path': 'total' }, el('th', { text: 'total' }), el('td'), el('td'), el('td', { text: String(s.totalParams) }), el('td', { text: String(s.totalMacs) }), el('td')));
  return t;
}
