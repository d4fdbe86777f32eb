import { ResourceError, Tensor, allocationContext, checkTensorSize, formatBytes } from '../../tensor/index.js';
import { MAX_HEAP_BYTES, type WasmRuntime } from './runtime.js';

/*
 * The JS side of the wasm heap shared by every kernel file: the bound runtime,
 * per-call arenas, copying results out, weight layouts cached per tensor
 * version, and the offset-table GEMM every convolution and matrix product runs.
 */

/** The bound runtime (a live binding: set once by the backend's init). */
export let rt: WasmRuntime;

export function bindRuntime(r: WasmRuntime): void {
  rt = r;
  r.onHeapFull = (bytes, reason) => heapError(0, bytes, reason);
}

/** The refusal of a heap block: the kernel, what its call holds and asks for, the limit, what to do. */
function heapError(held: number, bytes: number, reason: string): ResourceError {
  const op = allocationContext.kernel ?? 'wasm kernel';
  const others = rt.usedBytes() - held;
  return new ResourceError(
    op,
    `this call needs at least ${formatBytes(held + bytes)} of wasm heap (a block of ${formatBytes(bytes)} after ${formatBytes(held)}; ` +
      `${formatBytes(others)} is held by other data), but ${reason}. Use a smaller batch or input, or run it on the reference backend (setBackend('reference'))`,
    held + bytes,
    MAX_HEAP_BYTES,
  );
}

export function runtime(): WasmRuntime {
  return rt;
}

/** Heap blocks of one kernel call, released together. */
export class Arena {
  private blocks: [number, number][] = [];
  private held = 0;
  alloc(floats: number): number {
    const bytes = Math.max(4, floats * 4);
    let p: number;
    const hook = rt.onHeapFull;
    rt.onHeapFull = (b, reason) => heapError(this.held, b, reason);
    try {
      p = allocEvicting(bytes);
    } finally {
      rt.onHeapFull = hook;
    }
    this.blocks.push([p, bytes]);
    this.held += bytes;
    return p;
  }
  /** Copy a Float32Array/Int32Array in, with `slack` zeroed floats after it. */
  put(data: Float32Array, slack = 0): number {
    const p = this.alloc(data.length + slack);
    const f = rt.f32();
    f.set(data, p >> 2);
    if (slack) f.fill(0, (p >> 2) + data.length, (p >> 2) + data.length + slack);
    return p;
  }
  putInt(data: Int32Array): number {
    const p = this.alloc(data.length);
    rt.i32().set(data, p >> 2);
    return p;
  }
  zero(p: number, from: number, count: number): void {
    rt.f32().fill(0, (p >> 2) + from, (p >> 2) + from + count);
  }
  done(): void {
    pinned.clear();
    for (let i = this.blocks.length - 1; i >= 0; i--) rt.release(this.blocks[i][0], this.blocks[i][1]);
    this.blocks = [];
    this.held = 0;
  }
}

// Node's Buffer.allocUnsafeSlow: memory that is not zero-filled first. Every float
// of a result is written by the copy right after; measured alone, a fresh 8 MB
// array filled by one copy takes ~0.85 instead of ~1.3 ms (median). Inside a whole
// convolution call the gain is within this shared machine's noise: most of the
// cost of a fresh output is the OS faulting its pages in, either way.
const allocUnsafe = (globalThis as { Buffer?: { allocUnsafeSlow(n: number): Uint8Array } }).Buffer?.allocUnsafeSlow;

/*
 * Result arrays are allocated with malloc by Node. glibc serves blocks above its
 * mmap threshold (128 KB at start) with fresh mmaps, and trims freed memory at the
 * top of its heap back to the OS; a result array is then new memory on every
 * call, and writing it faults in every page. Measured on conv case (a) (884 KB
 * result, 1 thread, 1,500 calls): 225 minor faults per call, median 0.74 ms, of
 * which the copy out was 0.5 ms. glibc raises both thresholds (mmap to the
 * block's size, trim to twice that, up to 32 MiB) the first time a block it
 * mmapped is freed, so one 31 MiB block, allocated untouched and dropped, lets
 * results up to that size reuse heap pages: 24 faults per call, median 0.39 ms.
 * The cost is that up to ~62 MiB of freed heap may stay resident. Other
 * allocators ignore it; RECEPTIVE_MALLOC_TUNE=0 turns it off.
 */
export function raiseMallocThresholdsInNode(env: Record<string, string | undefined>): void {
  if (!allocUnsafe || env.RECEPTIVE_MALLOC_TUNE === '0') return;
  allocUnsafe(31 << 20); // garbage at once; freed by the next scavenge
}

/** A new Float32Array of n floats whose contents the caller overwrites entirely. */
function uninitialised(n: number, shape: readonly number[]): Float32Array {
  checkTensorSize(undefined, 'float32', n, shape);
  if (!allocUnsafe || n < 16384) return new Float32Array(n);
  const b = allocUnsafe(n * 4);
  return new Float32Array(b.buffer, b.byteOffset, n);
}

/** Copy n floats out of the heap into a new tensor (a fresh array filled with set(): faster than slice() on shared memory). */
export function out(p: number, n: number, shape: readonly number[]): Tensor {
  const y = uninitialised(n, shape);
  y.set(rt.f32().subarray(p >> 2, (p >> 2) + n));
  return new Tensor(y, shape);
}

/**
 * Floats of result computed per chunk (1 MB). A large result (conv (b): 8 MB) is
 * computed a few images at a time into a heap block and copied out after each
 * chunk, while the block is still in cache: the kernels write to cached lines and
 * the copy reads them, instead of both streaming the whole result through memory.
 * Measured on conv (b) (bench/tools/conv-split.ts): 4.51 -> 4.26 ms on 1 thread,
 * 3.68 -> 2.78 ms on 2 (where the two threads shared the memory bandwidth).
 */
const OUT_CHUNK = 1 << 18;

/**
 * A new tensor of `images` images of `per` floats each, `compute(n0, nb, y)` filling
 * images n0 .. n0 + nb − 1 into the heap block y, chunk by chunk (at least `atLeast` images).
 */
export function outByImages(ar: Arena, images: number, per: number, shape: readonly number[], compute: (n0: number, nb: number, y: number) => void, atLeast = 1): Tensor {
  const chunk = Math.min(images, Math.max(atLeast, Math.floor(OUT_CHUNK / per)));
  // Two heap blocks in turn: chunk j is copied out by this thread while the workers
  // start computing chunk j + 1 into the other (rt.overlapNextRun). Conv (b), 2
  // threads, old and new alternated 4 times (bench/tools/conv-split.ts): fastest
  // call 3.02-3.13 -> 2.71-2.80 ms; no change on 1 thread (nothing runs alongside).
  const blocks = [ar.alloc(chunk * per), chunk < images ? ar.alloc(chunk * per) : 0];
  const res = uninitialised(images * per, shape);
  try {
    for (let n0 = 0, j = 0; n0 < images; n0 += chunk, j++) {
      const nb = Math.min(chunk, images - n0);
      const y = blocks[j & 1];
      compute(n0, nb, y);
      rt.overlapNextRun(() => res.set(rt.f32().subarray(y >> 2, (y >> 2) + nb * per), n0 * per));
    }
  } catch (e) {
    rt.finishPending(false);
    throw e;
  }
  rt.finishPending();
  return new Tensor(res, shape);
}

const bitsF = new Float32Array(1);
const bitsI = new Int32Array(bitsF.buffer);
/** A float32 kernel argument as the int32 with the same bits (kernel args are written as int32; argf reads them back). */
export function f32bits(v: number): number {
  bitsF[0] = v;
  return bitsI[0];
}

export function isF32(...ts: Tensor[]): boolean {
  return ts.every((t) => t.dtype === 'float32');
}

// ------------------------------------------------------------ packed weights

interface Packed {
  version: number;
  ptr: number;
  bytes: number;
}
/**
 * Packed layouts per weight, keyed by layout. The key is the tensor's version
 * counter, which its views share (a linear layer hands MatMul a fresh 3-D view of
 * its weight on every call); freed when the data's last tensor is collected.
 */
const packCache = new WeakMap<object, Map<string, Packed>>();
/** Every cache map still alive, so that a full heap can drop layouts (they are only caches). */
const liveCaches = new Set<Map<string, Packed>>();
/** Layouts handed out during the current kernel call: never evicted under it. */
const pinned = new Set<Packed>();
const finalizer = new FinalizationRegistry<Map<string, Packed>>((m) => {
  liveCaches.delete(m);
  for (const p of m.values()) rt.release(p.ptr, p.bytes);
});

/**
 * Allocate, and when the heap is full, first free the cached weight layouts that no
 * running call holds and try once more. Layouts of collected weights are only freed
 * by a finalizer, which a synchronous loop never yields to; without this, building
 * model after model (the zoo listing) filled the heap with layouts of dead weights.
 */
function allocEvicting(bytes: number): number {
  try {
    return rt.alloc(bytes);
  } catch (e) {
    let freed = 0;
    for (const m of liveCaches) {
      for (const [k, p] of m) {
        if (pinned.has(p)) continue;
        rt.release(p.ptr, p.bytes);
        m.delete(k);
        freed += p.bytes;
      }
    }
    if (!freed) throw e;
    return rt.alloc(bytes);
  }
}

/** Pack rows of A (rows × K, element (m, k) from `at`) in panels of 4 rows: [panel][k][4]. */
export function packPanels(dst: Float32Array, at: number, rows: number, K: number, get: (m: number, k: number) => number): void {
  const panels = (rows + 3) >> 2;
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < K; k++) {
      const o = at + (p * K + k) * 4;
      for (let r = 0; r < 4; r++) {
        const m = p * 4 + r;
        dst[o + r] = m < rows ? get(m, k) : 0;
      }
    }
  }
}

/** A packed layout of weight `w`, cached until w changes (w.version) or is collected. */
export function packed(w: Tensor, key: string, floats: number, fill: (f: Float32Array, at: number) => void): number {
  let m = packCache.get(w.versionCounter);
  if (!m) {
    m = new Map();
    packCache.set(w.versionCounter, m);
    liveCaches.add(m);
    finalizer.register(w.versionCounter, m);
  }
  key += `@${w.shape.join('x')}`; // views of one weight with other shapes share the counter, not the layout
  const hit = m.get(key);
  if (hit && hit.version === w.version) {
    pinned.add(hit);
    return hit.ptr;
  }
  const bytes = Math.max(4, floats * 4);
  if (hit && hit.bytes !== bytes) {
    rt.release(hit.ptr, hit.bytes);
    m.delete(key);
  }
  if (hit) pinned.add(hit); // a fill that allocates (a heap copy of w) must not evict the block it fills
  const ptr = hit && hit.bytes === bytes ? hit.ptr : allocEvicting(bytes);
  fill(rt.f32(), ptr >> 2);
  const entry = { version: w.version, ptr, bytes };
  m.set(key, entry);
  pinned.add(entry);
  return ptr;
}

export interface GemmArgs {
  A: number; aSN: number; aSG: number; K: number; off: number; X: number; xSN: number; xSG: number;
  Y: number; ySN: number; ySG: number; M: number; rows: number; N: number; G: number; bias: number;
  /** Grid row width, kept columns, destination row stride, destination stride per output row m. */
  Wq: number; outW: number; dR: number; dPm: number;
  r0?: number; rs?: number; c0?: number; cs?: number;
  /**
   * Run a long reduction in chunks of ≤ KC_MAX taps (same bits). Measured, one thread:
   * x·W with x 64×4096, W 4096×4096: 60 → 50 ms; 64×9216 · 9216×1024: 35.6 → 30.6 ms
   * (the packed inputs of a chunk, strips of B's rows, stay in L1 across a block of
   * tiles); x·Wᵀ and convolutions: no gain or 2–4% slower, so only plain matrix
   * products ask for it.
   */
  chunked?: boolean;
}

/** Taps per chunk of a long reduction (the GEMM's packed block of one chunk: 8 KB, in L1). */
const KC_MAX = 256;
/** Accumulators of a work item kept between chunks: 16 tiles × 16 panels × 8 vectors. */
const PARTIAL_BYTES = 16 * 16 * 128;

/** Run the offset-table GEMM (assembly/kernels.ts `gemm`) with per-thread packing scratch. */
export function gemm(ar: Arena, g: GemmArgs): void {
  // Reductions up to 1.5 chunks run whole; longer ones in equal chunks.
  const chunks = !g.chunked || g.K <= 1.5 * KC_MAX ? 1 : Math.ceil(g.K / KC_MAX);
  const KC = Math.max(1, Math.ceil(g.K / chunks));
  const stride = Math.ceil((KC * 32 + 320 + (chunks > 1 ? PARTIAL_BYTES : 0)) / 64) * 64;
  const scratch = ar.alloc((stride * rt.getThreads()) / 4);
  rt.run(g.rows * g.outW < 8 ? 'gemmn' : 'gemm', [
    g.A, g.aSN, g.aSG, g.K, g.off, g.X, g.xSN, g.xSG, g.Y, g.ySN, g.ySG, g.M, g.rows, g.N, g.G, g.bias,
    g.Wq, g.outW, g.dR, g.dPm, g.r0 ?? 0, g.rs ?? 1, g.c0 ?? 0, g.cs ?? 1, scratch, stride, KC,
  ], g.N * g.G * g.M * g.rows * g.outW * Math.max(g.K, 1));
}

