import { sizeOf, stridesOf } from '../../tensor/index.js';
import type { KernelSignatures } from '../kernels.js';
import { broadcastStrides, empty, forEachRow } from './util.js';

export const Transpose: KernelSignatures['Transpose'] = (x, { perm }) => {
  const outShape = perm.map((p) => x.shape[p]);
  const xs = stridesOf(x.shape);
  const y = empty(outShape, x.dtype);
  const xd = x.data;
  const yd = y.data;
  forEachRow(outShape, [perm.map((p) => xs[p])], (o, offs, n, inner) => {
    for (let j = 0, i = offs[0]; j < n; j++, i += inner[0]) yd[o + j] = xd[i];
  });
  return y;
};

export const Slice: KernelSignatures['Slice'] = (x, { begin, end, step }) => {
  const outShape = begin.map((b, i) => Math.max(0, Math.ceil((end[i] - b) / step[i])));
  const xs = stridesOf(x.shape);
  const y = empty(outShape, x.dtype);
  if (y.size === 0) return y;
  let start = 0;
  for (let i = 0; i < begin.length; i++) start += begin[i] * xs[i];
  const xd = x.data;
  const yd = y.data;
  forEachRow(outShape, [xs.map((s, i) => s * step[i])], (o, offs, n, inner) => {
    for (let j = 0, i = start + offs[0]; j < n; j++, i += inner[0]) yd[o + j] = xd[i];
  });
  return y;
};

export const Pad: KernelSignatures['Pad'] = (x, { pads, value }) => {
  const outShape = x.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const y = empty(outShape, x.dtype);
  y.data.fill(value);
  if (x.size === 0) return y;
  const ys = stridesOf(outShape);
  let start = 0;
  for (let i = 0; i < pads.length; i++) start += pads[i][0] * ys[i];
  const xd = x.data;
  const yd = y.data;
  forEachRow(x.shape, [ys], (o, offs, n, inner) => {
    for (let j = 0, i = start + offs[0]; j < n; j++, i += inner[0]) yd[i] = xd[o + j];
  });
  return y;
};

export const Concat: KernelSignatures['Concat'] = (xs, { axis }) => {
  const outShape = xs[0].shape.slice();
  outShape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
  const y = empty(outShape, xs[0].dtype);
  const outer = sizeOf(outShape.slice(0, axis));
  const rowOut = sizeOf(outShape.slice(axis));
  let colOffset = 0;
  for (const t of xs) {
    const row = sizeOf(t.shape.slice(axis));
    for (let o = 0; o < outer; o++) y.data.set(t.data.subarray(o * row, (o + 1) * row), o * rowOut + colOffset);
    colOffset += row;
  }
  return y;
};

export const BroadcastTo: KernelSignatures['BroadcastTo'] = (x, { shape }) => {
  const y = empty(shape, x.dtype);
  const xd = x.data;
  const yd = y.data;
  forEachRow(shape, [broadcastStrides(x.shape, shape)], (o, offs, n, inner) => {
    for (let j = 0, i = offs[0]; j < n; j++, i += inner[0]) yd[o + j] = xd[i];
  });
  return y;
};
