// Receptive on its wasm backend (or the reference backend with --backend reference).
// Usage: node --import tsx bench/engines/receptive.ts <conv[:a,b,...]|resnet224|resnet32|resnet50|lenet|resnet18train|resnet20train|vgg11train|googlenettrain> [threads]
// (resnet20train, vgg11train, googlenettrain, resnet50: the zoo's builders, bench/models.ts; see there for the shapes)
// (resnet18train: torchvision's ResNet-18 built from layers, bench/models.ts, at 3×32×32, batch 32, SGD momentum 0.9, train mode)
import { Tensor } from '../../src/tensor/index.js';
import { setBackend, kernel } from '../../src/backend/index.js';
import { enableWasmBackend, measureFmaPeak, setNumThreads, wasmInfo } from '../../src/backend/wasm/index.js';
import { conv2d, conv2dInfo } from '../../src/ops/conv.js';
import { resnetRunner } from '../resnet-runner.js';
// @ts-ignore: plain JS helper module
import { parseWorkload, convData, convFlops, outSize, seeded, time, timeEach, checksum, report } from '../common.mjs';

const [arg = 'conv', thr = '1', backend = 'wasm'] = process.argv.slice(2);
const { what, cases } = parseWorkload(arg) as { what: string; cases: [string, any][] };
if (backend === 'wasm') {
  if (!(await enableWasmBackend())) throw new Error('wasm backend unavailable');
  setNumThreads(Number(thr));
} else await setBackend(backend);
// BENCH_TAG names a second build of Receptive in the same run (run.mjs --before=DIR: the code before a change).
const engine = (backend === 'wasm' ? `receptive-wasm ${thr} thr` : `receptive-${backend}`) + (process.env.BENCH_TAG ? ` ${process.env.BENCH_TAG}` : '');
const results: Record<string, unknown> = { info: wasmInfo() };
if (backend === 'wasm' && what === 'conv' && cases.some(([name]) => name === 'a')) results.fmaPeakGflops = measureFmaPeak();

if (what === 'conv') {
  for (const [name, c] of cases) {
    const d = convData(c);
    const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]);
    const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
    const o = outSize(c);
    const dy = new Tensor(d.dy, [c.N, c.OC, o, o]);
    const info = conv2dInfo('bench', x, w, { padding: c.pad });
    let y: Tensor | null = null;
    const forward = () => { y = kernel('Conv2D')(x, w, null, info); };
    // (b), (c): the forward and backward calls alternate, so that backward / forward
    // (a target) compares the same moments of this shared machine.
    const t = name === 'b' || name === 'c'
      ? await timeEach({
        fwd: forward,
        dx: () => { kernel('Conv2DBackpropInput')(dy, w, info); },
        dw: () => { kernel('Conv2DBackpropFilter')(x, dy, info); },
        // Both gradients as a training step takes them (conv2d's backward): one call, δ copied in once.
        bwd: () => { kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true }); },
      }, { reps: 5 })
      : { fwd: await time(forward) };
    results[name] = { ...t, gflops: convFlops(c) / t.fwd.ms / 1e6, checksum: checksum(y!.data) };
  }
} else if (what === 'resnet50') {
  const { resnet50Inference } = await import('../models.js');
  const { run, x } = resnet50Inference();
  let out: Tensor | null = null;
  const t = await time(() => { out = run(x); }, { warm: 2, reps: 7 });
  results.resnet50 = { ...t, imagesPerSec: 1000 / t.ms, checksum: checksum(out!.data) };
} else if (what.startsWith('resnet') && !what.endsWith('train')) {
  const size = Number(what.slice(6));
  const run = resnetRunner(size);
  let out: Tensor | null = null;
  const t = await time(() => { out = run(); }, { warm: 2, reps: 7 });
  results[what] = { ...t, imagesPerSec: 1000 / t.ms, checksum: checksum(out!.data) };
} else if (what === 'lenet') {
  const { LeNet5 } = await import('../../src/models/lenet.js');
  const { Adam } = await import('../../src/optim/adam.js');
  const { crossEntropy } = await import('../../src/ops/loss.js');
  const { backward } = await import('../../src/autograd/index.js');
  const { RNG } = await import('../../src/tensor/index.js');
  const model = new LeNet5({ rng: new RNG(1) });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const B = 64;
  const x = new Tensor(seeded(B * 28 * 28, 11).map((v: number) => (v + 1) / 2), [B, 1, 28, 28]);
  const labels = new Int32Array(B).map((_, i) => i % 10);
  const target = new Tensor(labels, [B]);
  const step = () => {
    opt.zeroGrad();
    const loss = crossEntropy(model.call(x), target);
    backward(loss);
    opt.step();
  };
  const t = await time(step, { warm: 5, reps: Number(process.env.LENET_REPS ?? 30) });
  results.lenet = { ...t, imagesPerSec: (B * 1000) / t.ms };
} else if (what === 'resnet18train') {
  const { resnet18 } = await import('../models.js');
  const { SGD } = await import('../../src/optim/sgd.js');
  const { crossEntropy } = await import('../../src/ops/loss.js');
  const { backward } = await import('../../src/autograd/index.js');
  const B = 32;
  const model = resnet18(10);
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = new Tensor(seeded(B * 3 * 32 * 32, 11), [B, 3, 32, 32]);
  const target = new Tensor(new Int32Array(B).map((_, i) => i % 10), [B]);
  const step = () => {
    opt.zeroGrad();
    backward(crossEntropy(model.call(x), target));
    opt.step();
  };
  const t = await time(step, { warm: 2, reps: 7 });
  results.resnet18train = { ...t, imagesPerSec: (B * 1000) / t.ms };
} else if (what === 'resnet20train' || what === 'vgg11train' || what === 'googlenettrain') {
  const { trainWorkload } = await import('../models.js');
  const { SGD } = await import('../../src/optim/sgd.js');
  const { crossEntropy } = await import('../../src/ops/loss.js');
  const { backward } = await import('../../src/autograd/index.js');
  const { model, B, size } = trainWorkload(what);
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const x = new Tensor(seeded(B * 3 * size * size, 11), [B, 3, size, size]);
  const target = new Tensor(new Int32Array(B).map((_, i) => i % 10), [B]);
  const step = () => {
    opt.zeroGrad();
    backward(crossEntropy(model.call(x) as Tensor, target));
    opt.step();
  };
  const t = await time(step, { warm: 2, reps: 5 });
  results[what] = { ...t, imagesPerSec: (B * 1000) / t.ms };
}
report(engine, results);
