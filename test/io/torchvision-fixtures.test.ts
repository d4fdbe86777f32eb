import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSafetensorsDType } from '../../src/io/index.js';

// models.json is written by scripts/torchvision_reference.py; this checks the file is whole and
// self-consistent (the zoo's tests compare the models against it).
const path = fileURLToPath(new URL('../fixtures/torchvision/models.json', import.meta.url));

interface ModelEntry {
  builder: string;
  kwargs: Record<string, unknown>;
  params: number;
  macs224: number;
  weightLayersLongestPath: number;
  keys: [string, number[], string, 'param' | 'buffer'][];
}

test('torchvision models.json: every model lists its state_dict keys, and its parameter keys sum to its count', () => {
  const { models } = JSON.parse(readFileSync(path, 'utf8')) as { models: Record<string, ModelEntry> };
  assert.ok(Object.keys(models).length >= 16, Object.keys(models).join(', '));
  for (const [id, m] of Object.entries(models)) {
    let params = 0;
    const names = new Set<string>();
    for (const [name, shape, dtype, kind] of m.keys) {
      assert.ok(!names.has(name), `${id}: ${name} twice`);
      names.add(name);
      assert.ok(isSafetensorsDType(dtype), `${id} ${name}: ${dtype}`);
      assert.ok(shape.every((d) => Number.isInteger(d) && d >= 0), `${id} ${name}`);
      if (kind === 'param') params += shape.reduce((a, b) => a * b, 1);
      else assert.match(name, /\.(running_mean|running_var|num_batches_tracked)$/, `${id}: buffer ${name}`);
      if (name.endsWith('num_batches_tracked')) assert.equal(dtype, 'I64', `${id} ${name}`);
    }
    assert.equal(params, m.params, id);
    assert.ok(Number.isSafeInteger(m.macs224) && m.macs224 > 0, id);
    assert.ok(Number.isInteger(m.weightLayersLongestPath) && m.weightLayersLongestPath > 0, id);
  }
});
