// Shared definitions for every engine: the conv cases, seeded data, the ResNet-18
// graph (batch norm folded into the convolutions, as inference engines run it),
// timing (median of the timed calls after warm-up: at least 5–7, more for fast cases) and the FLOP formula.
import { lockstep, turn, TURN_MS } from './lockstep.mjs';

export const CONV_CASES = {
  a: { N: 64, C: 1, H: 28, W: 28, OC: 6, k: 5, pad: 0, label: 'batch 64, 1×28×28 → 6, 5×5, no padding' },
  b: { N: 32, C: 3, H: 32, W: 32, OC: 64, k: 3, pad: 1, label: 'batch 32, 3×32×32 → 64, 3×3, pad 1' },
  c: { N: 8, C: 64, H: 56, W: 56, OC: 64, k: 3, pad: 1, label: 'batch 8, 64×56×56 → 64, 3×3, pad 1' },
  d: { N: 1, C: 256, H: 28, W: 28, OC: 256, k: 3, pad: 1, label: 'batch 1, 256×28×28 → 256, 3×3, pad 1' },
};

/** An engine's workload argument: 'conv' (all cases), 'conv:b' or 'conv:b,c' (those cases only), or another workload. */
export function parseWorkload(arg) {
  const [what, list] = arg.split(':');
  return { what, cases: Object.entries(CONV_CASES).filter(([name]) => !list || list.split(',').includes(name)) };
}

export function outSize(c) {
  return c.H + 2 * c.pad - c.k + 1;
}

/** 2·N·Cout·Hout·Wout·Cin/groups·Kh·Kw */
export function convFlops(c) {
  const o = outSize(c);
  return 2 * c.N * c.OC * o * o * c.C * c.k * c.k;
}

/** Seeded uniform values in [-1, 1) (mulberry32), the same for every engine. */
export function seeded(n, seed, scale = 1) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** NCHW → NHWC and OIHW → HWIO, for engines whose convolutions want channels last. */
export function nchwToNhwc(x, N, C, H, W) {
  const y = new Float32Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) y[((n * H + h) * W + w) * C + c] = x[((n * C + c) * H + h) * W + w];
  return y;
}
export function oihwToHwio(wt, O, I, K) {
  const y = new Float32Array(wt.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < K; h++) for (let w = 0; w < K; w++) y[((h * K + w) * I + i) * O + o] = wt[((o * I + i) * K + h) * K + w];
  return y;
}

export function convData(c) {
  const o = outSize(c);
  return {
    x: seeded(c.N * c.C * c.H * c.W, 1),
    w: seeded(c.OC * c.C * c.k * c.k, 2, 1 / Math.sqrt(c.C * c.k * c.k)),
    dy: seeded(c.N * c.OC * o * o, 3),
  };
}

/**
 * ResNet-18 (torchvision layout) as a list of steps over named values; every conv
 * carries its folded batch norm as a bias. Steps:
 *   { op: 'conv', x, y, cin, cout, k, s, p, relu, w, b }  { op: 'add', a, b, y, relu }
 *   { op: 'maxpool', x, y }  (3×3, stride 2, pad 1)  { op: 'gap', x, y }  { op: 'fc', x, y, w [1000, 512], b }
 */
export function resnet18() {
  const steps = [];
  let seed = 100;
  const conv = (x, y, cin, cout, k, s, p, relu) => {
    steps.push({ op: 'conv', x, y, cin, cout, k, s, p, relu, w: seeded(cout * cin * k * k, seed++, Math.sqrt(2 / (cin * k * k))), b: seeded(cout, seed++, 0.1) });
  };
  conv('input', 'c1', 3, 64, 7, 2, 3, true);
  steps.push({ op: 'maxpool', x: 'c1', y: 'p1' });
  let cur = 'p1';
  let cin = 64;
  let id = 0;
  for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
    for (let blk = 0; blk < 2; blk++) {
      const s = blk === 0 ? stride : 1;
      const t = `b${id++}`;
      conv(cur, `${t}a`, cin, cout, 3, s, 1, true);
      conv(`${t}a`, `${t}b`, cout, cout, 3, 1, 1, false);
      let skip = cur;
      if (s !== 1 || cin !== cout) {
        conv(cur, `${t}d`, cin, cout, 1, s, 0, false);
        skip = `${t}d`;
      }
      steps.push({ op: 'add', a: `${t}b`, b: skip, y: `${t}o`, relu: true });
      cur = `${t}o`;
      cin = cout;
    }
  }
  steps.push({ op: 'gap', x: cur, y: 'gap' });
  steps.push({ op: 'fc', x: 'gap', y: 'logits', w: seeded(1000 * 512, seed++, 1 / Math.sqrt(512)), b: seeded(1000, seed++, 0.01) });
  return steps;
}

/** Multiply-adds ×2 of ResNet-18's convolutions and fc at a given input size. */
export function resnetFlops(size) {
  let h = size;
  let total = 0;
  const sizes = { input: size };
  for (const st of resnet18()) {
    if (st.op === 'conv') {
      const hi = sizes[st.x];
      const ho = Math.floor((hi + 2 * st.p - st.k) / st.s) + 1;
      sizes[st.y] = ho;
      total += 2 * st.cout * ho * ho * st.cin * st.k * st.k;
    } else if (st.op === 'maxpool') sizes[st.y] = Math.floor((sizes[st.x] + 2 - 3) / 2) + 1;
    else if (st.op === 'add') sizes[st.y] = sizes[st.a];
    else if (st.op === 'gap') sizes[st.y] = 1;
    else if (st.op === 'fc') total += 2 * 512 * 1000;
  }
  void h;
  return total;
}

/**
 * Median (and minimum) of timed calls after `warm` untimed ones: at least `reps`
 * calls and, for fast cases, as many more as fit in `minMs` of this process's own
 * compute (up to 200), so that a few slow calls on this shared machine do not
 * decide the median; at most `maxMs`. In lockstep (bench/lockstep.mjs) the calls
 * are taken in turns of about TURN_MS, between which the other engines run.
 */
export async function time(fn, opts = {}) {
  return (await timeEach({ only: fn }, opts)).only;
}

/**
 * time() for several functions at once, their calls alternated (f, g, h, f, g, h, ...),
 * so that a ratio between them (backward over forward) is taken over the same
 * moments of the machine. Each gets at least `reps` calls and `minMs` of compute.
 */
export async function timeEach(fns, { warm = 3, reps = 7, minMs = 1500, maxMs = 20000 } = {}) {
  const names = Object.keys(fns);
  for (const n of names) for (let i = 0; i < warm; i++) await fns[n]();
  const ts = Object.fromEntries(names.map((n) => [n, []]));
  let own = 0; // ms computed by this process in its earlier turns since the timed calls began
  await turn();
  let turnStart = performance.now();
  for (let i = 0; i < 200; i++) {
    for (const n of names) {
      const t = performance.now();
      await fns[n]();
      ts[n].push(performance.now() - t);
    }
    const now = performance.now();
    if (i + 1 >= reps && own + now - turnStart > minMs * names.length) break;
    if (i >= 4 && own + now - turnStart > maxMs * names.length) break;
    if (lockstep && now - turnStart > TURN_MS) {
      own += now - turnStart;
      await turn();
      turnStart = performance.now();
    }
  }
  const out = {};
  for (const n of names) {
    const s = ts[n].sort((x, y) => x - y);
    out[n] = { ms: s[s.length >> 1], min: s[0], reps: s.length };
  }
  return out;
}

export function checksum(a) {
  let s = 0;
  for (let i = 0; i < a.length; i += 97) s += a[i];
  return s;
}

/** Print one engine's results as a JSON line for run.mjs, with this process's peak RSS (or a child's, given). */
export function report(engine, results, rssMB = process.resourceUsage().maxRSS / 1024) {
  process.stdout.write(`RESULT ${JSON.stringify({ engine, rssMB, results })}\n`);
}
