import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { FormatError, RNG, randn, type Tensor } from '../../src/tensor/index.js';
import { conv2d, relu, linear, flatten, mseLoss } from '../../src/ops/index.js';
import { ModelProto } from '../../src/io/onnx/proto.js';
import { importOnnx, OnnxError, tensorToProto } from '../../src/io/onnx/index.js';
import { SGD } from '../../src/optim/index.js';
import { assertClose, assertThrowsWith } from '../helpers.js';
import { ONNX_NODE_CASES, runAll } from './onnx-conformance.js';

/** A small ONNX model written with protobufjs: Conv -> Relu -> Flatten -> Gemm, weights as initializers. */
function tinyModel(w: Tensor, fcw: Tensor, fcb: Tensor, extraNode?: object): Uint8Array {
  const node = (op_type: string, input: string[], output: string[], attribute: object[] = [], name = op_type.toLowerCase()) => ({ op_type, input, output, attribute, name });
  const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny',
      node: [
        node('Conv', ['x', 'conv.weight'], ['c'], [ints('pads', [1, 1, 1, 1]), ints('kernel_shape', [3, 3])]),
        node('Relu', ['c'], ['r']),
        node('Flatten', ['r'], ['f']),
        node('Gemm', ['f', 'fc.weight', 'fc.bias'], ['y'], [{ name: 'transB', type: 2, i: 1 }]),
        ...(extraNode ? [extraNode] : []),
      ],
      initializer: [tensorToProto(w, 'conv.weight'), tensorToProto(fcw, 'fc.weight'), tensorToProto(fcb, 'fc.bias')],
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1 } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

function weights() {
  const rng = new RNG(5);
  return { w: randn([2, 1, 3, 3], { rng }), fcw: randn([3, 2 * 4 * 4], { rng }), fcb: randn([3], { rng }) };
}

test('importOnnx runs a graph as Receptive ops compute it, with initializers as parameters under their names', () => {
  const { w, fcw, fcb } = weights();
  const m = importOnnx(tinyModel(w, fcw, fcb));
  assert.deepEqual(Object.keys(m.stateDict()), ['conv.weight', 'fc.weight', 'fc.bias']);
  const x = randn([2, 1, 4, 4], { rng: new RNG(1) });
  const want = linear(flatten(relu(conv2d(x, w, { padding: 1 }))), fcw, fcb);
  assertClose(m.call(x) as Tensor, want);
});

test('an imported model trains: gradients reach its initializers and a few SGD steps lower the loss', () => {
  const { w, fcw, fcb } = weights();
  const m = importOnnx(tinyModel(w, fcw, fcb));
  const x = randn([8, 1, 4, 4], { rng: new RNG(2) });
  const target = randn([8, 3], { rng: new RNG(3) });
  const opt = new SGD(m.parameters(), { lr: 0.01 });
  const lossOf = () => mseLoss(m.call(x) as Tensor, target);
  const first = lossOf().item();
  for (let i = 0; i < 20; i++) {
    opt.zeroGrad();
    const l = lossOf();
    l.backward();
    opt.step();
  }
  assert.ok(m.getParameter('conv.weight')!.grad, 'the conv initializer received a gradient');
  assert.ok(lossOf().item() < first * 0.9, `loss ${first} -> ${lossOf().item()}`);
});

test('importOnnx refuses what it cannot run, naming the op, the node and the opset; broken files name the file', () => {
  const { w, fcw, fcb } = weights();
  const bad = tinyModel(w, fcw, fcb, { op_type: 'Einsum', input: ['y'], output: ['z'], name: 'mix' });
  assertThrowsWith(() => importOnnx(bad), OnnxError, 'ONNX node "mix" (Einsum, opset 13): the operator Einsum is not supported (supported: Abs, Add');
  const good = tinyModel(w, fcw, fcb);
  assertThrowsWith(() => importOnnx(good.subarray(0, good.length - 7), { file: 'cut.onnx' }), FormatError, 'cut.onnx: not a valid ONNX model');
  assertThrowsWith(() => importOnnx(new TextEncoder().encode('{"not": "onnx"}'), { file: 'x.json' }), FormatError, 'x.json');
  const m = importOnnx(good);
  assertThrowsWith(() => m.call(randn([1, 2, 4, 4])), OnnxError, 'ONNX node "conv" (Conv, opset 13)', 'expected');
});

test('ONNX operator conformance (Debian libonnx-testdata): no case of a supported op gives a wrong result', (t) => {
  if (!existsSync(ONNX_NODE_CASES)) return t.skip(`libonnx-testdata is not installed (${ONNX_NODE_CASES}); .ci/run installs it`);
  const results = runAll();
  const wrong = results.filter((r) => r.verdict === 'wrong');
  assert.deepEqual(wrong.map((r) => `${r.name}: ${r.detail}`), []);
  const pass = results.filter((r) => r.verdict === 'pass');
  const perOp = new Map<string, { pass: number; refused: number }>();
  for (const r of results.filter((r) => r.verdict !== 'unsupported-op')) {
    for (const op of r.ops) {
      const e = perOp.get(op) ?? { pass: 0, refused: 0 };
      e[r.verdict === 'pass' ? 'pass' : 'refused']++;
      perOp.set(op, e);
    }
  }
  t.diagnostic(`pass ${pass.length}, refused ${results.filter((r) => r.verdict === 'refused').length}, cases of unsupported ops ${results.filter((r) => r.verdict === 'unsupported-op').length}`);
  t.diagnostic([...perOp].sort().map(([op, e]) => `${op} ${e.pass}/${e.pass + e.refused}`).join(', '));
  // The count measured when this test was written (2026-12-03): a floor, so a regression shows.
  assert.ok(pass.length >= 366, `${pass.length} cases pass`);
});
