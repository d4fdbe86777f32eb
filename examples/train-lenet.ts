// Train LeNet-5 on MNIST with the library API (what `receptive train` does, in 30 lines).
// Run: node --import tsx examples/train-lenet.ts [trainImages] [epochs]
import { LeNet5, Adam, CosineAnnealingLR, DataLoader, normalize, fit, evaluate, losses, manualSeed, ready, RNG } from 'receptive';
import { loadMNIST } from 'receptive/node';

const limit = Number(process.argv[2] ?? 60_000);
const epochs = Number(process.argv[3] ?? 1);

await ready(); // the wasm backend (WebAssembly SIMD on all cores) where it runs, the reference backend otherwise
manualSeed(0);

const train = loadMNIST({ split: 'train', limit });
const test = loadMNIST({ split: 'test' });
const loader = new DataLoader(train.dataset(), { batchSize: 64, shuffle: true, seed: 0, transform: normalize() });
const model = new LeNet5({ rng: new RNG(0) });
const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
const scheduler = new CosineAnnealingLR(optimizer, epochs * loader.length);

fit({
  model, optimizer, scheduler, schedulerInterval: 'step', loss: losses.CrossEntropyLoss(), train: loader, epochs,
  callbacks: [{ onEpochEnd: (_ctx, e) => console.log(`epoch ${e.epoch + 1}: loss ${e.trainLoss.toFixed(4)}, accuracy ${(100 * e.trainAccuracy).toFixed(2)}%`) }],
});

const result = evaluate(model, new DataLoader(test.dataset(), { batchSize: 500, transform: normalize() }), losses.CrossEntropyLoss(), { numClasses: 10 });
console.log(`test accuracy ${(100 * result.accuracy).toFixed(2)}%`);
console.log(result.confusion.toString());
