/*
 * The lab with a zoo model and Fashion-MNIST, in headless Chromium: ResNet-20
 * (built through the model registry, its input padded to 32×32) trains in the
 * page's worker on Fashion-MNIST and its loss falls; the download evaluates in
 * `receptive eval` to the accuracy the page showed; the page names Fashion-MNIST's
 * classes; the overview and the Understand views work for a residual network.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { adaptModelInput, createModel, digitModelConfig, enableWasmBackend, FASHION_MNIST_CLASSES, registerModuleForwardHook, zeros } from '../../src/index.js';
import { loadFashionMNIST } from '../../src/data/index.js';
import { runEval } from '../../src/cli/commands.js';
import { buildLab, canvasSpan, launch, NO_CHROMIUM, openLab, serve, shoot } from './harness.js';

const FASHION = '/usr/share/datasets/fashion-mnist';
const SKIP = NO_CHROMIUM || (!existsSync(FASHION) && `no Fashion-MNIST in ${FASHION} (apt-get install dataset-fashion-mnist)`);

let dir: string;
let work: string;
let browser: Browser;
let lab: { server: Server; url: string; requests: string[] };

before(async () => {
  if (SKIP) return;
  assert.ok(await enableWasmBackend());
  work = mkdtempSync(join(tmpdir(), 'lab-zoo-'));
  dir = buildLab();
  lab = await serve(dir, true);
  browser = await launch();
});
after(async () => {
  if (SKIP) return;
  await browser?.close();
  lab?.server.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const STEPS = 12;

test('ResNet-20 trains on Fashion-MNIST in the page: the loss falls, the classes are named, and receptive eval scores the download as the page did', { skip: SKIP }, async () => {
  const { page, errors } = await openLab(browser, lab.url);
  await page.click('[data-testid=tab-train]');
  await page.selectOption('select#dataset', 'fashion-mnist');
  await page.selectOption('select#model', 'resnet20');
  await page.waitForFunction(() => (document.querySelector('[data-testid=data-info]') as HTMLElement).dataset.name === 'fashion-mnist');
  assert.match((await page.textContent('[data-testid=data-info]'))!, new RegExp(`60000 training images, 10000 test images; classes ${FASHION_MNIST_CLASSES.join(', ')}`));
  await page.fill('[data-testid=batch]', '16');
  await page.fill('[data-testid=lr]', '0.003');
  await page.click('[data-testid=train-toggle]');
  await page.waitForFunction((n) => Number((document.querySelector('[data-testid=train-stats]') as HTMLElement).dataset.step ?? 0) >= n, STEPS, { timeout: 300_000 });
  await page.click('[data-testid=train-toggle]');
  await page.waitForFunction(() => {
    const d = (document.querySelector('[data-testid=train-stats]') as HTMLElement).dataset;
    return d.running === 'false' && d.testStep === d.step;
  }, null, { timeout: 120_000 });
  // One progress point per step here (a ResNet-20 step takes longer than the worker's 60 ms slice).
  const losses = (await page.locator('[data-testid=loss-chart]').getAttribute('data-losses'))!.split(' ').map((p) => Number(p.split(':')[1]));
  const last = losses.slice(-4).reduce((a, b) => a + b, 0) / 4;
  assert.ok(losses.length >= 4 && last < 0.85 * losses[0], `loss ${losses.join(' ')}`);
  const d = await page.locator('[data-testid=train-stats]').evaluate((e) => ({ ...(e as HTMLElement).dataset }) as Record<string, string>);
  const shownCount = Number(/\((\d+) test images/.exec((await page.textContent('[data-testid=train-stats]'))!)![1]);
  await shoot(page, 'train-zoo-1280', true);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  const file = join(work, 'resnet20.safetensors');
  await download.saveAs(file);
  const report = await runEval(file, { dataDir: FASHION, limit: shownCount });
  const m = new RegExp(`Test accuracy: ([\\d.]+)% on ${shownCount} fashion-mnist test images`).exec(report);
  assert.ok(m, report);
  assert.equal(m[1], (100 * Number(d.testAccuracy)).toFixed(2));
  console.log(`# ResNet-20 on Fashion-MNIST in the page: ${d.step} steps, loss ${losses[0]} -> ${last.toFixed(3)} (mean of the last 4), test accuracy ${d.testAccuracy} on ${shownCount}`);
  // The Draw view names the classes: Fashion-MNIST's test image 0, with its label's name from the Debian files.
  const fashion = loadFashionMNIST({ dir: FASHION, split: 'test', limit: 1 });
  await page.click('[data-testid=tab-draw]');
  await page.click('[data-testid=use-test]');
  await page.waitForFunction(() => document.querySelector('[data-testid=verdict]')?.textContent?.includes('#0'));
  assert.ok((await page.textContent('[data-testid=verdict]'))!.includes(`label ${fashion.labels.data[0]} (${FASHION_MNIST_CLASSES[fashion.labels.data[0]]})`));
  assert.deepEqual(await page.$$eval('[data-testid=probs] li b', (bs) => bs.map((b) => b.textContent)), [...FASHION_MNIST_CLASSES]);
  await shoot(page, 'draw-fashion-1280');

  // The overview has a row per call of a leaf module of the registry's ResNet-20 (a block's ReLU runs twice), and the input's.
  await page.click('[data-testid=tab-overview]');
  await page.waitForSelector('[data-testid=overview] .layer');
  const net = createModel('resnet20', digitModelConfig('resnet20'));
  adaptModelInput('resnet20', net);
  let calls = 0;
  const hook = registerModuleForwardHook((mm) => void (mm.namedChildren().length === 0 && calls++));
  net.predict(zeros([1, 1, 28, 28]));
  hook.remove();
  assert.equal(await page.locator('[data-testid=overview] .layer').count(), calls + 1);
  // Understand: the gradient views render; the deconvnet, defined for plain chains, says why it does not apply.
  await page.click('[data-testid=tab-understand]');
  await page.waitForSelector('[data-testid=fig-deconv]');
  for (const id of ['viz-saliency', 'viz-gradcam', 'viz-guided', 'viz-kernels']) assert.ok((await canvasSpan(page, id)) > 0, id);
  assert.match((await page.textContent('[data-testid=fig-deconv-error]'))!, /not a chain/);
  await page.click('[data-testid=viz-occlude]');
  await page.waitForSelector('[data-testid=viz-occlusion]');
  assert.ok((await canvasSpan(page, 'viz-occlusion')) > 0);
  await shoot(page, 'understand-resnet20-1280', true);
  assert.deepEqual(errors, []);
  await page.close();
});
