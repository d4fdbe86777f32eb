import type { KernelSignatures } from '../kernels.js';
import { referenceBackend } from '../reference/index.js';
import { Arena, gemm, isF32, out, packed, rt } from './heap.js';

const ref = referenceBackend.kernels;

/**
 * Batched matrix product on the same GEMM: op(A) is packed into 4-row panels by a
 * wasm kernel; op(B) is read in place through the offset table (columns of B, or
 * rows of B when transposed, are the GEMM's points), so nothing is transposed.
 */
export const MatMul: KernelSignatures['MatMul'] = (a, b, attrs) => {
  const { transA, transB } = attrs;
  if (!isF32(a, b)) return ref.MatMul(a, b, attrs);
  /** b in the heap with `slack` zeroed floats after it: cached if it is a weight, else copied in for this call. */
  const putB = (slack: number) => !attrs.weightB ? ar.put(b.data as Float32Array, slack)
    : packed(b, 'B', b.size + slack, (f, at) => { f.set(b.data as Float32Array, at); f.fill(0, at + b.size, at + b.size + slack); });
  const [B, ar0, ac] = a.shape;
  const [, br, bc] = b.shape;
  const M = transA ? ac : ar0;
  const K = transA ? ar0 : ac;
  const N = transB ? br : bc;
  const ar = new Arena();
  try {
    const n = B * M * N;
    const y = ar.alloc(Math.max(1, n));
    if (K === 0) {
      ar.zero(y, 0, n);
      return out(y, n, [B, M, N]);
    }
    if (transB && !transA && M < 8) {
      // A few rows times Wᵀ (a linear layer at small batch): contiguous row dot products.
      const scratch = ar.alloc(8 * rt.getThreads());
      rt.run('rowdot', [ar.put(a.data as Float32Array), putB(64), y, B, M, K, N, M * K, N * K, scratch], n * K);
      return out(y, n, [B, M, N]);
    }
    const aS = Math.ceil(M / 4) * 4 * K;
    const src = ar.put(a.data as Float32Array);
    const Ap = ar.alloc(Math.max(1, B * aS));
    for (let p = 0; p < B; p++) {
      // pack: src, dst, rows, K, rs, cs
      rt.run('pack', [src + p * M * K * 4, Ap + p * aS * 4, M, K, transA ? 1 : K, transA ? M : 1], aS);
    }
    const X = putB(64);
    const offs = new Int32Array(K);
    for (let k = 0; k < K; k++) offs[k] = transB ? k : k * N;
    const off = ar.putInt(offs);
    const common = { A: Ap, aSN: aS, aSG: 0, K, off, X, xSN: K * N, xSG: 0, Y: y, ySN: M * N, ySG: 0, M, N: B, G: 1, bias: 0 };
    if (transB) gemm(ar, { ...common, rows: N, Wq: K, outW: 1, dR: 1, dPm: N });
    else gemm(ar, { ...common, rows: 1, Wq: N, outW: N, dR: N, dPm: N, chunked: true });
    return out(y, n, [B, M, N]);
  } finally {
    ar.done();
  }
};

