// Child process of checkpoint-kill.test.ts: saves checkpoints of changing weights to one path until killed.
import { RNG } from '../../src/tensor/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { CHECKPOINT_FORMAT } from '../../src/train/index.js';
import { saveCheckpoint } from '../../src/train/checkpoint-node.js';

const target = process.argv[2];
const model = new LeNet5({ rng: new RNG(1) });
const opt = new Adam(model.parameters());
for (let step = 1; ; step++) {
  // Version `step` of the weights: every value encodes the step, so a torn mix is detectable.
  for (const p of model.parameters()) p.data.fill(step);
  saveCheckpoint(target, model, {
    format: CHECKPOINT_FORMAT,
    model: { name: 'lenet5', config: {} },
    training: { step, optimizer: opt.stateDict(), loader: { epoch: 0, batch: 0, rng: { s: [1, 2, 3, 4], spare: null } }, rng: { s: [1, 2, 3, 4], spare: null }, history: [] },
  });
  if (step === 1) process.stdout.write('saved\n');
}
