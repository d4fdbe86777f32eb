// ONNX Runtime (onnxruntime-node, CPU execution provider) on graphs built here with protobufjs.
// Usage: node bench/engines/ort.mjs <threads> <conv[:a,b,...]|resnet224|resnet32>
import ort from 'onnxruntime-node';
import protobuf from 'protobufjs';
import { parseWorkload, convData, convFlops, outSize, resnet18, seeded, time, checksum, report } from '../common.mjs';

const [thr = '1', arg = 'conv'] = process.argv.slice(2);
const { what, cases } = parseWorkload(arg);

// The subset of onnx.proto (field numbers as in onnx/onnx.proto) these graphs need.
const root = protobuf.parse(`
syntax = "proto3";
package onnx;
message AttributeProto { string name = 1; float f = 2; int64 i = 3; bytes s = 4; repeated float floats = 7; repeated int64 ints = 8; int32 type = 20; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; repeated AttributeProto attribute = 5; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
message GraphProto { repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message TensorShapeProto { message Dimension { int64 dim_value = 1; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
`).root;
const Model = root.lookupType('onnx.ModelProto');
const INTS = 7, INT = 2;

const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
const init = (name, dims, data) => ({ name, dims, dataType: 1, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
const ints = (name, v) => ({ name, ints: v, type: INTS });
const int = (name, v) => ({ name, i: v, type: INT });

function modelBytes(nodes, inits, inputs, outputs) {
  const msg = Model.create({ irVersion: 8, producerName: 'receptive-bench', opsetImport: [{ domain: '', version: 13 }], graph: { name: 'g', node: nodes, initializer: inits, input: inputs, output: outputs } });
  return Model.encode(msg).finish();
}

const opts = { intraOpNumThreads: Number(thr), interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const engine = `onnxruntime-node ${thr} thr`;
const results = {};

if (what === 'conv') {
  for (const [name, c] of cases) {
    const d = convData(c);
    const o = outSize(c);
    const bytes = modelBytes(
      [{ input: ['x', 'w'], output: ['y'], opType: 'Conv', attribute: [ints('kernel_shape', [c.k, c.k]), ints('pads', [c.pad, c.pad, c.pad, c.pad]), ints('strides', [1, 1])] }],
      [init('w', [c.OC, c.C, c.k, c.k], d.w)],
      [vi('x', [c.N, c.C, c.H, c.W])],
      [vi('y', [c.N, c.OC, o, o])],
    );
    const session = await ort.InferenceSession.create(bytes, opts);
    const feeds = { x: new ort.Tensor('float32', d.x, [c.N, c.C, c.H, c.W]) };
    let last;
    const fwd = await time(async () => { last = (await session.run(feeds)).y.data; });
    results[name] = { fwd, gflops: convFlops(c) / fwd.ms / 1e6, checksum: checksum(last) };
  }
} else if (what.startsWith('resnet')) {
  const size = Number(what.slice(6));
  const nodes = [];
  const inits = [];
  for (const s of resnet18()) {
    if (s.op === 'conv') {
      inits.push(init(`${s.y}_w`, [s.cout, s.cin, s.k, s.k], s.w), init(`${s.y}_b`, [s.cout], s.b));
      const out = s.relu ? `${s.y}_pre` : s.y;
      nodes.push({ input: [s.x, `${s.y}_w`, `${s.y}_b`], output: [out], opType: 'Conv', attribute: [ints('kernel_shape', [s.k, s.k]), ints('pads', [s.p, s.p, s.p, s.p]), ints('strides', [s.s, s.s])] });
      if (s.relu) nodes.push({ input: [out], output: [s.y], opType: 'Relu' });
    } else if (s.op === 'maxpool') {
      nodes.push({ input: [s.x], output: [s.y], opType: 'MaxPool', attribute: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [2, 2])] });
    } else if (s.op === 'add') {
      nodes.push({ input: [s.a, s.b], output: [`${s.y}_pre`], opType: 'Add' }, { input: [`${s.y}_pre`], output: [s.y], opType: 'Relu' });
    } else if (s.op === 'gap') {
      nodes.push({ input: [s.x], output: [`${s.y}_4d`], opType: 'GlobalAveragePool' }, { input: [`${s.y}_4d`], output: [s.y], opType: 'Flatten', attribute: [int('axis', 1)] });
    } else if (s.op === 'fc') {
      inits.push(init('fc_w', [1000, 512], s.w), init('fc_b', [1000], s.b));
      nodes.push({ input: [s.x, 'fc_w', 'fc_b'], output: [s.y], opType: 'Gemm', attribute: [int('transB', 1)] });
    }
  }
  const bytes = modelBytes(nodes, inits, [vi('input', [1, 3, size, size])], [vi('logits', [1, 1000])]);
  const session = await ort.InferenceSession.create(bytes, opts);
  const feeds = { input: new ort.Tensor('float32', seeded(3 * size * size, 7), [1, 3, size, size]) };
  let last;
  const t = await time(async () => { last = (await session.run(feeds)).logits.data; }, { warm: 2, reps: 7 });
  results[what] = { ...t, imagesPerSec: 1000 / t.ms, checksum: checksum(last) };
}
report(engine, results);
