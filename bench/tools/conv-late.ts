// CPU time per call of the convolutions of ResNet-18's late stages at 32×32, batch 32
// (few spatial positions, many channels), forward and both gradients, with the
// weight changed before every call as in training (its packed layouts are rebuilt).
// node --conditions=source --import tsx bench/tools/conv-late.ts [reps] [threads] [auto|direct|winograd] [cached]
import { Tensor, RNG, randn } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setConvAlgorithm, setNumThreads, type ConvAlgorithm } from '../../src/backend/wasm/index.js';
import { conv2dInfo } from '../../src/ops/conv.js';

const [repsArg = '5', thr = '1', algorithm = 'auto', cached = ''] = process.argv.slice(2);
await enableWasmBackend();
setConvAlgorithm(algorithm as ConvAlgorithm);
setNumThreads(Number(thr));
const rng = new RNG(3);
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const shapes: [number, number, number, number, number][] = [
  // cin, H, cout, k, stride
  [512, 1, 512, 3, 1], [256, 2, 512, 3, 2], [256, 2, 256, 3, 1], [128, 4, 256, 3, 2], [256, 2, 512, 1, 2], [128, 4, 128, 3, 1], [64, 8, 128, 3, 2], [64, 8, 128, 1, 2], [128, 4, 256, 1, 2], [64, 8, 64, 3, 1],
];
for (const [C, H, M, k, s] of shapes) {
  const x = randn([32, C, H, H], { rng });
  const w = randn([M, C, k, k], { rng });
  const info = conv2dInfo('bench', x, w, { padding: k === 3 ? 1 : 0, stride: s });
  const dy = randn([32, M, info.outH, info.outW], { rng });
  const time = (f: () => void) => {
    f();
    const c0 = cpuMs();
    for (let i = 0; i < Number(repsArg); i++) {
      if (!cached) w.versionCounter.n++;
      f();
    }
    return (cpuMs() - c0) / Number(repsArg);
  };
  const fwd = time(() => kernel('Conv2D')(x, w, null, info));
  const bwd = time(() => kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: true }));
  const dwOnly = time(() => kernel('Conv2DBackprop')(x, w, dy, info, { input: false, filter: true }));
  const dxOnly = time(() => kernel('Conv2DBackprop')(x, w, dy, info, { input: true, filter: false }));
  console.log(`${C}x${H} -> ${M}x${info.outH} k${k} s${s}: fwd ${fwd.toFixed(2)}  dx ${dxOnly.toFixed(2)}  dw ${dwOnly.toFixed(2)}  both ${bwd.toFixed(2)} ms cpu`);
}
process.exit(0);
