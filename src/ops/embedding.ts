import { record } from '../autograd/index.js';
import { allocate, ArgumentError, DTypeError, ShapeError, Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, describe } from './util.js';

export interface EmbeddingOptions {
  /** This row's output is looked up as usual but never receives a gradient (the padding token). */
  paddingIdx?: number;
}

/**
 * Table lookup (torch.nn.functional.embedding): out[..., :] = weight[indices[...], :],
 * shape [...indices.shape, D]. The gradient is a scatter-add of the output
 * gradient into the rows that were looked up, so rows not in the batch (and
 * the padding row) get exactly zero. Indices are int32, or floats holding integers.
 */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  const op = 'embedding';
  checkTensor(op, 'indices', indices);
  checkTensor(op, 'weight', weight);
  checkFloat(op, 'weight', weight);
  if (weight.rank !== 2) throw new ShapeError(op, 'weight [numEmbeddings, embeddingDim]', weight.shape);
  const [V, D] = weight.shape;
  const pad = opts.paddingIdx;
  if (pad !== undefined && (!Number.isInteger(pad) || pad < 0 || pad >= V)) throw new ArgumentError(op, `paddingIdx must be an integer in [0, ${V}), got ${describe(pad)}`);
  const n = indices.size;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = indices.data[i];
    if (!Number.isInteger(v)) throw new DTypeError(op, 'integer indices', `${v} at position ${i}`);
    if (v < 0 || v >= V) throw new ArgumentError(op, `index ${v} at position ${i} is outside the table of ${V} rows`);
    idx[i] = v;
  }
  const out = allocate(weight.dtype, n * D);
  for (let i = 0; i < n; i++) out.set(weight.data.subarray(idx[i] * D, (idx[i] + 1) * D), i * D);
  const y = new Tensor(out, [...indices.shape, D]);
  return record(op, y, [weight], (g) => {
    const gw = allocate(weight.dtype, V * D);
    for (let i = 0; i < n; i++) {
      const r = idx[i];
      if (r === pad) continue;
      for (let j = 0; j < D; j++) gw[r * D + j] += g.data[i * D + j];
    }
    return [new Tensor(gw, weight.shape)];
  }, { paddingIdx: pad ?? null });
}
