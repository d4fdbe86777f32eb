import type { KernelSignatures } from '../kernels.js';
import { empty, promote } from './util.js';

/**
 * Batched matrix product C[b] = op(A[b]) · op(B[b]). The i-k-j loop order keeps
 * the innermost loop running along contiguous rows of B and C.
 */
export const MatMul: KernelSignatures['MatMul'] = (a, b, { transA, transB }) => {
  const [batch, ar, ac] = a.shape;
  const [, br, bc] = b.shape;
  const M = transA ? ac : ar;
  const K = transA ? ar : ac;
  const N = transB ? br : bc;
  const y = empty([batch, M, N], promote(a.dtype, b.dtype));
  const A = a.data;
  const B = b.data;
  const C = y.data;
  // Element (i, k) of op(A) and (k, j) of op(B), as strides.
  const aI = transA ? 1 : K;
  const aK = transA ? M : 1;
  const bK = transB ? 1 : N;
  const bJ = transB ? K : 1;
  for (let p = 0; p < batch; p++) {
    const ao = p * M * K;
    const bo = p * K * N;
    const co = p * M * N;
    for (let i = 0; i < M; i++) {
      const crow = co + i * N;
      for (let k = 0; k < K; k++) {
        const av = A[ao + i * aI + k * aK];
        const brow = bo + k * bK;
        for (let j = 0; j < N; j++) C[crow + j] += av * B[brow + j * bJ];
      }
    }
  }
  return y;
};
