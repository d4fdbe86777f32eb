// Per-channel kernels for batch normalisation (src/backend/wasm/norm.ts). x is
// [N, C, S]: plane (n, c) starts at (n·C + c)·S. Statistics are computed per
// channel by one thread, with float32x4 loads summed in float64 lanes, in a fixed
// order, so they do not depend on the thread count and keep float32 data's
// precision however long the channel.
import { arg, argf, next } from './common';

// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}
// @ts-ignore: decorator
@inline function hsum(a: v128, b: v128): f64 {
  const s = f64x2.add(a, b);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Σ over a plane of S floats at p of (x − m)^pow, pow 1 (m = 0) or 2. */
function planeSum(p: usize, S: i32, m: f32, squared: bool): f64 {
  let a = f64x2.splat(0), b = a;
  const mv = f32x4.splat(m);
  let i = 0;
  for (; i + 4 <= S; i += 4) {
    let v = f32x4.sub(v128.load(p + (<usize>i << 2)), mv);
    if (squared) v = f32x4.mul(v, v);
    a = f64x2.add(a, lo(v));
    b = f64x2.add(b, hi(v));
  }
  let s = hsum(a, b);
  for (; i < S; i++) {
    const t = load<f32>(p + (<usize>i << 2)) - m;
    s += squared ? <f64>(t * t) : <f64>t;
  }
  return s;
}

/** mean[c], biased var[c] of every channel, two passes. args: X, N, C, S, mean, var */
export function chmoments(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), N = arg(a, 1), C = arg(a, 2), S = arg(a, 3), mean = <usize>arg(a, 4), vr = <usize>arg(a, 5);
  const count = <f64>N * <f64>S;
  for (let c = next(a); c < C; c = next(a)) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += planeSum(X + ((<usize>(n * C + c) * <usize>S) << 2), S, 0, false);
    const m = <f32>(s / count);
    let q: f64 = 0;
    for (let n = 0; n < N; n++) q += planeSum(X + ((<usize>(n * C + c) * <usize>S) << 2), S, m, true);
    store<f32>(mean + (<usize>c << 2), m);
    store<f32>(vr + (<usize>c << 2), <f32>(q / count));
  }
}

/** sum[c] = Σ a, dot[c] = Σ a·(b − center[c]). args: A, B, N, C, S, center, sum, dot */
export function chdots(a: usize, tid: i32, nth: i32): void {
  const A = <usize>arg(a, 0), B = <usize>arg(a, 1), N = arg(a, 2), C = arg(a, 3), S = arg(a, 4);
  const center = <usize>arg(a, 5), sum = <usize>arg(a, 6), dot = <usize>arg(a, 7);
  for (let c = next(a); c < C; c = next(a)) {
    const m = load<f32>(center + (<usize>c << 2));
    const mv = f32x4.splat(m);
    let s0 = f64x2.splat(0), s1 = s0, d0 = s0, d1 = s0;
    let ss: f64 = 0, dd: f64 = 0;
    for (let n = 0; n < N; n++) {
      const o = (<usize>(n * C + c) * <usize>S) << 2;
      const pa = A + o, pb = B + o;
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        const u = v128.load(pa + (<usize>i << 2));
        const w = f32x4.mul(u, f32x4.sub(v128.load(pb + (<usize>i << 2)), mv));
        s0 = f64x2.add(s0, lo(u)); s1 = f64x2.add(s1, hi(u));
        d0 = f64x2.add(d0, lo(w)); d1 = f64x2.add(d1, hi(w));
      }
      for (; i < S; i++) {
        const u = load<f32>(pa + (<usize>i << 2));
        ss += <f64>u;
        dd += <f64>(u * (load<f32>(pb + (<usize>i << 2)) - m));
      }
    }
    store<f32>(sum + (<usize>c << 2), <f32>(hsum(s0, s1) + ss));
    store<f32>(dot + (<usize>c << 2), <f32>(hsum(d0, d1) + dd));
  }
}

/** Y = scale[c]·U + vScale[c]·V + shift[c] (V = 0: no V term). args: U, V, Y, N, C, S, scale, vScale, shift */
export function chaffine(a: usize, tid: i32, nth: i32): void {
  const U = <usize>arg(a, 0), V = <usize>arg(a, 1), Y = <usize>arg(a, 2), N = arg(a, 3), C = arg(a, 4), S = arg(a, 5);
  const scale = <usize>arg(a, 6), vScale = <usize>arg(a, 7), shift = <usize>arg(a, 8);
  for (let it = next(a); it < N * C; it = next(a)) {
    const c = it % C;
    const o = (<usize>it * <usize>S) << 2;
    const sa = load<f32>(scale + (<usize>c << 2)), sk = load<f32>(shift + (<usize>c << 2));
    const av = f32x4.splat(sa), kv = f32x4.splat(sk);
    const pu = U + o, py = Y + o;
    let i = 0;
    if (V != 0) {
      const sb = load<f32>(vScale + (<usize>c << 2));
      const bv = f32x4.splat(sb);
      const pv = V + o;
      for (; i + 4 <= S; i += 4) {
        const q = <usize>i << 2;
        v128.store(py + q, f32x4.add(f32x4.add(f32x4.mul(av, v128.load(pu + q)), f32x4.mul(bv, v128.load(pv + q))), kv));
      }
      for (; i < S; i++) {
        const q = <usize>i << 2;
        store<f32>(py + q, (sa * load<f32>(pu + q) + sb * load<f32>(pv + q)) + sk);
      }
    } else {
      for (; i + 4 <= S; i += 4) {
        const q = <usize>i << 2;
        v128.store(py + q, f32x4.add(f32x4.mul(av, v128.load(pu + q)), kv));
      }
      for (; i < S; i++) {
        const q = <usize>i << 2;
        store<f32>(py + q, sa * load<f32>(pu + q) + sk);
      }
    }
  }
}

// ---------------------------------------------------------------- local response norm
// Vectorised over 4 neighbouring positions of a plane; items are (n, block of 256
// positions); every channel's window is summed in the same order as the reference.

const LRN_BLOCK: i32 = 256;

/** scale^−β per lane: β = 0.75 and 0.5 with square roots (AlexNet's and GoogLeNet's), otherwise pow per lane. */
// @ts-ignore: decorator
@inline function powNeg(sc: v128, beta: f32): v128 {
  if (beta == 0.75) {
    const r = f32x4.sqrt(sc);
    return f32x4.div(f32x4.splat(1), f32x4.mul(r, f32x4.sqrt(r)));
  }
  if (beta == 0.5) return f32x4.div(f32x4.splat(1), f32x4.sqrt(sc));
  let v = f32x4.splat(Mathf.pow(f32x4.extract_lane(sc, 0), -beta));
  v = f32x4.replace_lane(v, 1, Mathf.pow(f32x4.extract_lane(sc, 1), -beta));
  v = f32x4.replace_lane(v, 2, Mathf.pow(f32x4.extract_lane(sc, 2), -beta));
  return f32x4.replace_lane(v, 3, Mathf.pow(f32x4.extract_lane(sc, 3), -beta));
}

/** Y = X·SC^−β, SC = k + α/size·Σ_window X². args: X, Y, SC, N, C, S, size, alpha, beta, k (f32 bits), scratch */
export function lrn(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), SC = <usize>arg(a, 2), N = arg(a, 3), C = arg(a, 4), S = arg(a, 5), size = arg(a, 6);
  const alpha = argf(a, 7), beta = argf(a, 8), kk = argf(a, 9);
  const tmp = <usize>arg(a, 10) + (<usize>tid << 6);
  const lo = size >> 1, hi = (size - 1) >> 1;
  const as = f32x4.splat(alpha / <f32>size), kv = f32x4.splat(kk);
  const nb = (S + LRN_BLOCK - 1) / LRN_BLOCK;
  const plane = <usize>S << 2;
  for (let it = next(a); it < N * nb; it = next(a)) {
    const n = it / nb, s0 = (it - n * nb) * LRN_BLOCK;
    const s1 = s0 + LRN_BLOCK < S ? s0 + LRN_BLOCK : S;
    const base = (<usize>n * <usize>C * <usize>S) << 2;
    for (let c = 0; c < C; c++) {
      const c0 = c - lo < 0 ? 0 : c - lo, c1 = c + hi > C - 1 ? C - 1 : c + hi;
      const pc = base + <usize>c * plane;
      for (let s = s0; s < s1; s += 4) {
        const o = <usize>s << 2;
        const full = s + 4 <= s1;
        // A partial vector at the end of the plane goes through a 4-float copy.
        let q = f32x4.splat(0);
        for (let j = c0; j <= c1; j++) {
          const p = X + base + <usize>j * plane + o;
          const v = full ? v128.load(p) : partial(p, s1 - s, tmp);
          q = f32x4.add(q, f32x4.mul(v, v));
        }
        const sc = f32x4.add(kv, f32x4.mul(as, q));
        const xv = full ? v128.load(X + pc + o) : partial(X + pc + o, s1 - s, tmp);
        const y = f32x4.mul(xv, powNeg(sc, beta));
        if (full) {
          v128.store(Y + pc + o, y);
          v128.store(SC + pc + o, sc);
        } else {
          storePartial(Y + pc + o, y, s1 - s);
          storePartial(SC + pc + o, sc, s1 - s);
        }
      }
    }
  }
}

/** DX = DY·SC^−β − 2αβ/size · X · Σ_window′ DY·Y/SC. args: DY, X, Y, SC, DX, N, C, S, size, alpha, beta, scratch */
export function lrngrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), X = <usize>arg(a, 1), Y = <usize>arg(a, 2), SC = <usize>arg(a, 3), DX = <usize>arg(a, 4);
  const N = arg(a, 5), C = arg(a, 6), S = arg(a, 7), size = arg(a, 8), alpha = argf(a, 9), beta = argf(a, 10);
  const tmp = <usize>arg(a, 11) + (<usize>tid << 6);
  const lo = size >> 1, hi = (size - 1) >> 1;
  const f = f32x4.splat((2 * alpha * beta) / <f32>size);
  const nb = (S + LRN_BLOCK - 1) / LRN_BLOCK;
  const plane = <usize>S << 2;
  for (let it = next(a); it < N * nb; it = next(a)) {
    const n = it / nb, s0 = (it - n * nb) * LRN_BLOCK;
    const s1 = s0 + LRN_BLOCK < S ? s0 + LRN_BLOCK : S;
    const base = (<usize>n * <usize>C * <usize>S) << 2;
    for (let c = 0; c < C; c++) {
      const c0 = c - hi < 0 ? 0 : c - hi, c1 = c + lo > C - 1 ? C - 1 : c + lo;
      const pc = base + <usize>c * plane;
      for (let s = s0; s < s1; s += 4) {
        const o = <usize>s << 2;
        const m = s1 - s;
        const full = m >= 4;
        let q = f32x4.splat(0);
        for (let j = c0; j <= c1; j++) {
          const p = base + <usize>j * plane + o;
          const d = full ? v128.load(DY + p) : partial(DY + p, m, tmp);
          const y = full ? v128.load(Y + p) : partial(Y + p, m, tmp);
          const sc = full ? v128.load(SC + p) : partialOnes(SC + p, m, tmp);
          q = f32x4.add(q, f32x4.div(f32x4.mul(d, y), sc));
        }
        const d = full ? v128.load(DY + pc + o) : partial(DY + pc + o, m, tmp);
        const sc = full ? v128.load(SC + pc + o) : partialOnes(SC + pc + o, m, tmp);
        const x = full ? v128.load(X + pc + o) : partial(X + pc + o, m, tmp);
        const dx = f32x4.sub(f32x4.mul(d, powNeg(sc, beta)), f32x4.mul(f, f32x4.mul(x, q)));
        if (full) v128.store(DX + pc + o, dx);
        else storePartial(DX + pc + o, dx, m);
      }
    }
  }
}

/** The first m (< 4) floats at p, the other lanes 0 (through the scratch at t). */
function partial(p: usize, m: i32, t: usize): v128 {
  v128.store(t, f32x4.splat(0));
  memory.copy(t, p, <usize>m << 2);
  return v128.load(t);
}

/** As partial, with the other lanes 1 (a divisor). */
function partialOnes(p: usize, m: i32, t: usize): v128 {
  v128.store(t, f32x4.splat(1));
  memory.copy(t, p, <usize>m << 2);
  return v128.load(t);
}

function storePartial(p: usize, v: v128, m: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (m > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (m > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
