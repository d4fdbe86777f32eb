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

test('receptive explain: every method on a checkpoint, and clear errors for a bad layer or target', () => {
  const t = cli(['train', '--limit', '640', '--max-steps', '10', '--test-limit', '100', '--out', dir, '--no-progress']);
  assert.equal(t.code, 0, t.stderr);
  const ckpt = join(dir, 'checkpoint.safetensors');
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
