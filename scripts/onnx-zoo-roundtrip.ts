/*
 * Every zoo model at its real size: export to ONNX, run in ONNX Runtime
 * (onnxruntime-node), re-import, and print the largest differences as the
 * Markdown rows of docs/interop.md's table. CI runs each family at reduced size
 * (test/io/onnx-export-zoo.test.ts); this is the full-size check.
 *
 *   nice -n 10 node --import tsx scripts/onnx-zoo-roundtrip.ts [name ...]
 *
 * Names are registry names; 'vgg:C' picks a VGG column, 'alexnet:original' the 2012 net.
 */
import { RNG, randn } from '../src/tensor/index.js';
import { createModel, getModelEntry, listModels } from '../src/models/index.js';
import { ortRoundTrip, calibrateBatchNorm } from '../test/io/ort-roundtrip.js';

const IMAGE_INPUT = new Set(['textcnn', 'charcnn']); // embedding models: token ids, see the refusal row

function plan(): [string, Record<string, unknown>, number[]][] {
  const out: [string, Record<string, unknown>, number[]][] = [];
  for (const name of listModels()) {
    const e = getModelEntry(name);
    for (const config of e.listConfigs ?? [{}]) out.push([name, config, e.inputShape]);
  }
  out.push(['alexnet', { variant: 'original' }, [1, 3, 227, 227]]);
  return out;
}

const label = (name: string, config: Record<string, unknown>) => [name, ...Object.values(config)].join(':');
const wanted = process.argv.slice(2);
const rows: string[] = [];
for (const [name, config, shape] of plan()) {
  const id = label(name, config);
  if (wanted.length && !wanted.includes(id) && !wanted.includes(name)) continue;
  if (IMAGE_INPUT.has(name)) continue;
  const t0 = Date.now();
  const model = createModel(name, config, new RNG(1));
  calibrateBatchNorm(model, randn([2, ...shape.slice(1)], { rng: new RNG(3) }));
  const params = model.parameters().reduce((s, t) => s + t.size, 0);
  const x = randn(shape, { rng: new RNG(2) });
  try {
    const r = await ortRoundTrip(model, x);
    const mb = (r.bytes.length / 2 ** 20).toFixed(1);
    rows.push(`| ${id} | ${shape.slice(1).join('×')} | ${(params / 1e6).toFixed(2)} M | ${mb} MB | ${r.ortMaxAbs.toExponential(2)} | ${r.ortRel.toExponential(2)} | ${r.reimportMaxAbs.toExponential(2)} |`);
  } catch (err) {
    rows.push(`| ${id} | ${shape.slice(1).join('×')} | ${(params / 1e6).toFixed(2)} M | — | failed: ${(err as Error).message.slice(0, 120)} | | |`);
  }
  console.log(rows[rows.length - 1], `(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
console.log('\n| model | input | parameters | file | max abs diff vs ORT | relative to output scale | max abs diff re-imported |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
