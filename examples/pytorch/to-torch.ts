// A Receptive ResNet-18 leaves for PyTorch and ONNX Runtime: a few SGD steps here, then its
// state dict as safetensors (torchvision's key names), the ONNX file, and an input with
// Receptive's logits so that the Python side can check it computes the same function.
// Run from the repository root:
//   node --conditions=source --import tsx examples/pytorch/to-torch.ts /tmp/rx
//   /usr/bin/python3 examples/pytorch/continue_in_torch.py /tmp/rx
//   node --conditions=source --import tsx examples/pytorch/from-torch.ts /tmp/rx
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RNG, SGD, createModel, crossEntropy, exportOnnx, noGrad, randn, ready, serializeSafetensors, tensor, type Tensor } from 'receptive';

const dir = process.argv[2] ?? 'pytorch-out';
mkdirSync(dir, { recursive: true });
await ready();

const rng = new RNG(0);
const model = createModel('resnet18', { numClasses: 10 }, rng);
const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
model.train();
// One labelled batch, fitted for a few steps (the loss falls).
const x = randn([8, 3, 64, 64], { rng });
const y = tensor(Array.from({ length: 8 }, () => rng.int(0, 10)), { dtype: 'int32' });
for (let step = 0; step < 3; step++) {
  const loss = crossEntropy(model.call(x) as Tensor, y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  console.log(`step ${step + 1}: loss ${loss.item().toFixed(4)}`);
}

model.eval();
const sd = model.stateDict();
// PyTorch keeps num_batches_tracked as int64.
const dtypes = Object.fromEntries(Object.keys(sd).filter((k) => k.endsWith('num_batches_tracked')).map((k) => [k, 'I64' as const]));
writeFileSync(join(dir, 'resnet18.safetensors'), serializeSafetensors(sd, { format: 'pt' }, { dtypes }));
const input = randn([2, 3, 64, 64], { rng: new RNG(1) });
const logits = noGrad(() => model.call(input)) as Tensor;
writeFileSync(join(dir, 'io.safetensors'), serializeSafetensors({ input, logits }));
writeFileSync(join(dir, 'resnet18.onnx'), exportOnnx(model, input, { dynamicBatch: true }));
console.log(`wrote ${dir}/resnet18.safetensors (${Object.keys(sd).length} tensors), resnet18.onnx, io.safetensors`);
