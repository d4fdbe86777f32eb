// Pooling: max and average pooling with their gradients (any window, stride,
// padding and dilation), and adaptive average pooling (ResNet's and GoogLeNet's
// global pooling head) and its gradient. In adaptive pooling each plane is one work
// item, computed as the reference does
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

// @ts-ignore: decorator
@inline function gather4(xo: usize, base: i32, sW: i32): v128 {
  const b = xo + (<usize>base << 2);
  if (sW == 1) return v128.load(b);
  if (sW == 2) return v128.shuffle<f32>(v128.load(b), v128.load(b, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(b));
  v = f32x4.replace_lane(v, 1, load<f32>(b + (<usize>sW << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(b + (<usize>(2 * sW) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(b + (<usize>(3 * sW) << 2)));
}

export function maxpool(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), AM = <usize>arg(a, 2), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), dH = arg(a, 14), dW = arg(a, 15);
  // Columns whose whole window is inside the input: ow in [owA, owB).
  let owA = (pL + sW - 1) / sW;
  let owB = outW;
  while (owB > owA && (owB - 1) * sW - pL + (kW - 1) * dW >= inW) owB--;
  if (owA > owB) owA = owB;
  const lanes = i32x4(0, sW, 2 * sW, 3 * sW);
  for (let p = next(a); p < P; p = next(a)) {
    const xo = X + (<usize>p * inH * inW << 2);
    const yo = <usize>p * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      // Rows of the window inside the input: kh in [kh0, kh1).
      const ih0 = oh * sH - pT;
      let kh0 = 0;
      while (kh0 < kH && ih0 + kh0 * dH < 0) kh0++;
      let kh1 = kH;
      while (kh1 > kh0 && ih0 + (kh1 - 1) * dH >= inH) kh1--;
      let ow = 0;
      if (kh0 == 0 && kh1 == kH) {
        // SIMD: four outputs at a time over fully-inside windows.
        ow = owA;
        for (; ow + 4 <= owB; ow += 4) {
          const iw0 = ow * sW - pL;
          let base = ih0 * inW + iw0;
          let best = gather4(xo, base, sW);
          let where = i32x4.add(i32x4.splat(base), lanes);
          for (let kh = 0; kh < kH; kh++) {
            for (let kw = 0; kw < kW; kw++) {
              if (kh == 0 && kw == 0) continue;
              base = (ih0 + kh * dH) * inW + iw0 + kw * dW;
              const v = gather4(xo, base, sW);
              const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
              best = v128.bitselect(v, best, take);
              where = v128.bitselect(i32x4.add(i32x4.splat(base), lanes), where, take);
            }
          }
          const o = (yo + <usize>(oh * outW + ow)) << 2;
          v128.store(Y + o, best);
          v128.store(AM + o, where);
        }
        // Scalar for the rest of the row (edges and the last < 4 outputs).
        for (let j = 0; j < owA; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
        for (let j = ow; j < outW; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
      } else {
        for (let j = 0; j < outW; j++) maxpool1(xo, Y, AM, yo, oh, j, outW, inW, ih0, kh0, kh1, kW, sW, pL, dH, dW);
      }
    }
  }
}

/** One max-pooling output (any window, clipped to the input). */
function maxpool1(xo: usize, Y: usize, AM: usize, yo: usize, oh: i32, ow: i32, outW: i32, inW: i32, ih0: i32, kh0: i32, kh1: i32, kW: i32, sW: i32, pL: i32, dH: i32, dW: i32): void {
  const iw0 = ow * sW - pL;
  let kw0 = 0;
  while (kw0 < kW && iw0 + kw0 * dW < 0) kw0++;
  let kw1 = kW;
  while (kw1 > kw0 && iw0 + (kw1 - 1) * dW >= inW) kw1--;
  let best: f32 = -Infinity;
  let where = -1;
  // The first in-window value wins ties (strict >); NaN wins over any number.
  for (let kh = kh0; kh < kh1; kh++) {
    const ih = ih0 + kh * dH;
    for (let kw = kw0; kw < kw1; kw++) {
      const idx = ih * inW + iw0 + kw * dW;
      const v = load<f32>(xo + (<usize>idx << 2));
      if (v > best || where < 0 || (v != v && best == best)) {
        best = v;
        where = idx;
      }
    }
  }
  const o = (yo + <usize>(oh * outW + ow)) << 2;
  store<f32>(Y + o, best);
  store<i32>(AM + o, where);
}

export function maxpoolgrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), DX = <usize>arg(a, 1), AM = <usize>arg(a, 2), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7);
  const ip = inH * inW, op = outH * outW;
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * ip << 2);
    memory.fill(dx, 0, <usize>ip << 2);
    const base = <usize>p * op << 2;
    for (let o = 0; o < op; o++) {
      const w = load<i32>(AM + base + (<usize>o << 2));
      if (w >= 0) {
        const t = dx + (<usize>w << 2);
        store<f32>(t, load<f32>(t) + load<f32>(DY + base + (<usize>o << 2)));
      }
    }
  }
}

// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
// @ts-ignore: decorator
@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }

export function avgpool(a: usize, tid: i32, nth: i32): void {
  const X = <usize>arg(a, 0), Y = <usize>arg(a, 1), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), cip = arg(a, 16), padH = arg(a, 17), padW = arg(a, 18);
  for (let p = next(a); p < P; p = next(a)) {
    const xo = X + (<usize>p * inH * inW << 2);
    const yo = Y + (<usize>p * outH * outW << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pT, w0 = ow * sW - pL;
        let h1 = imin(h0 + kH, padH - pT), w1 = imin(w0 + kW, padW - pL);
        const padded = (h1 - h0) * (w1 - w0);
        h0 = imax(h0, 0); w0 = imax(w0, 0); h1 = imin(h1, inH); w1 = imin(w1, inW);
        const count = cip ? padded : (h1 - h0) * (w1 - w0);
        let s: f64 = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += <f64>load<f32>(xo + (<usize>(ih * inW + iw) << 2));
        store<f32>(yo + (<usize>(oh * outW + ow) << 2), count > 0 ? <f32>(s / <f64>count) : 0);
      }
    }
  }
}

export function avgpoolgrad(a: usize, tid: i32, nth: i32): void {
  const DY = <usize>arg(a, 0), DX = <usize>arg(a, 1), P = arg(a, 3), inH = arg(a, 4), inW = arg(a, 5);
  const outH = arg(a, 6), outW = arg(a, 7), kH = arg(a, 8), kW = arg(a, 9), sH = arg(a, 10), sW = arg(a, 11);
  const pT = arg(a, 12), pL = arg(a, 13), cip = arg(a, 16), padH = arg(a, 17), padW = arg(a, 18);
  for (let p = next(a); p < P; p = next(a)) {
    const dx = DX + (<usize>p * inH * inW << 2);
    const dy = DY + (<usize>p * outH * outW << 2);
    memory.fill(dx, 0, <usize>(inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        let h0 = oh * sH - pT, w0 = ow * sW - pL;
        let h1 = imin(h0 + kH, padH - pT), w1 = imin(w0 + kW, padW - pL);
        const padded = (h1 - h0) * (w1 - w0);
        h0 = imax(h0, 0); w0 = imax(w0, 0); h1 = imin(h1, inH); w1 = imin(w1, inW);
        const count = cip ? padded : (h1 - h0) * (w1 - w0);
        if (count == 0) continue;
        const gv = <f32>(<f64>load<f32>(dy + (<usize>(oh * outW + ow) << 2)) / <f64>count);
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) {
          const t = dx + (<usize>(ih * inW + iw) << 2);
          store<f32>(t, load<f32>(t) + gv);
        }
      }
    }
  }
}
