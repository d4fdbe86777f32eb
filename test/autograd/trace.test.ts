import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ones, randn, tensor, zeros } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { enterModule, exitModule, isTracing, trace, traceOp, type TracedOp } from '../../src/autograd/trace.js';
import * as F from '../../src/ops/index.js';

const ops = (t: { ops: TracedOp[] }) => t.ops.map((o) => o.op);
const only = (t: { ops: TracedOp[] }): TracedOp => {
  assert.equal(t.ops.length, 1, `one traced op, got ${ops(t).join(', ')}`);
  return t.ops[0];
};

test('conv2d is traced once with resolved attributes, checked field by field', () => {
  const x = randn([1, 2, 9, 10]);
  const w = randn([4, 1, 3, 2]);
  const t = trace(() => F.conv2d(x, w, { stride: [2, 1], padding: 'same', dilation: [2, 1], groups: 2 }));
  const op = only(t);
  assert.equal(op.op, 'conv2d');
  assert.deepEqual(op.attrs.kernel, [3, 2]);
  assert.deepEqual(op.attrs.stride, [2, 1]);
  assert.deepEqual(op.attrs.dilation, [2, 1]);
  assert.equal(op.attrs.groups, 2);
  // 'same', by hand: H: out ⌈9/2⌉ = 5, total (5 − 1)·2 + 2·(3 − 1) + 1 − 9 = 4 -> 2, 2;
  // W: out 10, total 9 + 1·(2 − 1) + 1 − 10 = 1 -> 0 before, 1 after.
  assert.deepEqual(op.attrs.pads, [2, 2, 0, 1]);
  assert.deepEqual(Object.keys(op.attrs).sort(), ['dilation', 'groups', 'kernel', 'pads', 'stride']);
  assert.equal(op.inputs.length, 2, 'no bias given: only input and weight');
  assert.equal(op.inputs[0], x);
  assert.equal(op.inputs[1], w);
  assert.deepEqual(op.outputs, [t.result]);
  assert.deepEqual(t.result.shape, [1, 4, 5, 10]);
  assert.throws(() => ((op.attrs as Record<string, unknown>).groups = 3), TypeError, 'attrs are frozen');
  const b = zeros([4]);
  assert.deepEqual(only(trace(() => F.conv2d(x, w, { bias: b, groups: 2 }))).inputs, [x, w, b]);
});

test('maxPool2d and avgPool2d attributes, checked field by field', () => {
  const x = randn([1, 1, 7, 7]);
  const mp = only(trace(() => F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true })));
  assert.equal(mp.op, 'maxPool2d');
  assert.deepEqual(mp.attrs.kernel, [3, 3]);
  assert.deepEqual(mp.attrs.stride, [2, 2]);
  assert.deepEqual(mp.attrs.pads, [1, 1, 1, 1]);
  assert.deepEqual(mp.attrs.dilation, [1, 1]);
  assert.equal(mp.attrs.ceilMode, true);
  assert.equal(mp.attrs.countIncludePad, false);
  const def = only(trace(() => F.maxPool2d(x, { kernelSize: [2, 3] })));
  assert.deepEqual([def.attrs.kernel, def.attrs.stride, def.attrs.pads, def.attrs.ceilMode], [[2, 3], [2, 3], [0, 0, 0, 0], false]);
  const ap = only(trace(() => F.avgPool2d(x, { kernelSize: 3, stride: 1, padding: [1, 0], countIncludePad: false })));
  assert.equal(ap.op, 'avgPool2d');
  assert.deepEqual([ap.attrs.kernel, ap.attrs.stride, ap.attrs.pads, ap.attrs.dilation], [[3, 3], [1, 1], [1, 1, 0, 0], [1, 1]]);
  assert.equal(ap.attrs.countIncludePad, false);
  const withIdx = trace(() => F.maxPool2dWithIndices(x, { kernelSize: 2 }));
  const wi = only(withIdx);
  assert.deepEqual(wi.outputs, [withIdx.result.y, withIdx.result.indices], 'one op with both outputs');
});

test('every op is traced under noGrad too, once, and backward still works after a trace', () => {
  const w = randn([3, 2], { dtype: 'float64' }).requiresGrad_();
  const x = randn([4, 2], { dtype: 'float64' });
  const f = () => F.sum(F.relu(F.linear(x, w)));
  const g = trace(f);
  const n = trace(() => noGrad(f));
  assert.deepEqual(ops(g), ['linear', 'relu', 'sum']);
  assert.deepEqual(ops(n), ops(g));
  assert.equal(n.result.requiresGrad, false);
  g.result.backward();
  assert.deepEqual(w.grad!.shape, [3, 2]);
});

test('the attributes of the shape, activation, norm and reduction ops are resolved', () => {
  const x = randn([2, 3, 4, 4]);
  const cases: [string, () => unknown, Record<string, unknown>][] = [
    ['reshape', () => F.reshape(x, [2, -1]), { shape: [2, 48] }],
    ['reshape', () => F.flatten(x), { shape: [2, 48] }],
    ['permute', () => F.permute(x, [0, 2, 3, -3]), { perm: [0, 2, 3, 1] }],
    ['permute', () => F.transpose(x), { perm: [0, 1, 3, 2] }],
    ['concat', () => F.concat([x, x], -1), { axis: 3 }],
    ['slice', () => F.slice(x, [0, 1, -3], [null, 3, 4], [1, 1, 2]), { begin: [0, 1, 1, 0], end: [2, 3, 4, 4], step: [1, 1, 2, 1] }],
    ['pad', () => F.pad(x, [[1, 2]], 0.5), { pads: [[0, 0], [0, 0], [0, 0], [1, 2]], value: 0.5, mode: 'constant' }],
    ['pad', () => F.pad(x, [[1, 1]], { mode: 'reflect' }), { pads: [[0, 0], [0, 0], [0, 0], [1, 1]], value: 0, mode: 'reflect' }],
    ['softmax', () => F.softmax(x, -1), { axis: 3 }],
    ['logSoftmax', () => F.logSoftmax(x, 1), { axis: 1 }],
    ['leakyRelu', () => F.leakyRelu(x, 0.2), { negativeSlope: 0.2 }],
    ['elu', () => F.elu(x, 0.5), { alpha: 0.5 }],
    ['clamp', () => F.clamp(x, -1, 2), { min: -1, max: 2 }],
    ['localResponseNorm', () => F.localResponseNorm(x, { size: 3 }), { size: 3, alpha: 1e-4, beta: 0.75, k: 1 }],
    // Resolved for an exporter: the coordinate mode implied by alignCorners, the cubic and nearest defaults.
    ['interpolate', () => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }),
      { mode: 'bilinear', outH: 8, outW: 8, alignCorners: false, coordinateMode: 'half_pixel', cubicCoeff: -0.75, excludeOutside: false, nearestMode: 'floor', scales: null }],
    ['sum', () => F.sum(x, { axis: [-1, 2], keepdims: true }), { axes: [2, 3], keepDims: true }],
    ['mean', () => F.mean(x, { axis: 1 }), { axes: [1], keepDims: false }],
    ['max', () => F.max(x), { axes: [0, 1, 2, 3], keepDims: false }],
    ['matmul', () => F.matmul(x, x), { transA: false, transB: false }],
    ['cast', () => F.cast(x, 'float64'), { dtype: 'float64' }],
    ['cast', () => F.cast(x, 'int32'), { dtype: 'int32' }],
    ['dropout', () => F.dropout(x, { p: 0.3, training: false }), { p: 0.3, training: false }],
    ['dropout', () => F.dropout(x, { p: 0.3 }), { p: 0.3, training: true }],
    ['adaptiveAvgPool2d', () => F.adaptiveAvgPool2d(x, [2, 1]), { outputSize: [2, 1] }],
    ['globalAvgPool2d', () => F.globalAvgPool2d(x), { outputSize: [1, 1] }],
    ['globalMaxPool2d', () => F.globalMaxPool2d(x), { outputSize: [1, 1] }],
    ['argmax', () => F.argmax(x, -1, true), { axis: 3, keepDims: true }],
    ['argmin', () => F.argmin(x), { axis: null, keepDims: false }],
  ];
  for (const [name, fn, attrs] of cases) {
    const t = trace(fn);
    const op = only(t);
    assert.equal(op.op, name);
    assert.deepEqual({ ...op.attrs }, attrs, name);
    assert.equal(op.inputs[0], x, `${name}: the caller's tensor is the input`);
    assert.equal(op.outputs[0], t.result, `${name}: the returned tensor is the output`);
  }
});

test('batch norm is one op with its running statistics as inputs; the eval dropout outside a trace stays x itself', () => {
  const x = randn([2, 3, 2, 2]);
  const [rm, rv, w, b] = [zeros([3]), ones([3]), ones([3]), zeros([3])];
  const op = only(trace(() => F.batchNorm(x, rm, rv, { weight: w, bias: b, eps: 1e-3, momentum: 0.2 })));
  assert.deepEqual(op.inputs, [x, w, b, rm, rv]);
  assert.deepEqual({ ...op.attrs }, { eps: 1e-3, momentum: 0.2, training: false, hasWeight: true, hasBias: true, hasRunningStats: true });
  const noAffine = only(trace(() => F.batchNorm(x, rm, rv, { training: true })));
  assert.deepEqual(noAffine.inputs, [x, rm, rv]);
  assert.equal(noAffine.attrs.hasWeight, false);
  assert.equal(F.dropout(x, { training: false }), x);
  const traced = trace(() => F.dropout(x, { training: false }));
  assert.notEqual(traced.result, x, 'a traced identity gets its own output tensor');
  assert.equal(traced.result.data, x.data, 'sharing the data');
});

test('non-differentiable ops report through the tracer: comparisons, the condition of where, isNonFinite, argmax', () => {
  const a = tensor([1, 5, 3]);
  const t = trace(() => {
    const m = F.greater(a, 2);
    F.equal(a, a);
    F.isNonFinite(a);
    return F.argmax(F.where(m, a, 0));
  });
  assert.deepEqual(ops(t), ['greater', 'equal', 'isNonFinite', 'where', 'argmax']);
  const where = t.ops[3];
  assert.equal(where.inputs[0], t.ops[0].outputs[0], 'where takes the comparison as its condition input');
  assert.equal(where.inputs[1], a);
  assert.equal(t.ops[4].inputs[0], where.outputs[0]);
  assert.equal(t.result.data[0], 1);
});

test('composite ops appear as one op or as their public parts, never as both', () => {
  const x = randn([1, 2, 5]);
  const w = randn([3, 2, 3]);
  assert.deepEqual(ops(trace(() => F.conv1d(x, w))), ['reshape', 'reshape', 'conv2d', 'reshape']);
  assert.deepEqual(ops(trace(() => F.stack([x, x], 1))), ['reshape', 'reshape', 'concat']);
  assert.deepEqual(ops(trace(() => F.linear(randn([2, 4]), randn([3, 4]), zeros([3])))), ['linear']);
  const ct = only(trace(() => F.convTranspose2d(randn([1, 2, 3, 3]), randn([2, 3, 3, 3]), { stride: 2, padding: 1, outputPadding: 1 })));
  assert.equal(ct.op, 'convTranspose2d');
  assert.deepEqual({ ...ct.attrs }, { kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], dilation: [1, 1], groups: 1, transposed: true, outputPadding: [1, 1] });
  assert.deepEqual(ct.outputs[0].shape, [1, 3, 6, 6]);
});

test('module scopes nest; ops carry their innermost scope; a throwing call still closes its scope', () => {
  const parent = {};
  const child = {};
  const x = randn([2, 2]);
  const t = trace(() => {
    enterModule(parent, '', 'Net', [x]);
    const a = F.relu(x);
    enterModule(child, 'block', 'Block', [a]);
    const b = F.add(a, a);
    exitModule([b]);
    const c = F.neg(b);
    try {
      enterModule(child, 'bad', 'Bad', [c]);
      F.reshape(c, [3]);
    } catch {
      exitModule([]);
    }
    exitModule([c]);
    return c;
  });
  assert.deepEqual(ops(t), ['relu', 'add', 'neg']);
  const [net, block, bad] = t.calls;
  assert.deepEqual(t.calls.map((c) => c.path), ['', 'block', 'bad']);
  assert.equal(block.parent, net);
  assert.equal(bad.parent, net);
  assert.equal(net.parent, null);
  assert.deepEqual([net.firstOp, net.endOp, block.firstOp, block.endOp], [0, 3, 1, 2]);
  assert.deepEqual(t.ops.map((o) => o.scope), [net, block, net]);
  assert.deepEqual(block.outputs, [t.ops[1].outputs[0]]);
  assert.deepEqual(bad.outputs, []);
  assert.deepEqual(net.outputs, [t.result]);
});

test('traces nest and restore the outer tracer; nothing is recorded outside one', () => {
  assert.equal(isTracing(), false);
  traceOp('ghost', {}, [], []);
  enterModule({}, 'x', 'X', []);
  exitModule([]);
  const x = randn([3]);
  let inner: TracedOp[] = [];
  const outer = trace(() => {
    F.exp(x);
    inner = trace(() => F.log(x)).ops;
    assert.equal(isTracing(), true);
    return F.sin(x);
  });
  assert.deepEqual(ops({ ops: inner }), ['log']);
  assert.deepEqual(ops(outer), ['exp', 'sin']);
  assert.deepEqual(outer.ops.map((o) => o.index), [0, 1]);
  assert.equal(isTracing(), false);
  assert.throws(() => trace(() => F.reshape(x, [2])));
  assert.equal(isTracing(), false, 'a throwing fn restores the previous tracer');
});
