// Back from PyTorch: the weights that continue_in_torch.py trained, loaded into Receptive's
// resnet18 by torchvision's key names, give the logits PyTorch computed.
// Run: node --conditions=source --import tsx examples/pytorch/from-torch.ts DIR   (after the Python step)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel, noGrad, parseSafetensors, ready, type Tensor } from 'receptive';

const dir = process.argv[2] ?? 'pytorch-out';
await ready();
const file = join(dir, 'torch_trained.safetensors');
const { tensors } = parseSafetensors(new Uint8Array(readFileSync(file)), file);
const model = createModel('resnet18', { numClasses: 10 });
model.loadStateDict(tensors, { strict: true });
model.eval();
const io = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'torch_io.safetensors'))), 'torch_io.safetensors').tensors;
const logits = noGrad(() => model.call(io.input)) as Tensor;
let worst = 0;
for (let i = 0; i < logits.size; i++) worst = Math.max(worst, Math.abs(logits.data[i] - io.logits.data[i]));
console.log(`max |receptive - torch| logits after PyTorch training: ${worst.toExponential(2)}`);
if (worst > 1e-4) process.exit(1);
