// Serving the exported file with ONNX Runtime (onnxruntime-node here; the same file runs in
// onnxruntime for Python, C++ or Triton's onnxruntime backend). dynamicBatch made the batch
// axis free, so a server can batch requests of any size.
// Run: node --conditions=source --import tsx examples/pytorch/serve-onnx.ts DIR   (after to-torch.ts DIR)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseSafetensors } from 'receptive';

const dir = process.argv[2] ?? 'pytorch-out';
const session = await ort.InferenceSession.create(join(dir, 'resnet18.onnx'), { graphOptimizationLevel: 'all' });
console.log(`inputs ${session.inputNames.join(', ')}, outputs ${session.outputNames.join(', ')}`);
const io = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'io.safetensors'))), 'io.safetensors').tensors;
// A batch of 4: the two saved images twice.
const plane = io.input.size;
const batch = new Float32Array(2 * plane);
batch.set(io.input.data, 0);
batch.set(io.input.data, plane);
const t0 = performance.now();
const { output } = await session.run({ input: new ort.Tensor('float32', batch, [4, ...io.input.shape.slice(1)]) });
console.log(`batch of ${output.dims[0]} in ${(performance.now() - t0).toFixed(1)} ms, logits ${output.dims.join('×')}`);
let worst = 0;
const got = output.data as Float32Array;
for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - io.logits.data[i % io.logits.size]));
console.log(`max |ONNX Runtime - Receptive| logits: ${worst.toExponential(2)}`);
if (worst > 1e-4) process.exit(1);
