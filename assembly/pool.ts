// Adaptive average pooling (ResNet's and GoogLeNet's global pooling head) and its
// gradient. Each plane is one work item and is computed as the reference does
// (src/backend/reference/pool.ts): a float64 sum over the bin in row order, divided
// by the bin's size in float64, rounded once to float32; the gradient adds each
// share to a float32 result in the same (oh, ow) order. Same bits as the reference,
// for any thread count.

import { arg, next } from './common';

// @ts-ignore: decorator
@inline function lo(i: i32, n: i32, m: i32): i32 {
  return (i * n) / m;
}
// @ts-ignore: decorator
@inline function hi(i: i32, n: i32, m: i32): i32 {
  return ((i + 1) * n + m - 1) / m;
}

/** args: x, y, planes, H, W, outH, outW */
export function adaptavg(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), P = arg(a, 2), H = arg(a, 3), W = arg(a, 4), OH = arg(a, 5), OW = arg(a, 6);
  for (let p = next(a); p < P; p = next(a)) {
    const x = X + (<usize>p * <usize>(H * W) << 2);
    const y = Y + (<usize>p * <usize>(OH * OW) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = lo(oh, H, OH), h1 = hi(oh, H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = lo(ow, W, OW), w1 = hi(ow, W, OW);
        let s: f64 = 0;
        for (let ih = h0; ih < h1; ih++) {
          const r = x + (<usize>(ih * W) << 2);
          for (let iw = w0; iw < w1; iw++) s += <f64>load<f32>(r + (<usize>iw << 2));
        }
        store<f32>(y + (<usize>(oh * OW + ow) << 2), <f32>(s / <f64>((h1 - h0) * (w1 - w0))));
      }
    }
  }
}

/** args: dy, dx, planes, inH, inW, outH, outW */
export function adaptavggrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), DX = <usize>arg(a, 1), P = arg(a, 2), H = arg(a, 3), W = arg(a, 4), OH = arg(a, 5), OW = arg(a, 6);
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * <usize>(H * W) << 2);
    const dy = DY + (<usize>p * <usize>(OH * OW) << 2);
    memory.fill(dx, 0, <usize>(H * W) << 2);
    for (let oh = 0; oh < OH; oh++) {
      const h0 = lo(oh, H, OH), h1 = hi(oh, H, OH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = lo(ow, W, OW), w1 = hi(ow, W, OW);
        const g = <f64>load<f32>(dy + (<usize>(oh * OW + ow) << 2)) / <f64>((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) {
          const r = dx + (<usize>(ih * W) << 2);
          for (let iw = w0; iw < w1; iw++) {
            const q = r + (<usize>iw << 2);
            store<f32>(q, <f32>(<f64>load<f32>(q) + g));
          }
        }
      }
    }
  }
}
