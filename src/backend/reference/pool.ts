import type { KernelSignatures, Pool2DInfo } from '../kernels.js';
import { empty } from './util.js';

/*
 * Pooling (Hung-yi Lee "CNN – Pooling Layer"; Zhonglei Wang "Pooling"): each
 * channel is pooled on its own, a window of kH×kW slides with the stride (windows
 * overlap when stride < window, as in AlexNet), and max pooling keeps the largest
 * value while average pooling keeps the mean. Padded positions never win a max.
 */
export const MaxPool2D: KernelSignatures['MaxPool2D'] = (x, p) => {
  const y = empty([p.batch, p.channels, p.outH, p.outW], x.dtype);
  const argmax = empty([p.batch, p.channels, p.outH, p.outW], 'int32');
  const X = x.data;
  const Y = y.data;
  const A = argmax.data;
  const inPlane = p.inH * p.inW;
  const outPlane = p.outH * p.outW;
  for (let nc = 0; nc < p.batch * p.channels; nc++) {
    const xo = nc * inPlane;
    const yo = nc * outPlane;
    for (let oh = 0; oh < p.outH; oh++) {
      for (let ow = 0; ow < p.outW; ow++) {
        let best = -Infinity;
        let where = -1;
        for (let kh = 0; kh < p.kH; kh++) {
          const ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH) continue;
          for (let kw = 0; kw < p.kW; kw++) {
            const iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW) continue;
            const v = X[xo + ih * p.inW + iw];
            // Strict '>' keeps the first maximum on ties; NaN wins so it is never hidden.
            if (v > best || where < 0 || (Number.isNaN(v) && !Number.isNaN(best))) {
              best = v;
              where = ih * p.inW + iw;
            }
          }
        }
        Y[yo + oh * p.outW + ow] = best;
        A[yo + oh * p.outW + ow] = where;
      }
    }
  }
  return { y, argmax };
};

/*
 * Max-pooling backward (Zhonglei Wang "Backpropagation for Max POOL"): only the
 * position that held the maximum affected the output, so δ is routed there (the
 * mask of the max) and every other position gets 0. Overlapping windows that
 * share a maximum add their δ.
 */
export const MaxPool2DGrad: KernelSignatures['MaxPool2DGrad'] = (dy, argmax, p) => {
  const dx = empty([p.batch, p.channels, p.inH, p.inW], dy.dtype);
  const DY = dy.data;
  const A = argmax.data;
  const DX = dx.data;
  const inPlane = p.inH * p.inW;
  const outPlane = p.outH * p.outW;
  for (let nc = 0; nc < p.batch * p.channels; nc++) {
    for (let o = 0; o < outPlane; o++) {
      const where = A[nc * outPlane + o];
      if (where >= 0) DX[nc * inPlane + where] += DY[nc * outPlane + o];
    }
  }
  return dx;
};

/** The window of output (oh, ow) clipped two ways: to the padded extent (for the divisor) and to the input. */
function windowOf(p: Pool2DInfo, oh: number, ow: number) {
  let h0 = oh * p.strideH - p.padTop;
  let w0 = ow * p.strideW - p.padLeft;
  let h1 = Math.min(h0 + p.kH, p.padH - p.padTop);
  let w1 = Math.min(w0 + p.kW, p.padW - p.padLeft);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, p.inH);
  w1 = Math.min(w1, p.inW);
  const count = p.countIncludePad ? padded : (h1 - h0) * (w1 - w0);
  return { h0, h1, w0, w1, count };
}

export const AvgPool2D: KernelSignatures['AvgPool2D'] = (x, p) => {
  const y = empty([p.batch, p.channels, p.outH, p.outW], x.dtype);
  const X = x.data;
  const Y = y.data;
  const inPlane = p.inH * p.inW;
  const outPlane = p.outH * p.outW;
  for (let nc = 0; nc < p.batch * p.channels; nc++) {
    for (let oh = 0; oh < p.outH; oh++) {
      for (let ow = 0; ow < p.outW; ow++) {
        const { h0, h1, w0, w1, count } = windowOf(p, oh, ow);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += X[nc * inPlane + ih * p.inW + iw];
        Y[nc * outPlane + oh * p.outW + ow] = count > 0 ? s / count : 0;
      }
    }
  }
  return y;
};

/*
 * Average-pooling backward (Zhonglei Wang "Backpropagation for average POOL"):
 * every position of a window contributed 1/count of the output, so δ is spread
 * evenly, δ ⊗ M with M a window of 1/count; overlapping windows add.
 */
export const AvgPool2DGrad: KernelSignatures['AvgPool2DGrad'] = (dy, p) => {
  const dx = empty([p.batch, p.channels, p.inH, p.inW], dy.dtype);
  const DY = dy.data;
  const DX = dx.data;
  const inPlane = p.inH * p.inW;
  const outPlane = p.outH * p.outW;
  for (let nc = 0; nc < p.batch * p.channels; nc++) {
    for (let oh = 0; oh < p.outH; oh++) {
      for (let ow = 0; ow < p.outW; ow++) {
        const { h0, h1, w0, w1, count } = windowOf(p, oh, ow);
        if (count === 0) continue;
        const g = DY[nc * outPlane + oh * p.outW + ow] / count;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) DX[nc * inPlane + ih * p.inW + iw] += g;
      }
    }
  }
  return dx;
};

/** Adaptive pooling bins, as PyTorch: bin i covers [floor(i·in/out), ceil((i+1)·in/out)). */
function bin(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.ceil(((i + 1) * inSize) / outSize)];
}

export const AdaptiveAvgPool2D: KernelSignatures['AdaptiveAvgPool2D'] = (x, { outH, outW }) => {
  const [N, C, H, W] = x.shape;
  const y = empty([N, C, outH, outW], x.dtype);
  for (let nc = 0; nc < N * C; nc++) {
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = bin(oh, H, outH);
      for (let ow = 0; ow < outW; ow++) {
        const [w0, w1] = bin(ow, W, outW);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x.data[nc * H * W + ih * W + iw];
        y.data[nc * outH * outW + oh * outW + ow] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
  return y;
};

export const AdaptiveAvgPool2DGrad: KernelSignatures['AdaptiveAvgPool2DGrad'] = (dy, { inH, inW }) => {
  const [N, C, outH, outW] = dy.shape;
  const dx = empty([N, C, inH, inW], dy.dtype);
  for (let nc = 0; nc < N * C; nc++) {
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = bin(oh, inH, outH);
      for (let ow = 0; ow < outW; ow++) {
        const [w0, w1] = bin(ow, inW, outW);
        const g = dy.data[nc * outH * outW + oh * outW + ow] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx.data[nc * inH * inW + ih * inW + iw] += g;
      }
    }
  }
  return dx;
};
