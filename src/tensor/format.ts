import type { Tensor } from './tensor.js';

const EDGE = 3;

function fmt(v: number, isInt: boolean): string {
  if (isInt || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toFixed(4);
}

/** A readable preview: the first and last EDGE entries of each axis, with the shape and dtype. */
export function formatTensor(t: Tensor): string {
  const isInt = t.dtype === 'int32';
  const strides: number[] = [];
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= t.shape[i];
  }
  const rec = (axis: number, offset: number, indent: string): string => {
    if (axis === t.shape.length) return fmt(t.data[offset], isInt);
    const n = t.shape[axis];
    const idx: (number | null)[] = [];
    if (n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idx.push(i);
      idx.push(null);
      for (let i = n - EDGE; i < n; i++) idx.push(i);
    } else for (let i = 0; i < n; i++) idx.push(i);
    const parts = idx.map((i) => (i === null ? '...' : rec(axis + 1, offset + i * strides[axis], indent + ' ')));
    const sep = axis === t.shape.length - 1 ? ', ' : ',\n' + indent + ' ';
    return '[' + parts.join(sep) + ']';
  };
  const grad = t.requiresGrad ? ', requiresGrad' : '';
  return `Tensor(shape=[${t.shape.join(', ')}], dtype=${t.dtype}${grad})\n${rec(0, 0, '')}`;
}
