import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, RNG, ShapeError, Tensor, randn, tensor } from '../../src/tensor/index.js';
import { add, concat, linear, relu } from '../../src/ops/index.js';
import {
  BatchNorm2d, Conv2d, Dropout, Flatten, Identity, Linear, LocalResponseNorm, MaxPool2d, Module, ModuleDict, ModuleList, ReLU, Sequential,
  StateDictError, moduleFromJSON, moduleToJSON, registerModuleForwardHook, registerModuleForwardPreHook, type AnyModule,
} from '../../src/nn/index.js';
import { gradcheck } from '../../src/autograd/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';

const rng = () => new RNG(7);

class TwoLayer extends Module {
  fc1 = new Linear({ inFeatures: 4, outFeatures: 3, rng: rng() });
  act = new ReLU();
  fc2 = new Linear({ inFeatures: 3, outFeatures: 2, rng: rng() });
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x)));
  }
}

test('a child assigned to a field is registered; replacing it changes forward, parameters and stateDict together', () => {
  const m = new TwoLayer();
  assert.deepEqual(Object.keys(m.stateDict()), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']);
  const head = new Linear({ inFeatures: 3, outFeatures: 5, rng: rng() });
  m.fc2 = head;
  assert.deepEqual(m.call(randn([2, 4])).shape, [2, 5]);
  assert.equal(m.stateDict()['fc2.weight'], head.weight);
  assert.equal(m.parameters().length, 4);
  assert.ok(m.parameters().includes(head.weight));
  // registerModule is the same thing: the field and the tree agree.
  const other = new Linear({ inFeatures: 3, outFeatures: 1, rng: rng() });
  m.registerModule('fc2', other);
  assert.equal(m.fc2, other);
  assert.deepEqual(m.call(randn([2, 4])).shape, [2, 1]);
  assert.equal(other.path, 'fc2');
});

test('a parameter property and the state dict are one: assigning conv.weight replaces the registered tensor', () => {
  const c = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 1, bias: false });
  (c as { weight: Tensor }).weight = tensor([[[[3]]]]);
  assert.equal(c.stateDict().weight.data[0], 3);
  assert.ok(c.weight.requiresGrad, 'an assigned parameter takes gradients');
  assert.deepEqual(c.call(tensor([[[[2]]]])).toFlatArray(), [6]);
  assertThrowsWith(() => ((c as unknown as { weight: unknown }).weight = [1]), ArgumentError, 'parameter "weight" must be a Tensor');
});

test('a module shared by two parents has its parameters listed once', () => {
  const shared = new Linear({ inFeatures: 2, outFeatures: 2, rng: rng() });
  const net = new Sequential(shared, new ReLU(), shared);
  assert.equal(net.parameters().length, 2);
  assert.deepEqual(net.namedModules().map(([p]) => p), ['', '0', '1']);
  assert.deepEqual(Object.keys(net.stateDict()), ['0.weight', '0.bias']);
});

test('forward pre-hooks and hooks run in order (global first), may replace inputs and outputs, and remove', () => {
  const m = new TwoLayer();
  const seen: string[] = [];
  const g = registerModuleForwardHook((mod) => void seen.push(`global ${mod.typeName}`));
  const pre = m.fc1.registerForwardPreHook((_mod, inputs) => {
    seen.push('pre fc1');
    return [(inputs[0] as Tensor).mul(0)];
  });
  const post = m.fc2.registerForwardHook((_mod, _inputs, out) => {
    seen.push('post fc2');
    return (out as Tensor).add(100);
  });
  const x = randn([1, 4]);
  const y = m.call(x);
  g.remove();
  // fc1 saw zeros, so y = fc2(relu(b1)) + 100.
  const expected = linear(relu(m.fc1.bias!.reshape([1, 3])), m.fc2.weight, m.fc2.bias).add(100);
  assertClose(y, expected);
  assert.deepEqual(seen.slice(0, 6), ['pre fc1', 'global Linear', 'global ReLU', 'global Linear', 'post fc2', 'global TwoLayer']);
  pre.remove();
  post.remove();
  const plain = m.call(x);
  assertClose(plain, m.fc2.call(m.act.call(m.fc1.call(x))));
  const preG = registerModuleForwardPreHook(() => {
    throw new Error('removed hooks must not run');
  });
  preG.remove();
  m.call(x);
});

test('modules may return several tensors as an array or a record', () => {
  class Heads extends Module<[Tensor], { logits: Tensor; box: Tensor }> {
    trunk = new Linear({ inFeatures: 4, outFeatures: 8, rng: rng() });
    cls = new Linear({ inFeatures: 8, outFeatures: 3, rng: rng() });
    box = new Linear({ inFeatures: 8, outFeatures: 4, rng: rng() });
    forward(x: Tensor) {
      const h = this.trunk.call(x).relu();
      return { logits: this.cls.call(h), box: this.box.call(h) };
    }
  }
  class Split extends Module<[Tensor, Tensor], Tensor[]> {
    forward(a: Tensor, b: Tensor): Tensor[] {
      return [concat([a, b], 1), add(a, b)];
    }
  }
  const out = new Heads().call(randn([2, 4]));
  assert.deepEqual([out.logits.shape, out.box.shape], [[2, 3], [2, 4]]);
  const [c, s] = new Split().call(tensor([[1, 2]]), tensor([[3, 4]]));
  assert.deepEqual([c.toFlatArray(), s.toFlatArray()], [[1, 2, 3, 4], [4, 6]]);
  const err = assertThrowsWith(() => new Split().call(tensor([1]), 5 as unknown as Tensor), ArgumentError, 'Split "(root)": input 1 must be a Tensor');
  assert.ok(err);
});

test('an error inside any forward names the innermost module, also from a functional op (a mis-shaped residual add)', () => {
  class Block extends Module {
    conv = new Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1 });
    forward(x: Tensor): Tensor {
      return add(this.conv.call(x), x);
    }
  }
  class Net extends Module {
    layer1 = new Sequential(new Block(), new Block());
    forward(x: Tensor): Tensor {
      return this.layer1.call(x);
    }
  }
  assertThrowsWith(() => new Net().call(randn([1, 3, 8, 8])), ShapeError, 'Block "layer1.0": add: expected shapes that broadcast', '[1, 4, 8, 8] and [1, 3, 8, 8]');
  const net = new Net();
  const err = assertThrowsWith(() => net.call(randn([1, 2, 8, 8])), ShapeError, 'Conv2d "layer1.0.conv" input 0: expected [N, 3, H, W], got [1, 2, 8, 8]');
  assert.ok(!err.message.includes('Block "layer1.0": Conv2d'), 'named once, by the innermost module');
  assert.ok(err.stack!.startsWith(`ShapeError: ${err.message}`), 'the stack shows the annotated message');
});

test('ModuleList and ModuleDict register their modules in order', () => {
  const list = new ModuleList([new Linear({ inFeatures: 2, outFeatures: 2 }), new ReLU()]);
  list.append(new Linear({ inFeatures: 2, outFeatures: 1 }));
  assert.equal(list.length, 3);
  assert.deepEqual([...list].map((m) => m.typeName), ['Linear', 'ReLU', 'Linear']);
  assert.equal(list.get(-1), list.get(2));
  assertThrowsWith(() => list.get(3), ArgumentError, 'index 3 is outside a list of 3 modules');
  assert.deepEqual(Object.keys(list.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
  const dict = new ModuleDict([['b', new Linear({ inFeatures: 1, outFeatures: 1 })], ['10', new Identity()], ['a', new Linear({ inFeatures: 1, outFeatures: 2 })]]);
  assert.deepEqual(dict.keys(), ['b', '10', 'a']);
  assert.deepEqual(Object.keys(dict.stateDict()), ['b.weight', 'b.bias', 'a.weight', 'a.bias']);
  assertThrowsWith(() => dict.get('c'), ArgumentError, 'no module "c" (keys: b, 10, a)');
  assertThrowsWith(() => list.call(), ArgumentError, 'a ModuleList has no forward');
});

test('every layer takes one config object, checked in the constructor; positional forms say how to write it', () => {
  const L = Linear as unknown as new (...a: unknown[]) => AnyModule;
  const C = Conv2d as unknown as new (...a: unknown[]) => AnyModule;
  const P = MaxPool2d as unknown as new (...a: unknown[]) => AnyModule;
  assertThrowsWith(() => new L(400, 120), ArgumentError, 'Linear: takes one config object, e.g. new Linear({ inFeatures: 400, outFeatures: 120 })');
  assertThrowsWith(() => new C(1, 6, 5), ArgumentError, 'Conv2d: takes one config object');
  assertThrowsWith(() => new P(2), ArgumentError, 'MaxPool2d: takes one config object, e.g. new MaxPool2d({ kernelSize: 2 })');
  assertThrowsWith(() => new C({ inChannels: 1, outChannels: 6, kernel_size: 5 }), ArgumentError, 'unknown option "kernel_size"');
  assertThrowsWith(() => new MaxPool2d({ kernelSize: 2, padding: 2 }), ArgumentError, 'MaxPool2d: padding 2 must be at most half the kernel 2');
  assertThrowsWith(() => new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, stride: 0 }), ArgumentError, 'Conv2d: stride must be an integer');
  assertThrowsWith(() => new BatchNorm2d({ numFeatures: 8, momentum: 2 }), ArgumentError, 'momentum must be a number in [0, 1]');
  assertThrowsWith(() => new Dropout({ p: 1 }), ArgumentError, 'Dropout: p must be in [0, 1)');
});

test('moduleToJSON / moduleFromJSON rebuild a model that computes the same function once its state dict is loaded', () => {
  const net = new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, rng: rng() }),
    new BatchNorm2d({ numFeatures: 4 }),
    new ReLU(),
    new LocalResponseNorm({ size: 3, k: 2 }),
    new MaxPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 4 * 4 * 4, outFeatures: 3, rng: rng() }),
  );
  net.train();
  net.call(randn([4, 1, 8, 8], { rng: rng() })); // move the running statistics away from their start
  const json = JSON.parse(JSON.stringify(moduleToJSON(net)));
  assert.deepEqual(json.children[0], { type: 'Conv2d', config: { inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 } });
  const copy = moduleFromJSON(json);
  copy.loadStateDict(net.stateDict());
  const x = randn([2, 1, 8, 8], { rng: new RNG(3) });
  assertClose(copy.predict(x), net.predict(x));
  assertThrowsWith(() => moduleFromJSON({ type: 'Conv3d' }), ArgumentError, 'unknown module type "Conv3d"');
});

test('freeze pins eval mode and stops gradients; train() on the parent leaves a frozen child alone', () => {
  const bn = new BatchNorm2d({ numFeatures: 2 });
  const net = new Sequential(new Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 1 }), bn);
  bn.freeze();
  net.train();
  assert.equal(bn.training, false);
  assert.equal(bn.weight!.requiresGrad, false);
  const before = Float32Array.from(bn.getBuffer('running_mean')!.data);
  net.call(randn([2, 1, 3, 3]).add(5));
  assert.deepEqual(bn.getBuffer('running_mean')!.data, before, 'frozen batch norm keeps its statistics');
  bn.unfreeze();
  net.train();
  assert.equal(bn.training, true);
});

test('to(float64) lets gradcheck check a user layer; predict restores the mode it found', () => {
  class Scale extends Module {
    lin = new Linear({ inFeatures: 3, outFeatures: 2, rng: rng() });
    forward(x: Tensor): Tensor {
      return this.lin.call(x).tanh();
    }
  }
  const m = new Scale().to('float64');
  assert.equal(m.lin.weight.dtype, 'float64');
  const x = randn([2, 3], { dtype: 'float64', rng: rng() });
  const r = gradcheck((w: Tensor) => {
    (m.lin as { weight: Tensor }).weight = w;
    return m.call(x);
  }, [m.lin.weight]);
  assert.ok(r.ok, `max relative error ${r.maxRelError}`);
  m.train();
  const y = m.predict(x);
  assert.equal(y.requiresGrad, false);
  assert.equal(m.training, true);
});

test('loadStateDict: remap renames incoming keys; a dict from another model lists the keys that differ', () => {
  const a = new TwoLayer();
  const b = new TwoLayer();
  b.parameters().forEach((p) => p.data.fill(0.25));
  const wrapped = Object.fromEntries(Object.entries(b.stateDict()).map(([k, v]) => [`module.${k}`, v]));
  a.loadStateDict(wrapped, { remap: { 'module.': '' } });
  assert.ok(a.fc1.weight.data.every((v) => v === 0.25));
  const other = new Sequential(new Linear({ inFeatures: 4, outFeatures: 3 }));
  const err = <StateDictError>assertThrowsWith(() => a.loadStateDict(other.stateDict()), StateDictError, 'missing keys: fc1.weight, fc1.bias, fc2.weight, fc2.bias', 'unexpected keys: 0.weight, 0.bias');
  assert.deepEqual(err.unexpected, ['0.weight', '0.bias']);
  const report = a.loadStateDict({ 'fc1.weight': b.fc1.weight }, { strict: false });
  assert.deepEqual(report.unexpected, []);
  assert.equal(report.missing.length, 3);
});

test('type names are stable class properties, not constructor names', () => {
  for (const m of [new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 1 }), new ReLU(), new Sequential(), new BatchNorm2d({ numFeatures: 1 })]) {
    assert.equal(m.typeName, (m.constructor as unknown as { typeName: string }).typeName);
  }
  class Mine extends Module {
    forward(x: Tensor) {
      return x;
    }
  }
  assert.equal(new Mine().typeName, 'Mine', 'a user class without a typeName is named by its constructor');
  class MyConv extends Conv2d {}
  assert.equal(new MyConv({ inChannels: 1, outChannels: 1, kernelSize: 1 }).typeName, 'MyConv', 'a subclass does not inherit its parent\'s name');
});
