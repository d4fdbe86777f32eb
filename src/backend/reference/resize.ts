import type { KernelSignatures, ResizeInfo } from '../kernels.js';
import { empty } from './util.js';

/*
 * Upsampling (Hung-yi Lee "Unpooling"/"Upsampling"): nearest repeats each value
 * ("the same value repeated"); bilinear interpolates between the four nearest
 * inputs. Source coordinates follow PyTorch: with alignCorners the corner pixels
 * of input and output coincide, otherwise pixel centres are aligned.
 */
function nearestSrc(o: number, inSize: number, outSize: number): number {
  return Math.min(Math.floor((o * inSize) / outSize), inSize - 1);
}

export const ResizeNearest: KernelSignatures['ResizeNearest'] = (x, r) => {
  const y = empty([r.batch, r.channels, r.outH, r.outW], x.dtype);
  for (let nc = 0; nc < r.batch * r.channels; nc++) {
    for (let oh = 0; oh < r.outH; oh++) {
      const ih = nearestSrc(oh, r.inH, r.outH);
      for (let ow = 0; ow < r.outW; ow++) {
        y.data[(nc * r.outH + oh) * r.outW + ow] = x.data[(nc * r.inH + ih) * r.inW + nearestSrc(ow, r.inW, r.outW)];
      }
    }
  }
  return y;
};

export const ResizeNearestGrad: KernelSignatures['ResizeNearestGrad'] = (dy, r) => {
  const dx = empty([r.batch, r.channels, r.inH, r.inW], dy.dtype);
  for (let nc = 0; nc < r.batch * r.channels; nc++) {
    for (let oh = 0; oh < r.outH; oh++) {
      const ih = nearestSrc(oh, r.inH, r.outH);
      for (let ow = 0; ow < r.outW; ow++) {
        dx.data[(nc * r.inH + ih) * r.inW + nearestSrc(ow, r.inW, r.outW)] += dy.data[(nc * r.outH + oh) * r.outW + ow];
      }
    }
  }
  return dx;
};

/** Source index pair and weight of the second one, for one output coordinate. */
function linearSrc(o: number, inSize: number, outSize: number, alignCorners: boolean): [number, number, number] {
  let src: number;
  if (alignCorners) src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
  else src = Math.max(0, ((o + 0.5) * inSize) / outSize - 0.5);
  const i0 = Math.min(Math.floor(src), inSize - 1);
  const i1 = Math.min(i0 + 1, inSize - 1);
  return [i0, i1, src - i0];
}

function bilinear(r: ResizeInfo, visit: (nc: number, o: number, idx: [number, number, number, number], wts: [number, number, number, number]) => void): void {
  for (let nc = 0; nc < r.batch * r.channels; nc++) {
    for (let oh = 0; oh < r.outH; oh++) {
      const [h0, h1, lh] = linearSrc(oh, r.inH, r.outH, r.alignCorners);
      for (let ow = 0; ow < r.outW; ow++) {
        const [w0, w1, lw] = linearSrc(ow, r.inW, r.outW, r.alignCorners);
        const base = nc * r.inH * r.inW;
        visit(
          nc,
          (nc * r.outH + oh) * r.outW + ow,
          [base + h0 * r.inW + w0, base + h0 * r.inW + w1, base + h1 * r.inW + w0, base + h1 * r.inW + w1],
          [(1 - lh) * (1 - lw), (1 - lh) * lw, lh * (1 - lw), lh * lw],
        );
      }
    }
  }
}

export const ResizeBilinear: KernelSignatures['ResizeBilinear'] = (x, r) => {
  const y = empty([r.batch, r.channels, r.outH, r.outW], x.dtype);
  const X = x.data;
  bilinear(r, (_nc, o, i, w) => {
    y.data[o] = w[0] * X[i[0]] + w[1] * X[i[1]] + w[2] * X[i[2]] + w[3] * X[i[3]];
  });
  return y;
};

export const ResizeBilinearGrad: KernelSignatures['ResizeBilinearGrad'] = (dy, r) => {
  const dx = empty([r.batch, r.channels, r.inH, r.inW], dy.dtype);
  const D = dx.data;
  bilinear(r, (_nc, o, i, w) => {
    const g = dy.data[o];
    for (let k = 0; k < 4; k++) D[i[k]] += w[k] * g;
  });
  return dx;
};
