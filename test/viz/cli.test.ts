import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { cli } from '../cli/run.js';
import { readImage } from '../../src/data/image-node.js';
import { byName } from '../../src/viz/filters.js';
import { FIXTURES } from './ref.js';
import { parseMetricsLog } from '../../src/viz/curves.js';
import { assertPoints, assertWellFormed, charts, seriesData } from './svg-parse.js';

const dir = mkdtempSync(join(tmpdir(), 'viz-cli-'));
const png = (f: string) => PNG.sync.read(readFileSync(f));

test('receptive filter writes the filtered image; unknown kernels are refused listing the valid ones', () => {
  const out = join(dir, 'sx.png');
  const r = cli(['filter', FIXTURES + 'camera-64x128.png', '--kernel', 'sobelX', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const p = png(out);
  assert.deepEqual([p.width, p.height], [64, 128]);
  // The diverging map is white where the response is 0 and red where it is positive, blue where negative.
  const y = byName(readImage(FIXTURES + 'camera-64x128.png', { channels: 1 }), 'sobelX');
  let checked = 0;
  for (let i = 2 * 64; i < 126 * 64; i++) {
    if (Math.abs(y.data[i]) < 0.3) continue;
    const [red, , blue] = p.data.subarray(4 * i, 4 * i + 3);
    assert.equal(y.data[i] > 0, red > blue, `pixel ${i}`);
    checked++;
  }
  assert.ok(checked > 50);
  assert.equal(cli(['filter', FIXTURES + 'camera-64x128.png', '--kernel', 'hog', '--out', join(dir, 'h.png')]).code, 0);
  const bad = cli(['filter', FIXTURES + 'camera-64x128.png', '--kernel', 'sobelZ', '--out', join(dir, 'x.png')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown filter "sobelZ"; expected one of .*robinsonSW/);
});

let trained: string | null = null;
/** One small checkpoint for the tests below, trained once, with a metrics log every 2 steps. */
function checkpoint(): string {
  if (trained) return trained;
  const t = cli(['train', '--limit', '640', '--max-steps', '16', '--test-limit', '100', '--out', dir, '--no-progress', '--log', join(dir, 'metrics.jsonl'), '--log-every', '2']);
  assert.equal(t.code, 0, t.stderr);
  return (trained = join(dir, 'checkpoint.safetensors'));
}

test('receptive explain: every method on a checkpoint, and clear errors for a bad layer or target', () => {
  const ckpt = checkpoint();
  for (const method of ['featuremaps', 'gradcam', 'occlusion', 'saliency', 'deconvnet']) {
    const out = join(dir, `${method}.png`);
    const r = cli(['explain', ckpt, 'mnist:3', '--method', method, '--layer', 'features.4', '--out', out]);
    assert.equal(r.code, 0, `${method}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`wrote .*${method}\\.png`));
    const p = png(out);
    assert.ok(new Set(p.data).size > 10, `${method}: the picture is not blank`);
  }
  const bad = cli(['explain', ckpt, 'mnist:3', '--method', 'gradcam', '--layer', 'features.9', '--out', join(dir, 'x.png')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no module at path "features.9"; valid paths: .*features\.3/);
  const target = cli(['explain', ckpt, 'mnist:3', '--method', 'saliency', '--target', '10', '--out', join(dir, 'x.png')]);
  assert.equal(target.code, 1);
  assert.match(target.stderr, /target class 10 is outside \[0, 10\)/);
  const noLayer = cli(['explain', ckpt, 'mnist:3', '--method', 'deconvnet', '--out', join(dir, 'x.png')]);
  assert.match(noLayer.stderr, /needs --layer <path>; valid paths: features, features\.0/);
});

test('receptive train --log also draws the curves beside the log: the SVG polylines are the logged losses', () => {
  checkpoint();
  const records = parseMetricsLog(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
  const svg = readFileSync(join(dir, 'metrics.svg'), 'utf8');
  assertWellFormed(svg);
  const loss = seriesData(charts(svg)[0])['train loss (step)'];
  const want = records.filter((r) => r.type === 'step').map((r) => [r.step, r.loss as number] as [number, number]);
  assert.equal(want.length, 8);
  const ys = want.map((p) => p[1]);
  assertPoints(loss, want, [0.02, 1e-3 * (Math.max(...ys) - Math.min(...ys))], 'loss');
});

test('receptive report: one self-contained page with the summary, curves, accuracy, kernels, maps, top-9 patches and Grad-CAM', () => {
  const ckpt = checkpoint();
  const out = join(dir, 'report.html');
  const r = cli(['report', ckpt, '--out', out, '--limit', '200', '--samples', '2']);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  for (const h of ['Model summary', 'Training curves', 'Test accuracy', 'Kernels', 'Feature maps', 'Top-9 patches', 'Grad-CAM and occlusion']) assert.match(html, new RegExp(`<h2 id="[a-z0-9-]+">${h}</h2>`));
  // Self-contained: no script, stylesheet or image fetched from elsewhere.
  assert.doesNotMatch(html, /<script|<link|src="(?!data:image\/png;base64,)/);
  // Every image is a PNG that decodes; the inline SVGs are well formed.
  const imgs = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => PNG.sync.read(Buffer.from(m[1], 'base64')));
  // C1 and C3 kernels, the input and its two feature-map layers, 4 channels × 2 layers of patches, the Grad-CAM grid.
  assert.equal(imgs.length, 2 + 1 + 2 + 8 + 1);
  for (const svg of html.match(/<svg xmlns[\s\S]*?<\/svg>\n(?=<figcaption>)/g) ?? []) assertWellFormed(svg.trim());
  // The accuracy it states is the one eval measures on the same images.
  const ev = cli(['eval', ckpt, '--limit', '200']);
  const acc = /Test accuracy: ([\d.]+)%/.exec(ev.stdout)?.[1];
  assert.ok(acc, ev.stdout + ev.stderr);
  assert.match(html, new RegExp(`${acc.replace('.', '\\.')}% on the first 200 mnist test images`));
  // One summary row per module call: LeNet-5 has 15.
  assert.equal((html.match(/<table class="summary">[\s\S]*?<\/table>/)?.[0].match(/<tr>/g) ?? []).length, 1 + 15);
  const dirOut = cli(['report', ckpt, '--out', dir + '/', '--limit', '50', '--samples', '1']);
  assert.match(dirOut.stdout, /wrote .*report\.html/);
  const missing = cli(['report', join(dir, 'nope.safetensors')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.safetensors/);
});
