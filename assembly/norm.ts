// Per-channel kernels for batch normalisation (src/backend/wasm/norm.ts). x is
// [N, C, S]: plane (n, c) starts at (n·C + c)·S. Statistics are computed per
// channel by one thread, with float32x4 loads summed in float64 lanes, in a fixed
// order, so they do not depend on the thread count and keep float32 data's
// precision however long the channel.
import { arg, next } from './common';

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
