import { kernel } from '../backend/index.js';
import { record } from '../autograd/index.js';
import { broadcastShapes, formatShape, ShapeError, sizeOf, Tensor } from '../tensor/index.js';
import { binaryRaw } from './util.js';
import { checkFloat, checkTensor, sumToShape, view } from './util.js';

/**
 * Matrix product with NumPy's rules: 1-D operands gain (and then lose) an axis,
 * leading batch axes broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  checkFloat('matmul', 'a', a);
  checkFloat('matmul', 'b', b);
  if (a.rank === 0 || b.rank === 0) throw new ShapeError('matmul', 'operands of rank >= 1', `${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const a2 = a.rank === 1 ? [1, a.shape[0]] : a.shape.slice();
  const b2 = b.rank === 1 ? [b.shape[0], 1] : b.shape.slice();
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const K2 = b2[b2.length - 2];
  const N = b2[b2.length - 1];
  if (K !== K2) {
    throw new ShapeError('matmul', `b with ${K} rows to match a's ${K} columns`, `${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const batch = broadcastShapes('matmul', a2.slice(0, -2), b2.slice(0, -2));
  const B = sizeOf(batch);
  const A3 = batchAs(a, a2, batch, [M, K]);
  const B3 = batchAs(b, b2, batch, [K, N]);
  const r = kernel('MatMul')(A3, B3, { transA: false, transB: false });
  const outShape = [...batch, ...(a.rank === 1 ? [] : [M]), ...(b.rank === 1 ? [] : [N])];
  const out = view(r, outShape);
  return record('matmul', out, [a, b], (g) => {
    const g3 = view(g, [B, M, N]);
    // dA = g · Bᵀ, dB = Aᵀ · g; broadcast batches are summed back.
    const da = a.requiresGrad ? sumToShape(view(kernel('MatMul')(g3, B3, { transA: false, transB: true }), [...batch, M, K]), a2) : null;
    const db = b.requiresGrad ? sumToShape(view(kernel('MatMul')(A3, g3, { transA: true, transB: false }), [...batch, K, N]), b2) : null;
    return [da && view(da, a.shape), db && view(db, b.shape)];
  }, { transA: false, transB: false });
}

function batchAs(t: Tensor, shape2: number[], batch: number[], mat: number[]): Tensor {
  const target = [...batch, ...mat];
  const t2 = view(t, shape2);
  const expanded = sizeOf(target) === t.size ? t2 : kernel('BroadcastTo')(t2, { shape: target });
  return view(expanded, [sizeOf(batch), mat[0], mat[1]]);
}

/** y = x · Wᵀ + b, with W of shape [outFeatures, inFeatures] (as torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkTensor('linear', 'x', x);
  checkTensor('linear', 'weight', weight);
  checkFloat('linear', 'x', x);
  if (weight.rank !== 2) throw new ShapeError('linear', 'weight [outFeatures, inFeatures]', weight.shape);
  const [outF, inF] = weight.shape;
  if (x.rank < 1 || x.shape[x.rank - 1] !== inF) {
    throw new ShapeError('linear', `input [..., ${inF}]`, x.shape);
  }
  if (bias != null) {
    checkTensor('linear', 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== outF) throw new ShapeError('linear', `bias [${outF}]`, bias.shape);
  }
  const rows = x.size / inF;
  const x3 = view(x, [1, rows, inF]);
  const w3 = view(weight, [1, outF, inF]);
  let y = kernel('MatMul')(x3, w3, { transA: false, transB: true, weightB: true });
  if (bias != null) y = binaryRaw('add', y, bias);
  const out = view(y, [...x.shape.slice(0, -1), outF]);
  return record('linear', out, [x, weight, bias], (g) => {
    const g3 = view(g, [1, rows, outF]);
    return [
      x.requiresGrad ? view(kernel('MatMul')(g3, w3, { transA: false, transB: false, weightB: true }), x.shape) : null,
      weight.requiresGrad ? view(kernel('MatMul')(g3, x3, { transA: true, transB: false }), weight.shape) : null,
      bias?.requiresGrad ? view(kernel('Reduce')(g3, { op: 'sum', axes: [0, 1] }), [outF]) : null,
    ];
  }, { inFeatures: inF, outFeatures: outF });
}
