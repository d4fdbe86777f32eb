import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor, randn } from '../../src/tensor/index.js';
import { Sequential, Identity, LayerNorm, GroupNorm, InstanceNorm2d, Dropout2d, PixelShuffle, PixelUnshuffle, Module, moduleFromJSON, moduleToJSON } from '../../src/nn/index.js';
import { dropout2d, groupNorm, instanceNorm, layerNorm, pixelShuffle, pixelUnshuffle, sum, mul } from '../../src/ops/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

type Configurable = Module & { toConfig(): object };
type LayerClass = { typeName: string; new (c: never): Configurable };

const rng = new RNG(17);
/** A layer's parameters set to random values, so the affine part is exercised. */
function randomise(m: Module): Module {
  for (const p of m.parameters()) p.data.set(randn(p.shape, { rng }).data);
  return m;
}

test('forward equals the functional op with the layer\'s own parameters', () => {
  const x = randn([2, 6, 4, 4], { rng });
  const ln = randomise(new LayerNorm({ normalizedShape: [4, 4], eps: 1e-3 })) as LayerNorm;
  assertClose(ln.call(x), layerNorm(x, [4, 4], { weight: ln.weight, bias: ln.bias, eps: 1e-3 }), { atol: 0 });
  const gn = randomise(new GroupNorm({ numGroups: 3, numChannels: 6 })) as GroupNorm;
  assertClose(gn.call(x), groupNorm(x, 3, { weight: gn.weight, bias: gn.bias }), { atol: 0 });
  const inn = randomise(new InstanceNorm2d({ numFeatures: 6, affine: true })) as InstanceNorm2d;
  assertClose(inn.call(x), instanceNorm(x, { weight: inn.weight, bias: inn.bias }), { atol: 0 });
  // Unbatched [C, H, W] gives the same numbers as a batch of one.
  const one = inn.call(new Tensor(x.data.slice(0, 96), [6, 4, 4]));
  assert.deepEqual(one.shape, [6, 4, 4]);
  assertClose(one.data, instanceNorm(new Tensor(x.data.slice(0, 96), [1, 6, 4, 4]), { weight: inn.weight, bias: inn.bias }).data, { atol: 0 });
  assertClose(new PixelShuffle({ upscaleFactor: 2 }).call(randn([2, 8, 3, 3], { rng: new RNG(1) })), pixelShuffle(randn([2, 8, 3, 3], { rng: new RNG(1) }), 2), { atol: 0 });
  assertClose(new PixelUnshuffle({ downscaleFactor: 2 }).call(x), pixelUnshuffle(x, 2), { atol: 0 });
  const d = new Dropout2d({ p: 0.3, rng: new RNG(5) });
  assertClose(d.call(x), dropout2d(x, { p: 0.3, rng: new RNG(5) }), { atol: 0 });
  d.eval();
  assert.equal(d.call(x), x);
});

test('parameters are named and shaped as PyTorch\'s, with PyTorch\'s defaults (ones, zeros; InstanceNorm2d without affine)', () => {
  const names = (m: Module) => m.namedParameters().map(([n, p]) => `${n} [${p.shape.join(', ')}]`);
  assert.deepEqual(names(new LayerNorm({ normalizedShape: 5 })), ['weight [5]', 'bias [5]']);
  assert.deepEqual(names(new LayerNorm({ normalizedShape: [3, 4], elementwiseAffine: false })), []);
  assert.deepEqual(names(new GroupNorm({ numGroups: 2, numChannels: 6 })), ['weight [6]', 'bias [6]']);
  assert.deepEqual(names(new GroupNorm({ numGroups: 2, numChannels: 6, affine: false })), []);
  assert.deepEqual(names(new InstanceNorm2d({ numFeatures: 3 })), []);
  assert.deepEqual(names(new InstanceNorm2d({ numFeatures: 3, affine: true })), ['weight [3]', 'bias [3]']);
  const ln = new LayerNorm({ normalizedShape: 2 });
  assert.deepEqual(Array.from(ln.weight!.data), [1, 1]);
  assert.deepEqual(Array.from(ln.bias!.data), [0, 0]);
  // Gradients reach the parameters through the module.
  const gn = new GroupNorm({ numGroups: 1, numChannels: 2 });
  const x = randn([3, 2, 2], { rng });
  sum(mul(gn.call(x), randn([3, 2, 2], { rng }))).backward();
  assert.ok(gn.weight!.grad && gn.bias!.grad);
  assert.equal(InstanceNorm2d.typeName, 'InstanceNorm2d');
});

// toConfig holds what was given (defaults stay implicit, as the other layers'), without the rng.
const layers: [LayerClass, object, object][] = [
  [LayerNorm, { normalizedShape: [3, 2] }, { normalizedShape: [3, 2] }],
  [LayerNorm, { normalizedShape: 4, eps: 1e-3, elementwiseAffine: false }, { normalizedShape: 4, eps: 1e-3, elementwiseAffine: false }],
  [GroupNorm, { numGroups: 2, numChannels: 4 }, { numGroups: 2, numChannels: 4 }],
  [InstanceNorm2d, { numFeatures: 3, affine: true, eps: 0.01 }, { numFeatures: 3, affine: true, eps: 0.01 }],
  [Dropout2d, { p: 0.2, rng: new RNG(1) }, { p: 0.2 }],
  [Dropout2d, {}, {}],
  [PixelShuffle, { upscaleFactor: 3 }, { upscaleFactor: 3 }],
  [PixelUnshuffle, { downscaleFactor: 2 }, { downscaleFactor: 2 }],
];

for (const [Cls, config, expected] of layers) {
  test(`${Cls.typeName}: static typeName, toConfig is JSON-safe (no rng) and rebuilds the same layer`, () => {
    assert.equal(Cls.typeName, Cls.name);
    const m = new Cls(config as never);
    const c = m.toConfig();
    assert.deepEqual(c, expected);
    const json = JSON.parse(JSON.stringify(c)) as object;
    assert.deepEqual(json, c);
    assert.deepEqual(new Cls(json as never).toConfig(), c);
    // A copy: changing it leaves the layer alone.
    (c as Record<string, unknown>).eps = 123;
    assert.notEqual((m.toConfig() as Record<string, unknown>).eps, 123);
    // Registered for the JSON form of models: moduleFromJSON rebuilds it by typeName.
    const j = moduleToJSON(m);
    assert.equal(j.type, Cls.typeName);
    const back = moduleFromJSON(JSON.parse(JSON.stringify(j)));
    assert.ok(back instanceof Cls);
    assert.deepEqual(back.toConfig(), expected);
    assert.deepEqual(back.namedParameters().map(([n, p]) => [n, [...p.shape]]), m.namedParameters().map(([n, p]) => [n, [...p.shape]]));
  });
}

test('constructors refuse bad configs with the layer name and the field', () => {
  assertThrowsWith(() => new LayerNorm(5 as never), ArgumentError, 'LayerNorm', 'one config object', 'positional');
  assertThrowsWith(() => new (GroupNorm as unknown as new (...a: number[]) => GroupNorm)(2, 6), ArgumentError, 'GroupNorm', 'one config object', 'new GroupNorm({ numGroups: 8, numChannels: 64 })');
  assertThrowsWith(() => new LayerNorm({} as never), ArgumentError, 'LayerNorm', 'normalizedShape');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: [] }), ArgumentError, 'LayerNorm', 'normalizedShape');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: [3, 0] }), ArgumentError, 'LayerNorm', 'normalizedShape[1] must be a positive integer, got 0');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: 3, eps: -1 }), ArgumentError, 'LayerNorm', 'eps');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: 3, affine: true } as never), ArgumentError, 'LayerNorm', 'unknown option "affine"', 'elementwiseAffine');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: 3, elementwiseAffine: 'yes' as never }), ArgumentError, 'LayerNorm', 'elementwiseAffine must be true or false');
  assertThrowsWith(() => new GroupNorm({ numGroups: 4, numChannels: 6 }), ArgumentError, 'GroupNorm', 'numChannels (6) must be divisible by numGroups (4)');
  assertThrowsWith(() => new GroupNorm({ numGroups: 0, numChannels: 6 }), ArgumentError, 'GroupNorm', 'numGroups must be a positive integer');
  assertThrowsWith(() => new GroupNorm({ numChannels: 6 } as never), ArgumentError, 'GroupNorm', 'numGroups must be a positive integer, got undefined');
  assertThrowsWith(() => new InstanceNorm2d({ numFeatures: 2.5 }), ArgumentError, 'InstanceNorm2d', 'numFeatures');
  assertThrowsWith(() => new InstanceNorm2d({ numFeatures: 2, trackRunningStats: true } as never), ArgumentError, 'InstanceNorm2d', 'unknown option "trackRunningStats"');
  assertThrowsWith(() => new Dropout2d({ p: 1 }), ArgumentError, 'Dropout2d', 'p must be in [0, 1)');
  assertThrowsWith(() => new Dropout2d({ rng: 3 as never }), ArgumentError, 'Dropout2d', 'rng must be an RNG');
  assertThrowsWith(() => new PixelShuffle({ upscaleFactor: 0 }), ArgumentError, 'PixelShuffle', 'upscaleFactor');
  assertThrowsWith(() => new PixelUnshuffle({} as never), ArgumentError, 'PixelUnshuffle', 'downscaleFactor must be a positive integer');
});

test('forward shape errors name the layer and its path', () => {
  const net = new Sequential(new Identity(), new GroupNorm({ numGroups: 2, numChannels: 4 }));
  assertThrowsWith(() => net.call(randn([2, 6, 3, 3])), ShapeError, 'GroupNorm "1" input 0', '[N, 4, *, *]', '[2, 6, 3, 3]');
  assertThrowsWith(() => new LayerNorm({ normalizedShape: [3, 3] }).call(randn([2, 3, 4])), ShapeError, 'LayerNorm', '[*, 3, 3]', '[2, 3, 4]');
  assertThrowsWith(() => new InstanceNorm2d({ numFeatures: 3 }).call(randn([2, 4, 3, 3])), ShapeError, 'InstanceNorm2d', '[N, 3, H, W]');
  assertThrowsWith(() => new InstanceNorm2d({ numFeatures: 3 }).call(randn([2, 3, 3])), ShapeError, 'InstanceNorm2d', '[3, H, W]');
  assertThrowsWith(() => new PixelShuffle({ upscaleFactor: 2 }).call(randn([1, 6, 2, 2])), ShapeError, 'PixelShuffle', 'channels divisible by 4', '[1, 6, 2, 2]');
  assertThrowsWith(() => new PixelUnshuffle({ downscaleFactor: 2 }).call(randn([1, 1, 3, 4])), ShapeError, 'PixelUnshuffle', 'divisible by 2');
  assertThrowsWith(() => new Dropout2d().call(randn([2, 3])), ShapeError, 'Dropout2d', '[N, C, H, W]');
  // LayerNorm accepts an input of exactly normalizedShape (no leading axes), as PyTorch.
  assert.deepEqual(new LayerNorm({ normalizedShape: [2, 3] }).call(randn([2, 3])).shape, [2, 3]);
});
