import type { KernelSignatures } from '../kernels.js';
import { empty, promote } from './util.js';

/*
 * Convolution as the decks define it (Hung-yi Lee, "CNN – Convolution"; Zhonglei
 * Wang, "Forward propagation"): each kernel slides over the input, and each output
 * is the sum of the elementwise products of the kernel and the receptive field,
 * summed over the input channels of the kernel's group:
 *
 *   z[n, oc, m, k] = b[oc] + Σ_ic Σ_i Σ_j a[n, ic, m·s − p + i·d, k·s − p + j·d] · w[oc, ic, i, j]
 *
 * (a cross-correlation, as in every deep-learning library). Positions that fall
 * in the zero padding contribute nothing.
 */
export const Conv2D: KernelSignatures['Conv2D'] = (x, w, bias, c) => {
  const y = empty([c.batch, c.outChannels, c.outH, c.outW], promote(x.dtype, w.dtype));
  const X = x.data;
  const W = w.data;
  const Y = y.data;
  const cinG = c.inChannels / c.groups;
  const coutG = c.outChannels / c.groups;
  const plane = c.outH * c.outW;
  for (let n = 0; n < c.batch; n++) {
    for (let oc = 0; oc < c.outChannels; oc++) {
      const g = Math.floor(oc / coutG);
      const yo = (n * c.outChannels + oc) * plane;
      if (bias) Y.fill(bias.data[oc], yo, yo + plane);
      for (let icg = 0; icg < cinG; icg++) {
        const ic = g * cinG + icg;
        const xo = (n * c.inChannels + ic) * c.inH * c.inW;
        for (let kh = 0; kh < c.kH; kh++) {
          for (let kw = 0; kw < c.kW; kw++) {
            const wv = W[((oc * cinG + icg) * c.kH + kh) * c.kW + kw];
            for (let oh = 0; oh < c.outH; oh++) {
              const ih = oh * c.strideH - c.padTop + kh * c.dilationH;
              if (ih < 0 || ih >= c.inH) continue;
              const xrow = xo + ih * c.inW;
              const yrow = yo + oh * c.outW;
              const iw0 = kw * c.dilationW - c.padLeft;
              for (let ow = 0; ow < c.outW; ow++) {
                const iw = iw0 + ow * c.strideW;
                if (iw >= 0 && iw < c.inW) Y[yrow + ow] += wv * X[xrow + iw];
              }
            }
          }
        }
      }
    }
  }
  return y;
};

/*
 * Input gradient (Zhonglei Wang, "Backpropagation for CONV"; Hung-yi Lee, "CNN –
 * Learning"): since z = a ∗ w, each input pixel a[ih, iw] touched the outputs
 * z[m, k] with m·s − p + i·d = ih, so
 *
 *   δa[ih, iw] = Σ_oc Σ_i Σ_j δz[(ih + p − i·d)/s, (iw + p − j·d)/s] · w[oc, ic, i, j]
 *
 * over the (i, j) for which the division is exact and in range. With stride 1 this
 * is exactly the "full" convolution of δ (zero-padded by k − 1) with the kernel
 * rotated by 180°; a stride s inserts s − 1 zeros between the δ values first.
 * Written as a gather over each input pixel, so every δa value is a fixed-order sum.
 */
export const Conv2DBackpropInput: KernelSignatures['Conv2DBackpropInput'] = (dy, w, c) => {
  const dx = empty([c.batch, c.inChannels, c.inH, c.inW], promote(dy.dtype, w.dtype));
  const DY = dy.data;
  const W = w.data;
  const DX = dx.data;
  const cinG = c.inChannels / c.groups;
  const coutG = c.outChannels / c.groups;
  for (let n = 0; n < c.batch; n++) {
    for (let ic = 0; ic < c.inChannels; ic++) {
      const g = Math.floor(ic / cinG);
      const icg = ic - g * cinG;
      const xo = (n * c.inChannels + ic) * c.inH * c.inW;
      for (let ih = 0; ih < c.inH; ih++) {
        for (let iw = 0; iw < c.inW; iw++) {
          let acc = 0;
          for (let ocg = 0; ocg < coutG; ocg++) {
            const oc = g * coutG + ocg;
            const yo = (n * c.outChannels + oc) * c.outH * c.outW;
            const wo = (oc * cinG + icg) * c.kH * c.kW;
            for (let kh = 0; kh < c.kH; kh++) {
              const th = ih + c.padTop - kh * c.dilationH;
              if (th < 0 || th % c.strideH !== 0) continue;
              const oh = th / c.strideH;
              if (oh >= c.outH) continue;
              for (let kw = 0; kw < c.kW; kw++) {
                const tw = iw + c.padLeft - kw * c.dilationW;
                if (tw < 0 || tw % c.strideW !== 0) continue;
                const ow = tw / c.strideW;
                if (ow >= c.outW) continue;
                acc += DY[yo + oh * c.outW + ow] * W[wo + kh * c.kW + kw];
              }
            }
          }
          DX[xo + ih * c.inW + iw] = acc;
        }
      }
    }
  }
  return dx;
};

/*
 * Filter gradient (same slides): w[i, j] multiplied a[m·s − p + i·d, k·s − p + j·d]
 * in every output z[m, k], so δw is the correlation of the layer input with δ:
 *
 *   δw[oc, ic, i, j] = Σ_n Σ_m Σ_k a[n, ic, m·s − p + i·d, k·s − p + j·d] · δz[n, oc, m, k]
 */
export const Conv2DBackpropFilter: KernelSignatures['Conv2DBackpropFilter'] = (x, dy, c) => {
  const cinG = c.inChannels / c.groups;
  const coutG = c.outChannels / c.groups;
  const dw = empty([c.outChannels, cinG, c.kH, c.kW], promote(x.dtype, dy.dtype));
  const X = x.data;
  const DY = dy.data;
  const DW = dw.data;
  for (let oc = 0; oc < c.outChannels; oc++) {
    const g = Math.floor(oc / coutG);
    for (let icg = 0; icg < cinG; icg++) {
      const ic = g * cinG + icg;
      for (let kh = 0; kh < c.kH; kh++) {
        for (let kw = 0; kw < c.kW; kw++) {
          let acc = 0;
          for (let n = 0; n < c.batch; n++) {
            const xo = (n * c.inChannels + ic) * c.inH * c.inW;
            const yo = (n * c.outChannels + oc) * c.outH * c.outW;
            for (let oh = 0; oh < c.outH; oh++) {
              const ih = oh * c.strideH - c.padTop + kh * c.dilationH;
              if (ih < 0 || ih >= c.inH) continue;
              const iw0 = kw * c.dilationW - c.padLeft;
              for (let ow = 0; ow < c.outW; ow++) {
                const iw = iw0 + ow * c.strideW;
                if (iw >= 0 && iw < c.inW) acc += X[xo + ih * c.inW + iw] * DY[yo + oh * c.outW + ow];
              }
            }
          }
          DW[((oc * cinG + icg) * c.kH + kh) * c.kW + kw] = acc;
        }
      }
    }
  }
  return dw;
};

/** Both gradients: the two kernels above, one after the other. */
export const Conv2DBackprop: KernelSignatures['Conv2DBackprop'] = (x, w, dy, c, wants) => ({
  dx: wants.input ? Conv2DBackpropInput(dy, w, c) : null,
  dw: wants.filter ? Conv2DBackpropFilter(x, dy, c) : null,
});
