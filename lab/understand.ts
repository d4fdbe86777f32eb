/**
 * Understanding views of the current input, from the library's viz module:
 * gradient saliency, Grad-CAM, occlusion, guided backpropagation, the
 * Zeiler–Fergus deconvnet and the first layer's kernels. They follow the model
 * as it trains; occlusion (one forward pass per square position) runs by itself
 * only where that is cheap, else on request.
 */
import { Conv2d, noGrad, resize, softmax, summary, Tensor, viz, type Module } from '../src/index.js';
import { layerOutputs } from './overview.js';
import { state } from './state.js';
import { el, imageCanvas, timed } from './view.js';

const ZOOM = 5;
/** Occlusion runs on every change when its forward passes stay under this many MACs in all (LeNet-5: ~50 M). */
const AUTO_OCCLUSION_MACS = 6e7;
const WINDOW = 7;
const STRIDE = 2;

/** Layers that give feature maps (leaf modules with a [1, C, h, w] output, h > 1), in call order. */
export function mapLayers(model: Module, x: Tensor): string[] {
  return layerOutputs(model, x).filter((l) => l.output.rank === 4 && l.output.shape[2] > 1).map((l) => l.path);
}

function figure(testid: string, caption: string, body: HTMLElement): HTMLElement {
  return el('figure', { 'data-testid': testid }, body, el('figcaption', { text: caption }));
}

const picture = (t: Tensor, opts: { cmap?: 'viridis' | 'RdBu_r'; testid: string }) =>
  imageCanvas(viz.mapToImage(t, { cmap: opts.cmap ?? 'viridis', range: opts.cmap === 'RdBu_r' ? 'symmetric' : 'minmax' }), ZOOM, el('canvas', { 'data-testid': opts.testid }));

export function understandPanel(): HTMLElement {
  const target = el('select', { 'data-testid': 'viz-target', 'aria-label': 'class to explain' });
  const layer = el('select', { 'data-testid': 'viz-layer', 'aria-label': 'layer for Grad-CAM and the deconvnet' });
  const runOcclusion = el('button', { type: 'button', text: 'Run occlusion', 'data-testid': 'viz-occlude' });
  const note = el('p', { class: 'muted', 'data-testid': 'viz-note' });
  const figs = el('div', { class: 'figs', 'data-testid': 'viz' });
  const occ = el('div', { 'data-testid': 'viz-occlusion-slot' });
  const kernels = el('div', { class: 'wide', 'data-testid': 'viz-kernels-slot' });
  let forModel: Module | null = null;
  let modelMacs = 0;
  let queued = false;
  let occlusionFor = '';

  /** New model or dataset: refill the menus (class names, layers) and keep choices that still apply. */
  const menus = (x: Tensor) => {
    const keepT = target.value;
    target.replaceChildren(el('option', { value: '', text: 'the predicted class' }), ...state.classNames.map((n, i) => el('option', { value: String(i), text: `${i}: ${n}` })));
    target.value = Number(keepT) < state.classNames.length ? keepT : '';
    const layers = mapLayers(state.model, x);
    const keepL = layer.value;
    layer.replaceChildren(...layers.map((p) => el('option', { value: p, text: p })));
    layer.value = layers.includes(keepL) ? keepL : layers[layers.length - 1];
    modelMacs = summary(state.model, [1, 1, 28, 28]).totalMacs;
  };

  const occlusionView = (x: Tensor, t: number | undefined) => {
    const o = viz.occlusion(state.model, x, { target: t, window: WINDOW, stride: STRIDE, fill: Math.min(...Array.from(x.data)), batchSize: 32 });
    let lo = 0;
    for (let i = 1; i < o.probability.size; i++) if (o.probability.data[i] < o.probability.data[lo]) lo = i;
    const [y, xx] = [o.ys[Math.floor(lo / o.xs.length)], o.xs[lo % o.xs.length]];
    const cv = picture(resize(o.probability, [28, 28], { antialias: false }), { testid: 'viz-occlusion' });
    cv.dataset.baseline = String(o.baseline);
    cv.dataset.lowest = String(o.probability.data[lo]);
    cv.dataset.window = `${y},${xx}`;
    occ.replaceChildren(figure('fig-occlusion', `Occlusion: p(${state.classNames[o.target]}) with a ${WINDOW}×${WINDOW} square at each position (stride ${STRIDE}); clean ${o.baseline.toFixed(3)}, lowest ${o.probability.data[lo].toFixed(3)} with the square at row ${y}, column ${xx}`, cv));
  };

  const render = () => {
    queued = false;
    const x = state.inputTensor();
    if (!x) {
      note.textContent = 'Draw something or pick a test image in the Draw tab: these views explain the model\'s answer for it.';
      figs.replaceChildren();
      occ.replaceChildren();
      return;
    }
    if (forModel !== state.model || target.options.length !== state.classNames.length + 1) {
      menus(x);
      forModel = state.model;
      occlusionFor = '';
    }
    const t = target.value === '' ? undefined : Number(target.value);
    const p = noGrad(() => softmax(state.model.call(x), -1)).data;
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    const cls = t ?? best;
    note.textContent = `${state.inputLabel} · ${state.source}. Explaining class ${cls} (${state.classNames[cls]}), p = ${p[cls].toFixed(3)}; the model predicts ${state.classNames[best]}.`;
    const shown = new Tensor(Float32Array.from(state.input!), [1, 28, 28]);
    const out: HTMLElement[] = [figure('fig-input', 'Input (28×28)', imageCanvas(viz.toRGB(shown), ZOOM, el('canvas', { 'data-testid': 'viz-input' })))];
    const tryView = (id: string, caption: string, f: () => HTMLCanvasElement) => {
      try {
        out.push(figure(id, caption, f()));
      } catch (e) {
        out.push(figure(id, caption, el('p', { class: 'muted', 'data-testid': `${id}-error`, text: `Not available for this model: ${(e as Error).message}` })));
      }
    };
    tryView('fig-saliency', 'Saliency: |∂ score / ∂ input| (Simonyan et al.)', () => picture(viz.saliency(state.model, x, { target: t }).map, { testid: 'viz-saliency' }));
    tryView('fig-gradcam', `Grad-CAM at ${layer.value}, upsampled to the input`, () => {
      const g = viz.gradCam(state.model, x, { layer: layer.value, target: t });
      const cv = picture(g.upsampled, { testid: 'viz-gradcam' });
      cv.dataset.camShape = g.cam.shape.join('x');
      return cv;
    });
    tryView('fig-guided', 'Guided backpropagation of the class score', () => {
      const g = viz.guidedBackprop(state.model, x, { target: t });
      return picture(new Tensor(g.projection.data, [28, 28]), { cmap: 'RdBu_r', testid: 'viz-guided' });
    });
    tryView('fig-deconv', `Deconvnet (Zeiler–Fergus) of the strongest activation at ${layer.value}`, () => {
      const d = viz.deconvnet(state.model, x, { layer: layer.value });
      const cv = picture(new Tensor(d.projection.data, [28, 28]), { cmap: 'RdBu_r', testid: 'viz-deconv' });
      cv.dataset.channel = String(d.channel);
      return cv;
    });
    figs.replaceChildren(...out);
    const first = state.model.namedModules().find(([, m]) => m instanceof Conv2d);
    if (first) {
      kernels.replaceChildren(figure('fig-kernels', `The kernels of ${first[0]} (the first convolution), blue negative, red positive`, imageCanvas(viz.kernelImages(first[1]), 2, el('canvas', { 'data-testid': 'viz-kernels' }))));
    }
    // Occlusion costs one forward pass per position: automatic for small models, on request for the rest.
    const positions = Math.ceil((28 - WINDOW + 1) / STRIDE) ** 2;
    const key = `${state.inputLabel}|${cls}|${state.source}`;
    if (modelMacs * positions <= AUTO_OCCLUSION_MACS) occlusionView(x, t);
    else if (occlusionFor !== key) occ.replaceChildren(el('p', { class: 'muted', text: `Occlusion needs ${positions} forward passes of ${(modelMacs / 1e6).toFixed(1)} M MACs each: press "Run occlusion".` }));
    runOcclusion.onclick = () => {
      occlusionFor = key;
      occlusionView(x, t);
    };
  };
  const schedule = () => {
    if (!queued && !panel.hidden) {
      queued = true;
      requestAnimationFrame(() => timed('understand', render));
    }
  };
  state.on(schedule);
  target.addEventListener('change', schedule);
  layer.addEventListener('change', schedule);
  const panel = el('section', { class: 'understand' },
    el('div', { class: 'row controls' }, el('label', {}, 'Explain ', target), el('label', {}, 'Layer ', layer), runOcclusion),
    note, figs, occ, kernels,
  );
  new MutationObserver(() => !panel.hidden && render()).observe(panel, { attributes: true, attributeFilter: ['hidden'] });
  return panel;
}
