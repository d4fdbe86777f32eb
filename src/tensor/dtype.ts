import { ArgumentError, ResourceError, formatBytes, show } from './errors.js';

export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type DataArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'float64' || x === 'int32';
}

/**
 * The largest tensor: 2^31 − 1 elements (kernels index with int32) and 4 GiB of
 * data (a float32 tensor of 2^30 elements, a float64 one of 2^29). Typed arrays
 * could be larger in Node, but nothing downstream handles them: the wasm heap is
 * 2 GiB and an 8 GB array is more often a mistaken shape than an intent.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;
export const MAX_TENSOR_BYTES = 2 ** 32;

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4 };

/**
 * What a kernel is running, for errors raised where only sizes are known (set by
 * the backend registry on each kernel lookup; tensor/ imports nothing above it).
 */
export const allocationContext: { kernel: string | null } = { kernel: null };

/** Refuse a tensor over the stated limits before allocating it. `shape` only words the message. */
export function checkTensorSize(op: string | undefined, dtype: DType, size: number, shape?: readonly number[]): void {
  const bytes = size * (BYTES_PER_ELEMENT[dtype] ?? 8);
  if (size <= MAX_TENSOR_ELEMENTS && bytes <= MAX_TENSOR_BYTES) return;
  const where = op ?? allocationContext.kernel ?? 'tensor';
  const what = shape ? `a ${dtype} tensor of shape [${shape.join(', ')}]` : `a ${dtype} tensor`;
  throw new ResourceError(
    where,
    `${what} needs ${size.toLocaleString('en-US')} elements (${formatBytes(bytes)}); a tensor may hold at most ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} elements and ${formatBytes(MAX_TENSOR_BYTES)} (use a smaller batch or input size)`,
    bytes,
    MAX_TENSOR_BYTES,
  );
}

export function allocate(dtype: DType, size: number, op?: string, shape?: readonly number[]): DataArray {
  if (isDType(dtype)) checkTensorSize(op, dtype, size, shape);
  switch (dtype) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int32':
      return new Int32Array(size);
    default:
      throw new ArgumentError('tensor', `unknown dtype ${show(dtype)} (expected float32, float64 or int32)`);
  }
}

export function dtypeOf(data: DataArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  return 'int32';
}

/** The dtype two operands are promoted to: float64 beats float32 beats int32. */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}
