import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RNG, ReceptiveError, randn, type Tensor } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { ModelProto } from '../../src/io/onnx/proto.js';
import { importOnnx, tensorToProto } from '../../src/io/onnx/index.js';

function model(): Uint8Array {
  const rng = new RNG(1);
  const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
  return ModelProto.encode(ModelProto.fromObject({
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      node: [
        { op_type: 'Conv', input: ['x', 'w'], output: ['c'], attribute: [ints('pads', [1, 1, 1, 1])] },
        { op_type: 'MaxPool', input: ['c'], output: ['p'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
        { op_type: 'Reshape', input: ['p', 'shape'], output: ['r'] },
        { op_type: 'Softmax', input: ['r'], output: ['y'] },
      ],
      initializer: [tensorToProto(randn([2, 1, 3, 3], { rng }), 'w'), { ...tensorToProto(randn([2]).mul(0).add(-1), 'shape'), data_type: 7, raw_data: new Uint8Array(new BigInt64Array([1n, -1n]).buffer) }],
      input: [{ name: 'x' }],
      output: [{ name: 'y' }],
    },
  })).finish();
}

// Issue 14: the loaders raise only the library's typed errors on damaged files, never hang or crash.
test('importOnnx on thousands of truncated and mutated models raises only ReceptiveErrors', () => {
  const good = model();
  const x = randn([1, 1, 4, 4], { rng: new RNG(2) });
  assert.equal((noGrad(() => importOnnx(good).call(x)) as Tensor).size, 8, 'the unmutated model runs');
  const rng = new RNG(99);
  let typed = 0;
  let ran = 0;
  for (let i = 0; i < 3000; i++) {
    const b = Uint8Array.from(good);
    let bytes: Uint8Array;
    if (i % 3 === 0) bytes = b.subarray(0, rng.int(0, b.length));
    else {
      for (let k = rng.int(1, 4); k > 0; k--) b[rng.int(0, b.length)] = rng.int(0, 256);
      bytes = b;
    }
    try {
      const m = importOnnx(bytes);
      noGrad(() => m.call(x));
      ran++;
    } catch (e) {
      if (!(e instanceof ReceptiveError)) assert.fail(`case ${i}: ${(e as Error).stack}`);
      typed++;
    }
  }
  assert.ok(typed > 1000, `${typed} refused, ${ran} still ran`);
});
