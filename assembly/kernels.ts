// Receptive wasm kernels (AssemblyScript, compiled by scripts/build-wasm.mjs).
//
// Every export has the signature (args, tid, nth): `args` points to a block of
// i32/f32 arguments that the JS side wrote into linear memory, `tid` is this
// thread's index and `nth` the number of threads. Each kernel splits its work
// over OUTPUTS with a partition that does not depend on nth for the values it
// computes (fixed tiles, fixed summation order inside a tile), so any thread
// count gives bit-identical results. No allocation happens here: the JS side
// owns the heap and passes pointers.

import { madd } from './common';
export { prep, convdw, col2im } from './conv';
export { gemm, pack } from './gemm';
export { gemmn, rowdot } from './gemv';
export { unary, binary, rsum } from './elementwise';
export { wino_w, wino_in, wino_out, wino_dy, wino_dw } from './winograd';
export { chmoments, chdots, chaffine, lrn, lrngrad } from './norm';
export { convfew } from './direct';
export { sgd, adam, rmsprop } from './optim';
export { adaptavg, adaptavggrad, maxpool, maxpoolgrad, avgpool, avgpoolgrad } from './pool';
export { im2row, row2im, swap01, packg } from './rows';

/** 1 when relaxed-simd FMA was compiled in (the JS side reports it). */
export function has_relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** Peak probe: `iters` rounds of 12 independent f32x4 multiply-adds. Returns a checksum. */
export function fmapeak(iters: i32): f32 {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const x = f32x4.splat(1.0000001), y = f32x4.splat(0.9999999);
  for (let i = 0; i < iters; i++) {
    c0 = madd(x, y, c0); c1 = madd(x, y, c1); c2 = madd(x, y, c2); c3 = madd(x, y, c3);
    c4 = madd(x, y, c4); c5 = madd(x, y, c5); c6 = madd(x, y, c6); c7 = madd(x, y, c7);
    c8 = madd(x, y, c8); c9 = madd(x, y, c9); c10 = madd(x, y, c10); c11 = madd(x, y, c11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)), f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11))));
  return f32x4.extract_lane(s, 0);
}
