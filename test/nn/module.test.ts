import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, tensor, zeros, Tensor, randn } from '../../src/tensor/index.js';
import { Conv1d, ConvTranspose2d, Conv2d, Linear, Sequential, ReLU, Flatten, MaxPool2d, BatchNorm2d, Dropout, StateDictError, Module, kaimingNormal_, xavierUniform_, fans, skipInit } from '../../src/nn/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

function small() {
  const rng = new RNG(3);
  return new Sequential(new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, rng }), new BatchNorm2d({ numFeatures: 4 }), new ReLU(), new Flatten(), new Linear({ inFeatures: 4 * 4 * 4, outFeatures: 2, rng }));
}

test('namedParameters and stateDict use dotted paths in registration order', () => {
  const m = small();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias', '4.weight', '4.bias']);
  // PyTorch's order: each module's parameters, then its buffers, then its children; BatchNorm's buffers under torch's names.
  assert.deepEqual(Object.keys(m.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '4.weight', '4.bias']);
  const lenet = new LeNet5();
  assert.deepEqual(lenet.namedParameters().map(([n]) => n).slice(0, 3), ['features.0.weight', 'features.0.bias', 'features.3.weight']);
});

test('train() and eval() reach every child; apply visits children first', () => {
  const m = small();
  m.eval();
  assert.ok(m.namedModules().every(([, c]) => !c.training));
  m.train();
  assert.ok(m.namedModules().every(([, c]) => c.training));
  const seen: string[] = [];
  m.apply((c) => seen.push(c.path || '(root)'));
  assert.deepEqual(seen, ['0', '1', '2', '3', '4', '(root)']);
});

test('loadStateDict copies values and refuses bad dicts without touching the module', () => {
  const a = small();
  const b = small();
  b.parameters().forEach((p) => p.data.fill(0.5));
  a.loadStateDict(b.stateDict());
  assertClose(a.parameters()[0], b.parameters()[0]);
  const before = a.parameters().map((p) => Float32Array.from(p.data));
  const bad: Record<string, Tensor> = { ...b.stateDict() };
  delete bad['0.bias'];
  bad['extra.weight'] = zeros([1]);
  bad['4.weight'] = zeros([3, 3]);
  bad['1.weight'] = randn([4]);
  const err = assertThrowsWith(() => a.loadStateDict(bad), StateDictError, 'missing keys: 0.bias', 'unexpected keys: extra.weight', '4.weight expected [2, 64] got [3, 3]');
  assert.ok(err instanceof StateDictError);
  a.parameters().forEach((p, i) => assert.deepEqual(p.data, before[i], 'module unchanged after a refused load'));
});

test('shape errors from modules name the layer path', () => {
  const lenet = new LeNet5();
  const bad = zeros([8, 32, 10, 10]);
  assertThrowsWith(() => lenet.features.layers[3].call(bad), ShapeError, 'Conv2d "features.3" input 0: expected [N, 6, H, W], got [8, 32, 10, 10]');
  assertThrowsWith(() => lenet.call(zeros([2, 1, 32, 32])), ShapeError, 'LeNet5 "(root)" input 0: expected [N, 1, 28, 28], got [2, 1, 32, 32]');
  assertThrowsWith(() => lenet.classifier.layers[1].call(zeros([2, 300])), ShapeError, 'Linear "classifier.1" input 0: expected [N, 400], got [2, 300]');
});

test('toString shows the tree with constructor arguments', () => {
  const s = small().toString();
  assert.match(s, /\(0\): Conv2d\(1, 4, kernelSize=3/);
  assert.match(s, /\(4\): Linear\(inFeatures=64, outFeatures=2\)/);
});

test('dropout is identity in eval mode and seeded in training', () => {
  const x = randn([4, 100], { rng: new RNG(1) });
  const d1 = new Dropout({ p: 0.5, rng: new RNG(9) });
  const d2 = new Dropout({ p: 0.5, rng: new RNG(9) });
  assert.deepEqual(d1.call(x).data, d2.call(x).data);
  d1.eval();
  assert.deepEqual(d1.call(x).data, x.data);
});

test('initialisers: fan-in/out and the spread of He and Glorot draws', () => {
  const w = zeros([64, 32, 3, 3]);
  assert.deepEqual(fans(w), { fanIn: 288, fanOut: 576 });
  kaimingNormal_(w, { nonlinearity: 'relu', rng: new RNG(5) });
  const std = Math.sqrt(Array.from(w.data).reduce((s: number, v: number) => s + v * v, 0) / w.size);
  // He et al.: std = √(2 / fanIn); 18,432 draws put the sample std within 2%.
  assert.ok(Math.abs(std - Math.sqrt(2 / 288)) / Math.sqrt(2 / 288) < 0.02, `std ${std}`);
  const v = zeros([100, 200]);
  xavierUniform_(v, 1, new RNG(6));
  const bound = Math.sqrt(6 / 300);
  assert.ok(v.data.every((x) => Math.abs(x) <= bound));
  assert.ok(Math.max(...v.data) > 0.95 * bound);
});

test('Linear and Conv2d default init is U(±1/√fanIn), as PyTorch', () => {
  const l = new Linear({ inFeatures: 50, outFeatures: 10, rng: new RNG(2) });
  const b = 1 / Math.sqrt(50);
  assert.ok(l.weight.data.every((x) => Math.abs(x) <= b) && l.bias!.data.every((x) => Math.abs(x) <= b));
  assert.ok(Math.max(...l.weight.data) > 0.9 * b);
});

test('skipInit: layers built inside it keep zeros and draw nothing from their RNG; initialisers work again after', () => {
  const rng = new RNG(5);
  const before = rng.getState();
  const l = skipInit(() => new Linear({ inFeatures: 30, outFeatures: 4, rng }));
  const c = skipInit(() => kaimingNormal_(zeros([3, 2, 3, 3]), { rng }));
  assert.ok(l.weight.data.every((x) => x === 0) && l.bias!.data.every((x) => x === 0) && c.data.every((x) => x === 0));
  assert.deepEqual(rng.getState(), before);
  assert.throws(() => skipInit(() => { throw new Error('inner'); }), /inner/);
  // The flag is scoped: the same construction afterwards draws the same weights as a fresh stream.
  const again = new Linear({ inFeatures: 30, outFeatures: 4, rng });
  assert.deepEqual(again.weight.data, new Linear({ inFeatures: 30, outFeatures: 4, rng: new RNG(5) }).weight.data);
});

test('a user Module with registered children trains through autograd', () => {
  class Tiny extends Module {
    fc = this.registerModule('fc', new Linear({ inFeatures: 2, outFeatures: 1, rng: new RNG(1) }));
    forward(x: Tensor) {
      return this.fc.call(x);
    }
  }
  const m = new Tiny();
  const y = m.call(tensor([[1, 2]]));
  y.sum().backward();
  assertClose(m.fc.weight.grad!, [1, 2]);
  assertClose(m.fc.bias!.grad!, [1]);
  assert.equal(new MaxPool2d({ kernelSize: 2 }).path, '');
});

test('conv layers refuse bad channel counts and groups, naming the layer', () => {
  assertThrowsWith(() => new Conv2d({ inChannels: 0, outChannels: 4, kernelSize: 3 }), ArgumentError, 'Conv2d: inChannels must be a positive integer, got 0');
  assertThrowsWith(() => new Conv1d({ inChannels: 4, outChannels: 6, kernelSize: 3, groups: 4 }), ArgumentError, 'Conv1d: groups=4 must divide inChannels=4 and outChannels=6');
  assertThrowsWith(() => new Conv1d({ inChannels: 4, outChannels: 4, kernelSize: 0 }), ArgumentError, 'Conv1d: kernelSize must be a positive integer');
  assertThrowsWith(() => new ConvTranspose2d({ inChannels: 3, outChannels: 2.5, kernelSize: 2 }), ArgumentError, 'ConvTranspose2d: outChannels must be a positive integer, got 2.5');
});
