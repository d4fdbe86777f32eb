// Profile conv2d forward cases in isolation, wall and CPU time per call (CPU time is
// less disturbed by neighbours on a shared machine; on 1 thread it is the work done).
// node --conditions=source --import tsx bench/tools/profile.ts [threads] [cases] [rounds] [auto|direct|winograd]
import { Tensor } from '../../src/tensor/index.js';
import { kernel } from '../../src/backend/index.js';
import { enableWasmBackend, setConvAlgorithm, setNumThreads, type ConvAlgorithm } from '../../src/backend/wasm/index.js';
import { conv2dInfo } from '../../src/ops/conv.js';
// @ts-ignore: plain JS helper module
import { CONV_CASES, convData } from '../common.mjs';

const [thr = '1', which = 'a,b', rounds = '3', algorithm = 'auto'] = process.argv.slice(2);
await enableWasmBackend();
setConvAlgorithm(algorithm as ConvAlgorithm);
setNumThreads(Number(thr));
for (let round = 0; round < Number(rounds); round++) {
  const line: string[] = [];
  for (const name of which.split(',')) {
    const c = (CONV_CASES as any)[name];
    const d = convData(c);
    const x = new Tensor(d.x, [c.N, c.C, c.H, c.W]);
    const w = new Tensor(d.w, [c.OC, c.C, c.k, c.k]);
    const info = conv2dInfo('bench', x, w, { padding: c.pad });
    for (let i = 0; i < 5; i++) kernel('Conv2D')(x, w, null, info);
    const reps = 41;
    const ts: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      kernel('Conv2D')(x, w, null, info);
      ts.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    ts.sort((p, q) => p - q);
    line.push(`${name}: wall ${ts[reps >> 1].toFixed(3)} min ${ts[0].toFixed(3)} cpu ${((cpu.user + cpu.system) / 1000 / reps).toFixed(3)}`);
  }
  console.log(line.join('  |  '));
}
