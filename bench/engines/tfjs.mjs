// TensorFlow.js peers: tfjs-cpu (plain JS) and tfjs-wasm (XNNPACK, SIMD; one thread in Node).
// Usage: node bench/engines/tfjs.mjs <cpu|wasm> <conv[:a,b,...]|resnet224|resnet32|lenet>
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { parseWorkload, convData, convFlops, outSize, resnet18, seeded, time, checksum, report, nchwToNhwc, oihwToHwio } from '../common.mjs';

const [backend = 'cpu', arg = 'conv'] = process.argv.slice(2);
const { what, cases } = parseWorkload(arg);
// The wasm LeNet step, and the backward timings of (b) and (c), need a filter gradient:
// reference values from tfjs-cpu before switching.
const needShim = backend === 'wasm' && (what === 'lenet' || (what === 'conv' && cases.some(([name]) => name === 'b' || name === 'c')));
const dwRef = needShim ? await filterGradCheck('cpu') : null;
if (backend === 'wasm') {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
}
await tf.setBackend(backend);
await tf.ready();
// Timed first without the shim (what tfjs-wasm ships: no Conv2DBackpropFilter), then with it.
const conv2dBackpropFilter = (x, dy, c, pad) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [c.k, c.k, c.C, c.OC] });
if (dwRef && what === 'lenet') await checkShim();
async function checkShim() {
  registerWasmConv2DBackpropFilter();
  const got = await filterGradCheck('wasm');
  for (const [pad, ref] of Object.entries(dwRef)) {
    const err = ref.reduce((m, v, i) => Math.max(m, Math.abs(v - got[pad][i])), 0);
    if (!(err <= 1e-4)) throw new Error(`tfjs-wasm Conv2DBackpropFilter shim (pad ${pad}) differs from tfjs-cpu by ${err}`);
  }
  await tf.setBackend(backend);
}
const engine = `tfjs-${backend}${backend === 'wasm' ? ' 1 thr' : ''}`;
const results = {};
const slow = backend === 'cpu';

if (what === 'conv') {
  for (const [name, c] of cases) {
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
      if (dwRef && r.dw.error) {
        if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) await checkShim();
        r.dwShim = await time(() => tf.tidy(() => { conv2dBackpropFilter(x, dy, c, pad).dataSync(); }), { warm: 1, reps: 5 });
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
} else if (what === 'lenet') {
  // The same LeNet-5 and batch as engines/receptive.ts: conv 6@5×5 pad 2, ReLU, max pool 2,
  // conv 16@5×5, ReLU, max pool 2, dense 120, ReLU, 84, ReLU, 10; Adam lr 1e-3;
  // 64 seeded images in [0, 1), labels i % 10. With one channel NCHW and NHWC coincide.
  const B = 64;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 120, activation: 'relu' }),
      tf.layers.dense({ units: 84, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const x = tf.tensor4d(seeded(B * 28 * 28, 11).map((v) => (v + 1) / 2), [B, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 10), 'int32'), 10);
  const opt = tf.train.adam(1e-3);
  let loss = 0;
  const step = () => {
    const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
    loss = l.dataSync()[0];
    l.dispose();
  };
  // tfjs-cpu takes seconds per step: 1 warm-up and 3 timed steps.
  const t = await time(step, slow ? { warm: 1, reps: 3 } : { warm: 5, reps: Number(process.env.LENET_REPS ?? 30) });
  results.lenet = { ...t, imagesPerSec: (B * 1000) / t.ms, loss };
}
report(engine, results);

/**
 * tfjs-wasm ships no Conv2DBackpropFilter kernel. This one views x and dy as 5-D
 * (depth 1) and runs the backend's own Conv3DBackpropFilterV2. Checked only for
 * stride 1 ('same' and 'valid'), which is all LeNet-5 needs.
 */
function registerWasmConv2DBackpropFilter() {
  const reshape = tf.getKernel('Reshape', 'wasm').kernelFunc;
  const filter3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm').kernelFunc;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs: { x, dy }, backend, attrs: { strides, pad, dataFormat, filterShape } }) => {
      if (dataFormat !== 'NHWC' || (pad !== 'same' && pad !== 'valid')) throw new Error(`Conv2DBackpropFilter shim: unsupported ${dataFormat} / pad ${JSON.stringify(pad)}`);
      const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
      const to5 = (t) => reshape({ inputs: { x: t }, backend, attrs: { shape: [t.shape[0], 1, ...t.shape.slice(1)] } });
      const x5 = to5(x);
      const dy5 = to5(dy);
      const [kh, kw, cin, cout] = filterShape;
      const dw5 = filter3d({ inputs: { x: x5, dy: dy5 }, backend, attrs: { strides: [1, sh, sw], pad, filterShape: [1, kh, kw, cin, cout], dilations: [1, 1, 1] } });
      const dw = reshape({ inputs: { x: dw5 }, backend, attrs: { shape: filterShape } });
      // Each reshape took a reference on its input's data; give the temporary views back.
      for (const t of [x5, dy5, dw5]) backend.disposeData(t.dataId);
      return dw;
    },
  });
}

/** The 5×5 filter gradient of a small stride-1 convolution ('same' and 'valid') on the given backend. */
async function filterGradCheck(on) {
  await tf.setBackend(on);
  const out = {};
  for (const pad of ['same', 'valid']) {
    const o = pad === 'same' ? 9 : 5;
    out[pad] = tf.tidy(() => {
      const x = tf.tensor4d(seeded(2 * 9 * 9 * 3, 31), [2, 9, 9, 3]);
      const w = tf.tensor4d(seeded(5 * 5 * 3 * 4, 32), [5, 5, 3, 4]);
      const dy = tf.tensor4d(seeded(2 * o * o * 4, 33), [2, o, o, 4]);
      return tf.grad((ww) => tf.conv2d(x, ww, 1, pad).mul(dy).sum())(w).dataSync();
    });
  }
  return out;
}

function nchwFromOut(a, N, H, W, C) {
  const y = new Float32Array(a.length);
  for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) y[((n * C + c) * H + h) * W + w] = a[((n * H + h) * W + w) * C + c];
  return y;
}
