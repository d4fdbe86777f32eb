// TensorFlow.js peers: tfjs-cpu (plain JS) and tfjs-wasm (XNNPACK, SIMD; one thread in Node).
// Usage: node bench/engines/tfjs.mjs <cpu|wasm> <conv|resnet224|resnet32>
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CONV_CASES, convData, convFlops, outSize, resnet18, seeded, time, checksum, report, nchwToNhwc, oihwToHwio } from '../common.mjs';

const [backend = 'cpu', what = 'conv'] = process.argv.slice(2);
if (backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
}
await tf.setBackend(backend);
await tf.ready();
const engine = `tfjs-${backend}${backend === 'wasm' ? ' 1 thr' : ''}`;
const results = {};
const slow = backend === 'cpu';

if (what === 'conv') {
  for (const [name, c] of Object.entries(CONV_CASES)) {
    const d = convData(c);
    const o = outSize(c);
    const x = tf.tensor4d(nchwToNhwc(d.x, c.N, c.C, c.H, c.W), [c.N, c.H, c.W, c.C]);
    const w = tf.tensor4d(oihwToHwio(d.w, c.OC, c.C, c.k), [c.k, c.k, c.C, c.OC]);
    const dy = tf.tensor4d(nchwToNhwc(d.dy, c.N, c.OC, o, o), [c.N, o, o, c.OC]);
    const pad = c.pad === 0 ? 'valid' : 'same';
    let last;
    const fwd = await time(() => tf.tidy(() => { last = tf.conv2d(x, w, 1, pad).dataSync(); }), slow ? { warm: 1, reps: 5 } : {});
    const r = { fwd, gflops: convFlops(c) / fwd.ms / 1e6, checksum: checksum(nchwFromOut(last, c.N, o, o, c.OC)) };
    if (!slow && (name === 'b' || name === 'c')) {
      r.dx = await time(() => tf.tidy(() => { tf.conv2dTranspose(dy, w, [c.N, c.H, c.W, c.C], 1, pad).dataSync(); }), { warm: 1, reps: 5 });
      try {
        r.dw = await time(() => tf.tidy(() => { tf.grad((ww) => tf.conv2d(x, ww, 1, pad).mul(dy).sum())(w).dataSync(); }), { warm: 1, reps: 5 });
      } catch (e) {
        r.dw = { error: String(e.message ?? e).slice(0, 120) };
      }
    }
    results[name] = r;
    tf.dispose([x, w, dy]);
  }
} else if (what.startsWith('resnet')) {
  const size = Number(what.slice(6));
  const steps = resnet18().map((s) => {
    if (s.op === 'conv') return { ...s, wt: tf.tensor4d(oihwToHwio(s.w, s.cout, s.cin, s.k), [s.k, s.k, s.cin, s.cout]), bt: tf.tensor1d(s.b) };
    if (s.op === 'fc') {
      const wT = new Float32Array(512 * 1000);
      for (let o = 0; o < 1000; o++) for (let i = 0; i < 512; i++) wT[i * 1000 + o] = s.w[o * 512 + i];
      return { ...s, wt: tf.tensor2d(wT, [512, 1000]), bt: tf.tensor1d(s.b) };
    }
    return s;
  });
  const input = tf.tensor4d(nchwToNhwc(seeded(3 * size * size, 7), 1, 3, size, size), [1, size, size, 3]);
  let sum = 0;
  const run = () => tf.tidy(() => {
    const v = { input };
    for (const s of steps) {
      if (s.op === 'conv') {
        v[s.y] = tf.fused.conv2d({ x: v[s.x], filter: s.wt, bias: s.bt, strides: s.s, pad: s.p === 0 ? 'valid' : [[0, 0], [s.p, s.p], [s.p, s.p], [0, 0]], activation: s.relu ? 'relu' : 'linear' });
      } else if (s.op === 'maxpool') v[s.y] = tf.maxPool(tf.pad(v[s.x], [[0, 0], [1, 1], [1, 1], [0, 0]], -Infinity), 3, 2, 'valid');
      else if (s.op === 'add') {
        const y = tf.add(v[s.a], v[s.b]);
        v[s.y] = s.relu ? tf.relu(y) : y;
      } else if (s.op === 'gap') v[s.y] = tf.mean(v[s.x], [1, 2]);
      else if (s.op === 'fc') v[s.y] = tf.add(tf.matMul(v[s.x], s.wt), s.bt);
    }
    sum = v.logits.dataSync();
  });
  const t = await time(run, slow ? { warm: 1, reps: 5 } : { warm: 2, reps: 7 });
  results[what] = { ...t, imagesPerSec: 1000 / t.ms, checksum: checksum(sum) };
}
report(engine, results);

function nchwFromOut(a, N, H, W, C) {
  const y = new Float32Array(a.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) y[((n * C + c) * H + h) * W + w] = a[((n * H + h) * W + w) * C + c];
  return y;
}
