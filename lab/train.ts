/** The training panel: settings, start/pause/resume, live curves; saving, downloading and loading checkpoints. */
import { CHECKPOINT_FORMAT, parseCheckpoint, serializeCheckpoint } from '../src/index.js';
import {
  DATASETS, exportWeights, importWeights, LAB_MODELS, modelLabel, newModel, type DatasetName, type FromWorker, type ModelSpec, type ToWorker, type TrainSettings,
} from './shared.js';
import { state } from './state.js';
import { el, lineChart, timed } from './view.js';

const DB = 'receptive-lab';

function idb<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((ok, fail) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('checkpoints');
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const r = f(open.result.transaction('checkpoints', mode).objectStore('checkpoints'));
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    };
  });
}

function checkpointBytes(): Uint8Array {
  const dataset = { name: state.dataset, classNames: [...state.classNames] };
  return serializeCheckpoint(state.model, { format: CHECKPOINT_FORMAT, model: { name: state.spec.name, config: state.spec.config }, dataset });
}

export function trainPanel(onStatus: (m: Extract<FromWorker, { type: 'ready' }>) => void): { panel: HTMLElement; loadFile: (f: File) => Promise<void> } {
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  const send = (m: ToWorker) => worker.postMessage(m);
  const select = (label: string, id: string, options: (string | [string, string])[], value: string) => {
    const s = el('select', { id, 'data-testid': id });
    for (const o of options) s.append(typeof o === 'string' ? el('option', { value: o, text: o }) : el('option', { value: o[0], text: o[1] }));
    s.value = value;
    return el('label', {}, `${label} `, s);
  };
  const modelPick = select('Model', 'model', LAB_MODELS.map((m) => [m.id, m.label]), LAB_MODELS[0].id);
  const dataPick = select('Dataset', 'dataset', Object.entries(DATASETS).map(([k, d]) => [k, d.label]), 'mnist');
  const optim = select('Optimiser', 'optimizer', ['adam', 'adamw', 'sgd', 'rmsprop'], 'adam');
  const lr = el('input', { id: 'lr', type: 'number', step: '0.0001', min: '0.00001', value: '0.001', 'data-testid': 'lr' });
  const batch = el('input', { id: 'batch', type: 'number', min: '1', max: '1024', value: '32', 'data-testid': 'batch' });
  const aug = select('Augmentation', 'augment', ['none', 'shift', 'rotate'], 'none');
  const settings = (): TrainSettings => ({
    optimizer: (optim.querySelector('select') as HTMLSelectElement).value as TrainSettings['optimizer'],
    lr: Math.max(1e-6, Number(lr.value) || 1e-3),
    batchSize: Math.max(1, Math.min(1024, Math.floor(Number(batch.value) || 32))),
    augment: (aug.querySelector('select') as HTMLSelectElement).value as TrainSettings['augment'],
    seed: 0,
  });
  const go = el('button', { type: 'button', text: 'Start', 'data-testid': 'train-toggle', disabled: '' });
  const reset = el('button', { type: 'button', text: 'Reset weights', 'data-testid': 'train-reset' });
  const stats = el('dl', { class: 'stats', 'data-testid': 'train-stats' });
  const lossCanvas = el('canvas', { width: '520', height: '180', 'aria-label': 'training loss per step', 'data-testid': 'loss-chart' });
  const accCanvas = el('canvas', { width: '520', height: '180', 'aria-label': 'accuracy per step', 'data-testid': 'acc-chart' });
  const msg = el('p', { class: 'muted', 'data-testid': 'train-msg', 'aria-live': 'polite' });
  const dataInfo = el('p', { class: 'muted', 'data-testid': 'data-info', text: 'Loading the dataset…' });
  const loss: [number, number][] = [];
  const trainAcc: [number, number][] = [];
  const testAcc: [number, number][] = [];
  let running = false;
  let started = false;
  /** The checkpoint training continues from, if one was loaded. */
  let startedFrom = '';
  const show = (k: string, v: string) => {
    let dd = stats.querySelector(`dd[data-k="${k}"]`);
    if (!dd) {
      stats.append(el('dt', { text: k }));
      dd = el('dd', { 'data-k': k });
      stats.append(dd);
    }
    dd.textContent = v;
  };
  const redraw = () => {
    lineChart(lossCanvas, [{ points: loss, color: '#c0392b', label: 'train loss' }]);
    lineChart(accCanvas, [{ points: trainAcc, color: '#2471a3', label: 'train accuracy' }, { points: testAcc, color: '#1e8449', label: 'test accuracy' }], [0, 1]);
  };
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    timed(`worker message ${e.data.type}`, () => handle(e.data));
  };
  const handle = (m: FromWorker) => {
    if (m.type === 'ready') {
      onStatus(m);
    } else if (m.type === 'progress') {
      loss.push([m.step, m.loss]);
      lossCanvas.dataset.losses = loss.slice(-200).map(([s, l]) => `${s}:${l.toFixed(4)}`).join(' ');
      trainAcc.push([m.step, m.accuracy]);
      show('step', String(m.step));
      stats.dataset.step = String(m.step);
      stats.dataset.firstLoss ??= String(m.loss);
      stats.dataset.lastLoss = String(m.loss);
      show('epoch', String(m.epoch + 1));
      show('loss', m.loss.toFixed(4));
      show('train accuracy', `${(100 * m.accuracy).toFixed(1)}%`);
      show('images/s', m.imagesPerSecond.toFixed(m.imagesPerSecond < 100 ? 1 : 0));
      redraw();
    } else if (m.type === 'eval') {
      testAcc.push([m.step, m.accuracy]);
      show('test accuracy', `${(100 * m.accuracy).toFixed(2)}% (${m.count} test images, step ${m.step})`);
      stats.dataset.testAccuracy = String(m.accuracy);
      stats.dataset.testStep = String(m.step);
      redraw();
    } else if (m.type === 'weights') {
      importWeights(state.model, m.weights);
      // Step 0 is the worker echoing weights the page gave it: the page's label stays.
      if (m.step > 0) state.source = `${modelLabel(state.spec)} trained in this page on ${DATASETS[state.dataset].label.replace(/ \(.*$/, '')}, step ${m.step}${startedFrom ? ` (starting from ${startedFrom})` : ''}`;
      state.changed();
    } else if (m.type === 'data') {
      dataInfo.textContent = `${DATASETS[m.dataset].label}: ${m.trainSize} training images, ${m.testSize} test images; classes ${DATASETS[m.dataset].classes.join(', ')}.`;
      dataInfo.dataset.name = m.dataset;
      go.removeAttribute('disabled');
    } else if (m.type === 'state') {
      running = m.running;
      go.textContent = running ? 'Pause' : started ? 'Resume' : 'Start';
      stats.dataset.running = String(running);
    } else if (m.type === 'error') {
      msg.textContent = `Training stopped: ${m.message}`;
    }
  };
  worker.onerror = (e) => {
    msg.textContent = `The training worker failed: ${e.message}`;
  };
  go.addEventListener('click', () => {
    if (running) send({ type: 'pause' });
    else if (!started) {
      started = true;
      send({ type: 'start', settings: settings(), weights: exportWeights(state.model) });
    } else send({ type: 'resume', settings: settings() });
  });
  // Changing a setting while running applies it at once.
  for (const c of [optim, lr, batch, aug]) c.addEventListener('change', () => running && send({ type: 'resume', settings: settings() }));
  /** Training starts over from `model` (fresh curves); the worker gets its weights, architecture and dataset. */
  const restart = (model: ReturnType<typeof newModel>, spec: ModelSpec, dataset: DatasetName, source: string, from = '') => {
    if (running) send({ type: 'pause' });
    started = false;
    startedFrom = from;
    loss.length = trainAcc.length = testAcc.length = 0;
    stats.replaceChildren();
    delete stats.dataset.firstLoss;
    redraw();
    if (dataset !== state.dataset) go.setAttribute('disabled', '');
    state.setModel(model, source, spec, dataset);
    (modelPick.querySelector('select') as HTMLSelectElement).value = LAB_MODELS.find((m) => m.name === spec.name && JSON.stringify(m.config) === JSON.stringify(spec.config))?.id ?? '';
    (dataPick.querySelector('select') as HTMLSelectElement).value = dataset;
    send({ type: 'reset', model: spec, dataset, weights: exportWeights(model) });
  };
  const fresh = () => {
    const choice = LAB_MODELS.find((m) => m.id === (modelPick.querySelector('select') as HTMLSelectElement).value) ?? LAB_MODELS[0];
    const spec = { name: choice.name, config: choice.config };
    const dataset = (dataPick.querySelector('select') as HTMLSelectElement).value as DatasetName;
    restart(newModel(spec), spec, dataset, `untrained ${modelLabel(spec)} (random initial weights)`);
  };
  reset.addEventListener('click', fresh);
  modelPick.addEventListener('change', fresh);
  dataPick.addEventListener('change', fresh);

  const download = el('button', { type: 'button', text: 'Download .safetensors', 'data-testid': 'download' });
  download.addEventListener('click', () => {
    const a = el('a', { download: `${state.spec.name}-${state.dataset}-lab.safetensors` });
    a.href = URL.createObjectURL(new Blob([checkpointBytes().slice()], { type: 'application/octet-stream' }));
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  const save = el('button', { type: 'button', text: 'Save in this browser', 'data-testid': 'save-idb' });
  save.addEventListener('click', async () => {
    await idb('readwrite', (s) => s.put(checkpointBytes(), 'latest'));
    msg.textContent = `Saved (${state.source}) in this browser's IndexedDB.`;
  });
  const restore = el('button', { type: 'button', text: 'Load saved', 'data-testid': 'load-idb' });
  restore.addEventListener('click', async () => {
    const bytes = await idb<Uint8Array | undefined>('readonly', (s) => s.get('latest') as IDBRequest<Uint8Array | undefined>);
    if (!bytes) msg.textContent = 'Nothing saved in this browser yet.';
    else loadBytes(bytes, 'the checkpoint saved in this browser');
  });

  const loadBytes = (bytes: Uint8Array, name: string) => {
    try {
      const { tensors, info } = parseCheckpoint(bytes, name);
      const spec = { name: info.model.name, config: info.model.config };
      const model = newModel(spec);
      model.loadStateDict(tensors);
      const recorded = info.dataset?.name;
      const dataset: DatasetName = recorded !== undefined && recorded in DATASETS ? (recorded as DatasetName) : 'mnist';
      restart(model, spec, dataset, `${modelLabel(spec)} from ${name}${info.training ? `, step ${info.training.step}` : ''}`, name);
      msg.textContent = `Loaded ${name}.`;
    } catch (e) {
      msg.textContent = `Could not load ${name}: ${(e as Error).message}`;
    }
  };
  const loadFile = async (f: File) => loadBytes(new Uint8Array(await f.arrayBuffer()), f.name);
  const file = el('input', { type: 'file', accept: '.safetensors', 'data-testid': 'checkpoint-file', 'aria-label': 'load a .safetensors checkpoint' });
  file.addEventListener('change', () => file.files?.[0] && loadFile(file.files[0]));
  redraw();
  const panel = el('section', { class: 'train' },
    el('div', { class: 'row controls' }, modelPick, dataPick),
    dataInfo,
    el('div', { class: 'row controls' }, optim, el('label', {}, 'Learning rate ', lr), el('label', {}, 'Batch size ', batch), aug, go, reset),
    stats,
    el('div', { class: 'charts' }, lossCanvas, accCanvas),
    el('div', { class: 'row' }, save, restore, download, el('label', {}, 'Load checkpoint (or drop a file anywhere) ', file)),
    msg,
  );
  return { panel, loadFile };
}
