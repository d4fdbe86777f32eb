/*
 * The lab driven end to end in headless Chromium: threads when isolated, one
 * thread when not; a digit drawn by a scripted pointer path (from a real MNIST
 * test image) classified by a checkpoint trained here with the library and
 * dropped on the page; in-page training that lowers the loss and whose download
 * `receptive eval` scores as the page did; every layer's maps; and the decks'
 * convolution, pooling and backpropagation numbers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import {
  Adam, CHECKPOINT_FORMAT, conv2d, createModel, DataLoader, enableWasmBackend, losses, MNIST_MEAN, MNIST_STD, noGrad, normalize, RNG, serializeCheckpoint,
  resize, softmax, tensor, Tensor, viz, type Module,
} from '../../src/index.js';
import { loadMNIST } from '../../src/data/index.js';
import { runEval } from '../../src/cli/commands.js';
import { buildLab, canvasRGB, canvasSpan, dropCheckpoint as drop, pixelDiff, gridValues, launch, NO_CHROMIUM, openLab, readStalls, serve, shoot, SHOTS, watchStalls } from './harness.js';

const IMAGE = [[1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 1, 0], [0, 1, 1, 1, 0, 0], [0, 0, 1, 0, 0, 0], [0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]];
const FILTERS = [[[1, 1, 1], [-1, 1, -1], [1, -1, -1]], [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]];

let dir: string;
let work: string;
let browser: Browser;
let isolated: { server: Server; url: string; requests: string[] };
let plain: { server: Server; url: string; requests: string[] };
let model: Module;
let ckpt: string;
const test1k = loadMNIST({ split: 'test', limit: 1000 });

/** LeNet-5 trained with the library for 500 steps: the "pretrained checkpoint" the page loads. */
function pretrain(): Module {
  const m = createModel('lenet5', { variant: 'modern' }, new RNG(1));
  const train = loadMNIST({ split: 'train', limit: 32000 });
  const loader = new DataLoader(train.dataset(), { batchSize: 64, shuffle: true, seed: 0, transform: normalize(MNIST_MEAN, MNIST_STD) });
  const opt = new Adam(m.parameters(), { lr: 2e-3 });
  const ce = losses.CrossEntropyLoss();
  m.train();
  for (const b of loader) {
    opt.zeroGrad();
    ce(m.call(b.x), b.y).backward();
    opt.step();
  }
  m.eval();
  return m;
}

before(async () => {
  if (NO_CHROMIUM) return;
  assert.ok(await enableWasmBackend());
  work = mkdtempSync(join(tmpdir(), 'lab-test-'));
  dir = buildLab();
  model = pretrain();
  ckpt = join(work, 'pretrained.safetensors');
  writeFileSync(ckpt, serializeCheckpoint(model, { format: CHECKPOINT_FORMAT, model: { name: 'lenet5', config: { variant: 'modern' } } }));
  isolated = await serve(dir, true);
  plain = await serve(dir, false);
  browser = await launch();
});
after(async () => {
  if (NO_CHROMIUM) return;
  await browser?.close();
  isolated?.server.close();
  plain?.server.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const dropCheckpoint = (page: Page, file: string) => drop(page, readFileSync(file), 'pretrained.safetensors');

/** Trace an MNIST image on the drawing canvas: one pointer stroke per run of ink along each row. */
async function drawDigit(page: Page, pixels: Uint8Array): Promise<void> {
  const box = (await page.locator('[data-testid=draw-canvas]').boundingBox())!;
  const s = box.width / 28;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 128) continue;
      let e = x;
      while (e + 1 < 28 && pixels[y * 28 + e + 1] >= 128) e++;
      await page.mouse.move(box.x + (x + 0.5) * s, box.y + (y + 0.5) * s);
      await page.mouse.down();
      await page.mouse.move(box.x + (e + 0.5) * s + 1, box.y + (y + 0.5) * s, { steps: 2 });
      await page.mouse.up();
      x = e;
    }
  }
}

test('threads when cross-origin isolated, one thread (and says so) when not', { skip: NO_CHROMIUM }, async () => {
  const a = await openLab(browser, isolated.url);
  const st = await a.page.locator('[data-testid=status]').evaluate((e) => ({ ...(e as HTMLElement).dataset, text: e.textContent }) as Record<string, string | undefined>);
  assert.equal(st.isolated, 'true');
  assert.equal(st.backend, 'wasm');
  assert.ok(Number(st.workerThreads) > 1, `worker threads ${st.workerThreads}`);
  await shoot(a.page, 'draw-1280');
  const b = await openLab(browser, plain.url);
  const sp = await b.page.locator('[data-testid=status]').evaluate((e) => ({ ...(e as HTMLElement).dataset, text: e.textContent }) as Record<string, string | undefined>);
  assert.equal(sp.isolated, 'false');
  assert.equal(sp.workerThreads, '1');
  assert.match(sp.text ?? '', /not cross-origin isolated.*single-threaded/i);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.page.close();
  await b.page.close();
});

test('a dropped checkpoint gives the library\'s probabilities, and scripted drawings of MNIST digits are classified as those digits', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, isolated.url);
  await dropCheckpoint(page, ckpt);
  // A test image through the page equals the library's softmax in Node.
  await page.fill('[data-testid=test-index]', '3');
  await page.click('[data-testid=use-test]');
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]')?.textContent?.includes('#3'));
  const shown = await page.$$eval('[data-testid=probs] li', (li) => li.map((l) => Number((l as HTMLElement).dataset.p)));
  const x = normalize(MNIST_MEAN, MNIST_STD)(new Tensor(test1k.images.data.slice(3 * 784, 4 * 784), [1, 1, 28, 28]), new RNG(0));
  const want = Array.from(noGrad(() => softmax(model.call(x), -1)).data);
  shown.forEach((p, i) => assert.ok(Math.abs(p - want[i]) < 1e-5, `class ${i}: page ${p}, library ${want[i]}`));
  // Drawn digits: the first ten test images, traced stroke by stroke.
  let right = 0;
  const seen: string[] = [];
  for (let i = 0; i < 10; i++) {
    await page.click('[data-testid=clear]');
    await drawDigit(page, test1k.raw.subarray(i * 784, (i + 1) * 784));
    const got = Number(await page.locator('[data-testid=verdict]').getAttribute('data-class'));
    const label = test1k.labels.data[i];
    seen.push(`${label}->${got}`);
    if (got === label) right++;
    if (i === 0) await shoot(page, 'draw-trained-1280');
  }
  assert.ok(right >= 9, `drawn digits classified right: ${right}/10 (${seen.join(' ')})`);
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'draw-390', true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('300 steps of in-page training (batch 64) lower the loss, reach 90% test accuracy, and the download scores the same in receptive eval', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, isolated.url);
  // Training while the overview redraws every layer for each weight update: the heaviest view on the main thread.
  await page.click('[data-testid=use-test]');
  await watchStalls(page);
  await page.click('[data-testid=tab-train]');
  await page.fill('[data-testid=batch]', '64');
  await page.click('[data-testid=train-toggle]');
  await page.click('[data-testid=tab-overview]');
  await page.waitForFunction(() => Number((document.querySelector('[data-testid=train-stats]') as HTMLElement).dataset.step ?? 0) >= 300, null, { timeout: 300_000 });
  const stalls = await readStalls(page);
  console.log(`# ${stalls.frames} frames while training, gap median ${stalls.p50.toFixed(0)}, p90 ${stalls.p90.toFixed(0)}, p99 ${stalls.p99.toFixed(0)}, max ${stalls.max.toFixed(0)} ms; ` +
    `long tasks [${stalls.longTasks.map((v) => v.toFixed(0)).join(', ')}] ms; own work over 10 ms [${stalls.ownWork.map((w) => `${w.what} ${w.ms.toFixed(0)}`).join(', ')}] ms; load ${loadavg()[0].toFixed(1)}`);
  await page.click('[data-testid=tab-train]');
  await page.click('[data-testid=train-toggle]');
  await page.waitForFunction(() => {
    const d = (document.querySelector('[data-testid=train-stats]') as HTMLElement).dataset;
    return d.running === 'false' && d.testStep === d.step;
  }, null, { timeout: 60_000 });
  const d = await page.locator('[data-testid=train-stats]').evaluate((e) => ({ ...(e as HTMLElement).dataset }) as Record<string, string>);
  assert.ok(Number(d.lastLoss) < Number(d.firstLoss) / 2, `loss ${d.firstLoss} -> ${d.lastLoss}`);
  assert.ok(Number(d.testAccuracy) > 0.9, `test accuracy ${d.testAccuracy} after ${d.step} steps`);
  await shoot(page, 'train-1280');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'train-390', true);
  await page.setViewportSize({ width: 1280, height: 800 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  const file = join(work, 'from-page.safetensors');
  await download.saveAs(file);
  const report = await runEval(file, { limit: 1000 });
  const m = /Test accuracy: ([\d.]+)% on 1000 mnist test images/.exec(report);
  assert.ok(m, report);
  assert.equal(m[1], (100 * Number(d.testAccuracy)).toFixed(2));
  // Saved in IndexedDB and loaded back: the page names it and shows the same probabilities.
  await page.click('[data-testid=save-idb]');
  await page.waitForFunction(() => document.querySelector('[data-testid=train-msg]')?.textContent?.startsWith('Saved'));
  await page.click('[data-testid=load-idb]');
  await page.waitForFunction(() => document.querySelector('[data-testid=train-msg]')?.textContent === 'Loaded the checkpoint saved in this browser.');
  const own = stalls.ownWork.map((w) => `${w.what} ${w.ms.toFixed(0)} ms`).join(', ');
  console.log(`# in-page training: ${d.step} steps, loss ${Number(d.firstLoss).toFixed(3)} -> ${Number(d.lastLoss).toFixed(3)}, test accuracy ${d.testAccuracy}; ` +
    `${stalls.frames} frames, gap median ${stalls.p50.toFixed(0)} ms, p99 ${stalls.p99.toFixed(0)} ms, max ${stalls.max.toFixed(0)} ms; page's own work over 10 ms: [${own}]`);
  // The main thread stays responsive. Asserted: 90% of frames follow within 100 ms, and the median of the page's own
  // pieces of work that took over 10 ms (handling a worker message, redrawing a view) is under 100 ms. Not asserted: the
  // longest gap and the 99th percentile. On the shared 2-core test machine (load average 26 in one run) the OS
  // deschedules the renderer for hundreds of ms whatever the page does: the p99 gap was 483 ms and the longest 1,600 ms.
  const ms = stalls.ownWork.map((w) => w.ms).sort((a, b) => a - b);
  assert.ok(stalls.frames > 100, `only ${stalls.frames} animation frames while training`);
  assert.ok(stalls.p90 < 100, `90th percentile of frame gaps ${stalls.p90.toFixed(0)} ms`);
  assert.ok(ms.length === 0 || ms[Math.floor(ms.length / 2)] < 100, `the page's own work over 10 ms: ${own}`);
  // Nothing the page trained or loaded was sent to the server: only GETs of the app's own files.
  assert.deepEqual(isolated.requests.filter((r) => !r.startsWith('GET ')), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the overview renders every layer\'s maps with non-constant pixels, and a click opens one', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, isolated.url);
  await dropCheckpoint(page, ckpt);
  await page.click('[data-testid=use-test]');
  await page.click('[data-testid=tab-overview]');
  await page.waitForSelector('[data-testid=overview] .layer');
  const layers = await page.$$eval('[data-testid=overview] .layer', (ls) => ls.map((l) => ({
    title: l.querySelector('h4')!.textContent!,
    maps: Array.from(l.querySelectorAll('canvas')).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        lo = Math.min(lo, d[i]);
        hi = Math.max(hi, d[i]);
      }
      return hi - lo;
    }),
  })));
  const leaves = model.namedModules().filter(([, m]) => m.namedChildren().length === 0);
  assert.equal(layers.length, leaves.length + 1, layers.map((l) => l.title).join('; '));
  const channels = [1, 6, 6, 6, 16, 16, 16, 1, 1, 1, 1, 1, 1];
  layers.forEach((l, i) => {
    assert.equal(l.maps.length, channels[i], l.title);
    assert.ok(l.maps.some((span) => span > 0), `${l.title}: every map is constant`);
  });
  await shoot(page, 'overview-1280', true);
  // The summary table, against LeNet-5's numbers by hand: 5·5·1·6 + 6 = 156 parameters in C1, 28·28·6·25 MACs,
  // receptive fields 5 (C1), 6 (S2), 6 + 4·2 = 14 (C3), 16 (S4); 61,706 parameters in all.
  await page.click('text=Summary: output shapes');
  const cell = (path: string, col: number) => page.locator(`[data-testid=summary] tr[data-path="${path}"] > :nth-child(${col})`).textContent();
  assert.equal(await cell('features.0', 4), '156');
  assert.equal(await cell('features.0', 5), String(28 * 28 * 6 * 25));
  assert.equal(await cell('features.0', 6), '5×5');
  assert.equal(await cell('features.2', 6), '6×6');
  assert.equal(await cell('features.3', 4), String(16 * 6 * 25 + 16));
  assert.equal(await cell('features.3', 6), '14×14');
  assert.equal(await cell('features.5', 6), '16×16');
  assert.equal(await cell('classifier.1', 4), String(400 * 120 + 120));
  assert.equal(await cell('total', 4), String(156 + 2416 + 48120 + 10164 + 850));
  await shoot(page, 'overview-summary-1280');
  await page.click('text=Summary: output shapes');
  await page.click('[data-testid=overview] .layer:nth-child(2) .map');
  assert.ok(await page.locator('[data-testid=map-dialog]').evaluate((e) => (e as HTMLDialogElement).open));
  await shoot(page, 'overview-map-1280');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'overview-390');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Understand views show the library\'s saliency, Grad-CAM, guided backprop, deconvnet, occlusion and kernels for the current input', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, isolated.url);
  await dropCheckpoint(page, ckpt);
  const i = 3;
  await page.fill('[data-testid=test-index]', String(i));
  await page.click('[data-testid=use-test]');
  await page.click('[data-testid=tab-understand]');
  await page.waitForSelector('[data-testid=viz-occlusion]');
  // LeNet-5's last feature maps are S4's 16×5×5 (features.5): the default layer.
  assert.equal(await page.inputValue('[data-testid=viz-layer]'), 'features.5');
  assert.equal(await page.locator('[data-testid=viz-gradcam]').getAttribute('data-cam-shape'), '5x5');
  const x = normalize(MNIST_MEAN, MNIST_STD)(new Tensor(test1k.images.data.slice(i * 784, (i + 1) * 784), [1, 1, 28, 28]), new RNG(0));
  const up = (t: Tensor, cmap: 'viridis' | 'RdBu_r' = 'viridis') => viz.mapToImage(t, { cmap, range: cmap === 'RdBu_r' ? 'symmetric' : 'minmax' });
  const want: Record<string, Tensor> = {
    'viz-saliency': up(viz.saliency(model, x).map),
    'viz-gradcam': up(viz.gradCam(model, x, { layer: 'features.5' }).upsampled),
    'viz-guided': up(new Tensor(viz.guidedBackprop(model, x).projection.data, [28, 28]), 'RdBu_r'),
    'viz-deconv': up(new Tensor(viz.deconvnet(model, x, { layer: 'features.5' }).projection.data, [28, 28]), 'RdBu_r'),
    'viz-kernels': viz.kernelImages(model.namedModules().find(([p]) => p === 'features.0')![1]),
  };
  const occ = viz.occlusion(model, x, { window: 7, stride: 2, fill: Math.min(...Array.from(x.data)), batchSize: 32 });
  want['viz-occlusion'] = up(resize(occ.probability, [28, 28], { antialias: false }));
  // The page's pictures equal the library's computed here in Node (colour levels within 2 of 255: float rounding).
  for (const [id, t] of Object.entries(want)) {
    const d = pixelDiff(await canvasRGB(page, id), t);
    assert.ok(d <= 2, `${id}: the page's picture differs from the library's by ${d} levels`);
    assert.ok((await canvasSpan(page, id)) > 0, `${id} is constant`);
  }
  const o = await page.locator('[data-testid=viz-occlusion]').evaluate((e) => ({ ...(e as HTMLElement).dataset }) as Record<string, string>);
  assert.ok(Math.abs(Number(o.baseline) - occ.baseline) < 1e-5, `clean probability: page ${o.baseline}, library ${occ.baseline}`);
  // The most sensitive square covers more ink than the average square (Zeiler and Fergus: occlusion finds the object).
  const raw = test1k.raw.subarray(i * 784, (i + 1) * 784);
  const ink = (y: number, x0: number) => { let s = 0; for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) s += raw[(y + a) * 28 + x0 + b]; return s; };
  const [wy, wx] = o.window.split(',').map(Number);
  const all = occ.ys.flatMap((y) => occ.xs.map((x0) => ink(y, x0)));
  assert.ok(ink(wy, wx) > all.reduce((a, b) => a + b, 0) / all.length, `square at ${o.window}: ink ${ink(wy, wx)}`);
  await shoot(page, 'understand-1280', true);
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'understand-390');
  assert.deepEqual(errors, []);
  await page.close();
});

/** Filter f over the deck's image by hand (plain loops), stride S. */
function byHand(f: number, S: number): number[] {
  const out: number[] = [];
  for (let r = 0; r + 3 <= 6; r += S) for (let c = 0; c + 3 <= 6; c += S) {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += IMAGE[r + i][c + j] * FILTERS[f][i][j];
    out.push(s);
  }
  return out;
}

test('the step-by-step convolution shows the decks\' numbers and the library\'s, at stride 1 and 3, and with padding and dilation', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, plain.url);
  await page.click('[data-testid=tab-steps]');
  const sum = () => page.locator('[data-testid=conv-sum]').evaluate((e) => ({ ...(e as HTMLElement).dataset, text: e.textContent! }) as Record<string, string>);
  // The slide's first window: 1×1 + 1×1 + 1×1 + 0×(−1) + 0×1 + 0×(−1) + 0×1 + 1×(−1) + 1×(−1) = 1.
  let s = await sum();
  assert.equal(Number(s.sum), 1);
  assert.match(s.text, /^1×1 \+ 1×1 \+ 1×1 \+ 0×\(-1\) \+ 0×1 \+ 0×\(-1\) \+ 0×1 \+ 1×\(-1\) \+ 1×\(-1\) = 1/);
  for (const [f, S, shape] of [[0, 1, '2 × 4 × 4'], [1, 1, '2 × 4 × 4'], [0, 3, '2 × 2 × 2'], [1, 3, '2 × 2 × 2']] as const) {
    await page.selectOption('[data-testid=conv-filter]', String(f));
    await page.fill('[data-testid=conv-stride]', String(S));
    const shown = await gridValues(page, 'conv-output');
    assert.deepEqual(shown, byHand(f, S), `Filter ${f + 1}, stride ${S}`);
    const lib = conv2d(tensor([[IMAGE]]), tensor([[FILTERS[f]]]), { stride: S });
    assert.deepEqual(shown, Array.from(lib.data));
    assert.match((await page.textContent('[data-testid=conv-formula]'))!, new RegExp(`= ${shape}\\.`));
    if (f === 0 && S === 1) await shoot(page, 'steps-conv-1280');
  }
  assert.deepEqual(byHand(0, 3), [1, 5, 3, 0]); // the slide at stride 3 shows 1, 5 / 3
  // Pick output (2, 2) at stride 3: the receptive field is rows/columns 4..6, and the sum matches conv2d.
  await page.click('[data-testid=conv-output] tr:nth-child(2) td:nth-child(2)');
  s = await sum();
  assert.equal(Number(s.sum), Number(s.out));
  assert.equal(Number(s.sum), byHand(1, 3)[3]);
  const marked = await page.$$eval('[data-testid=conv-input] td', (tds) => tds.flatMap((t, i) => (t.classList.contains('mark') ? [i] : [])));
  assert.deepEqual(marked, [21, 22, 23, 27, 28, 29, 33, 34, 35]);
  if (SHOTS) await page.locator('section.conv').screenshot({ path: join(SHOTS, 'steps-conv-stride3-1280.png') });
  // Padding 1 and dilation 2 against the library.
  await page.fill('[data-testid=conv-stride]', '1');
  await page.fill('[data-testid=conv-padding]', '1');
  await page.fill('[data-testid=conv-dilation]', '2');
  const lib = conv2d(tensor([[IMAGE]]), tensor([[FILTERS[1]]]), { padding: 1, dilation: 2 });
  assert.deepEqual(await gridValues(page, 'conv-output'), Array.from(lib.data));
  assert.match((await page.textContent('[data-testid=conv-formula]'))!, /= 2 × 4 × 4\..*n = 2·\(3 − 1\) \+ 1 = 5/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pooling switches and backpropagation through pooling and convolution match the definitions', { skip: NO_CHROMIUM }, async () => {
  const { page, errors } = await openLab(browser, plain.url);
  await page.click('[data-testid=tab-steps]');
  const a = byHand(0, 1); // the 4×4 Filter 1 map
  const d = [1, 2, 3, 4];
  const maxGrad = new Array(16).fill(0);
  const avgGrad: number[] = [];
  for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) {
    let best = -1;
    for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      const k = (2 * r + i) * 4 + 2 * c + j;
      if (best < 0 || a[k] > a[best]) best = k;
    }
    maxGrad[best] = d[2 * r + c];
  }
  for (let i = 0; i < 16; i++) avgGrad.push(d[2 * Math.floor(i / 8) + Math.floor((i % 4) / 2)] / 4);
  assert.deepEqual(await gridValues(page, 'bp-max'), maxGrad);
  assert.deepEqual(await gridValues(page, 'bp-avg'), avgGrad);
  assert.deepEqual(await gridValues(page, 'bp-kron'), avgGrad);
  // dL/dx[i][j] = Σ δ[i−a][j−b]·W[a][b]: the full convolution, by hand.
  const delta = Array.from({ length: 16 }, (_, k) => (k + 1) / 10);
  const dx: number[] = [];
  for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
    let s = 0;
    for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) {
      const u = i - p, v = j - q;
      if (u >= 0 && u < 4 && v >= 0 && v < 4) s += delta[u * 4 + v] * FILTERS[0][p][q];
    }
    dx.push(Number(s.toFixed(4)) || 0); // the page prints −0 as 0
  }
  assert.deepEqual(await gridValues(page, 'bp-conv'), dx);
  assert.deepEqual(await gridValues(page, 'bp-full'), dx);
  assert.deepEqual(await gridValues(page, 'bp-rot'), FILTERS[0].flat().reverse());
  if (SHOTS) {
    await page.locator('section', { has: page.locator('h3', { hasText: 'Max and average pooling' }) }).screenshot({ path: join(SHOTS, 'steps-pool-1280.png') });
    await page.locator('section', { has: page.locator('h3', { hasText: 'Backpropagation' }) }).screenshot({ path: join(SHOTS, 'steps-backprop-1280.png') });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.locator('h3', { hasText: 'Convolution' }).scrollIntoViewIfNeeded();
  await shoot(page, 'steps-conv-390');
  assert.deepEqual(errors, []);
  await page.close();
});
