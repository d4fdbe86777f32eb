import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// Issue 12 #2: a minified bundle renames classes, so names in errors and summaries
// must come from each class's typeName, never from constructor.name.
test('a minified bundle keeps layer names in shape errors and summary rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'receptive-min-'));
  const entry = join(dir, 'entry.ts');
  const src = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
  writeFileSync(entry, `
    import { Conv2d, Sequential, ReLU, MaxPool2d, Flatten, Linear, zeros, summary } from ${JSON.stringify(src)};
    const net = new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }), new Flatten(), new Linear({ inFeatures: 8, outFeatures: 2 }));
    let message = '';
    try { net.call(zeros([1, 3, 6, 6])); } catch (e) { message = e.message; }
    export const result = { message, rows: summary(net, [1, 1, 6, 6]).rows.map((r) => r.type), className: Conv2d.name };
  `);
  const out = join(dir, 'bundle.mjs');
  await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'silent' });
  const { result } = await import(pathToFileURL(out).href);
  assert.notEqual(result.className, 'Conv2d', 'the bundle really renamed the class');
  assert.match(result.message, /Conv2d "0" input 0: expected \[N, 1, H, W\], got \[1, 3, 6, 6\]/);
  assert.deepEqual(result.rows, ['Sequential', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
});
