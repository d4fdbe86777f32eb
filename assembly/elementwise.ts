import { arg, argf, madd, next } from './common';

/** Elements per work item of the elementwise kernels. */
const EW_BLOCK = 16384;

// ---------------------------------------------------------------- elementwise
// Single-threaded (memory bound). Shapes are merged by the JS side into at most 4
// axes d0..d3 (d3 innermost) with per-operand strides; the innermost stride of
// each operand is 0 (broadcast) or 1.

/** y = relu(x) (op 0: x > 0 ? x : 0) or step(x) (op 1: x > 0 ? 1 : 0). args: x, y, n, op */
export function unary(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), n = arg(a, 2), op = arg(a, 3);
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  // Items: fixed blocks of EW_BLOCK elements (a multiple of 4), any thread count.
  const blocks = (n + EW_BLOCK - 1) / EW_BLOCK;
  for (let b = next(a); b < blocks; b = next(a)) {
    let i = b * EW_BLOCK;
    const end = min(n, i + EW_BLOCK);
    if (op == 0) {
      for (; i + 4 <= end; i += 4) v128.store(Y + (<usize>i << 2), f32x4.pmax(zero, v128.load(X + (<usize>i << 2))));
      for (; i < end; i++) { const v = load<f32>(X + (<usize>i << 2)); store<f32>(Y + (<usize>i << 2), v > 0 ? v : 0); }
    } else {
      for (; i + 4 <= end; i += 4) v128.store(Y + (<usize>i << 2), v128.and(f32x4.gt(v128.load(X + (<usize>i << 2)), zero), one));
      for (; i < end; i++) { const v = load<f32>(X + (<usize>i << 2)); store<f32>(Y + (<usize>i << 2), v > 0 ? <f32>1 : <f32>0); }
    }
  }
}

// @ts-ignore: decorator
@inline function bop(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  if (op == 3) return f32x4.div(x, y);
  return v128.and(x, f32x4.gt(y, f32x4.splat(0))); // reluGrad: x where y > 0, else +0
}
// @ts-ignore: decorator
@inline function sop(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  if (op == 3) return x / y;
  return y > 0 ? x : 0;
}

/** One contiguous run of n outputs. */
// @ts-ignore: decorator
@inline function brun(op: i32, Y: usize, A: usize, ia: i32, B: usize, ib: i32, n: i32): void {
  let j = 0;
  if (ia == 1 && ib == 1) {
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, v128.load(A + o), v128.load(B + o))); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, load<f32>(A + o), load<f32>(B + o))); }
  } else if (ia == 1) {
    const bs = load<f32>(B), bv = f32x4.splat(bs);
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, v128.load(A + o), bv)); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, load<f32>(A + o), bs)); }
  } else if (ib == 1) {
    const as = load<f32>(A), av = f32x4.splat(as);
    for (; j + 4 <= n; j += 4) { const o = <usize>j << 2; v128.store(Y + o, bop(op, av, v128.load(B + o))); }
    for (; j < n; j++) { const o = <usize>j << 2; store<f32>(Y + o, sop(op, as, load<f32>(B + o))); }
  } else {
    const v = sop(op, load<f32>(A), load<f32>(B));
    for (; j < n; j++) store<f32>(Y + (<usize>j << 2), v);
  }
}

/** y = a (op) b with broadcasting. args: y, a, b, op, d0, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3 */
export function binary(a: usize, tid: i32, nth: i32): void {
  const Y = <usize>arg(a, 0), A = <usize>arg(a, 1), B = <usize>arg(a, 2), op = arg(a, 3);
  const d0 = arg(a, 4), d1 = arg(a, 5), d2 = arg(a, 6), d3 = arg(a, 7);
  const sa0 = arg(a, 8), sa1 = arg(a, 9), sa2 = arg(a, 10), sa3 = arg(a, 11);
  const sb0 = arg(a, 12), sb1 = arg(a, 13), sb2 = arg(a, 14), sb3 = arg(a, 15);
  // Items: (row i0·d1·d2 + i1·d2 + i2, piece of EW_BLOCK outputs of the row).
  const pieces = (d3 + EW_BLOCK - 1) / EW_BLOCK;
  const items = d0 * d1 * d2 * pieces;
  for (let it = next(a); it < items; it = next(a)) {
    const row = it / pieces, j0 = (it - row * pieces) * EW_BLOCK;
    const i2 = row % d2, i1 = (row / d2) % d1, i0 = row / (d1 * d2);
    const len = min(d3, j0 + EW_BLOCK) - j0;
    const y = Y + ((<usize>row * <usize>d3 + <usize>j0) << 2);
    const ao = A + (<usize>(i0 * sa0 + i1 * sa1 + i2 * sa2 + j0 * sa3) << 2);
    const bo = B + (<usize>(i0 * sb0 + i1 * sb1 + i2 * sb2 + j0 * sb3) << 2);
    if (op == 0) brun(0, y, ao, sa3, bo, sb3, len);
    else if (op == 1) brun(1, y, ao, sa3, bo, sb3, len);
    else if (op == 2) brun(2, y, ao, sa3, bo, sb3, len);
    else if (op == 3) brun(3, y, ao, sa3, bo, sb3, len);
    else brun(4, y, ao, sa3, bo, sb3, len);
  }
}

/**
 * Sum over axes, visiting x in flat order as the reference does (each output is a
 * sequential float32 sum). x is seen as d0×d1×d2×d3 (merged axes); os0..os3 are the
 * output strides (0 on summed axes); red3 says whether the innermost axis is summed.
 * args: x, y, d0, d1, d2, d3, os0, os1, os2, red3, ySize
 */
export function rsum(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), d0 = arg(a, 2), d1 = arg(a, 3), d2 = arg(a, 4), d3 = arg(a, 5);
  const os0 = arg(a, 6), os1 = arg(a, 7), os2 = arg(a, 8), red3 = arg(a, 9), ySize = arg(a, 10);
  memory.fill(Y, 0, <usize>ySize << 2);
  let x = X;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const y = Y + (<usize>(i0 * os0 + i1 * os1 + i2 * os2) << 2);
        if (red3) {
          let s = load<f32>(y);
          for (let j = 0; j < d3; j++) s += load<f32>(x + (<usize>j << 2));
          store<f32>(y, s);
        } else {
          let j = 0;
          for (; j + 4 <= d3; j += 4) { const o = <usize>j << 2; v128.store(y + o, f32x4.add(v128.load(y + o), v128.load(x + o))); }
          for (; j < d3; j++) { const o = <usize>j << 2; store<f32>(y + o, load<f32>(y + o) + load<f32>(x + o)); }
        }
        x += <usize>d3 << 2;
      }
    }
  }
}

// ---------------------------------------------------------------- row dots
