import assert from 'node:assert/strict';
import { Tensor } from '../src/tensor/index.js';

export interface CloseOptions {
  /** Absolute tolerance (default 1e-5, PyTorch's float32 default). */
  atol?: number;
  /** Relative tolerance (default 1.3e-6). */
  rtol?: number;
  /** Treat NaN as equal to NaN (otherwise any NaN is a mismatch). */
  equalNaN?: boolean;
}

type Values = Tensor | ArrayLike<number> | number[][] | number[][][] | number[][][][];

function flat(v: Values): ArrayLike<number> {
  if (v instanceof Tensor) return v.data;
  if (Array.isArray(v)) return (v as unknown[]).flat(Infinity) as number[];
  return v as ArrayLike<number>;
}

/**
 * Assert |a − e| <= atol + rtol·|e| elementwise. ±Inf must match with the same
 * sign; NaN matches only NaN and only with equalNaN. On failure the message gives
 * the number of mismatches, the worst absolute and relative difference and where.
 */
export function assertClose(actual: Values, expected: Values, opts: CloseOptions = {}, what = 'values'): void {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1.3e-6;
  if (actual instanceof Tensor && expected instanceof Tensor) {
    assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape [${actual.shape}] vs expected [${expected.shape}]`);
  }
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} elements vs expected ${e.length}`);
  let mismatches = 0;
  let worstAbs = 0;
  let worstRel = 0;
  let worstAt = -1;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = e[i];
    let bad: boolean;
    if (Number.isNaN(x) || Number.isNaN(y)) bad = !(opts.equalNaN && Number.isNaN(x) && Number.isNaN(y));
    else if (!Number.isFinite(x) || !Number.isFinite(y)) bad = x !== y;
    else bad = Math.abs(x - y) > atol + rtol * Math.abs(y);
    const abs = Math.abs(x - y);
    const rel = abs / Math.max(Math.abs(y), Number.MIN_VALUE);
    if (bad) {
      mismatches++;
      if (worstAt < 0 || abs > worstAbs || Number.isNaN(abs)) {
        worstAbs = abs;
        worstRel = rel;
        worstAt = i;
      }
    }
  }
  if (mismatches > 0) {
    assert.fail(
      `${what}: ${mismatches} of ${a.length} elements differ (atol ${atol}, rtol ${rtol}); worst at flat index ${worstAt}: ` +
        `got ${a[worstAt]}, expected ${e[worstAt]} (abs diff ${worstAbs}, rel diff ${worstRel})`,
    );
  }
}

/** Assert fn throws an error of the class whose message contains every fragment. */
export function assertThrowsWith(fn: () => unknown, cls: new (...args: never[]) => Error, ...fragments: string[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${cls.name} containing ${JSON.stringify(fragments)}, but nothing was thrown`);
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${(caught as Error)?.constructor?.name}: ${(caught as Error)?.message}`);
  for (const f of fragments) assert.ok((caught as Error).message.includes(f), `message ${JSON.stringify((caught as Error).message)} lacks ${JSON.stringify(f)}`);
  return caught as Error;
}

/**
 * Rerun `again` (which checks its own results) until a pool worker has joined a
 * kernel call since `joinedBefore` (wasmInfo().joinedJobs), at most 20 times. A worker
 * that wakes after the calling thread has done a whole job skips it, and on a busy
 * machine that can be every job of one run; a pool whose workers never join fails.
 */
/**
 * Workers start asynchronously (slowly on a loaded machine), and a job is posted only to workers that are up:
 * call `again` (which checks its own results) until one of its kernel calls is posted to the pool, up to ~5 s.
 */
export async function untilPoolPosts(what: string, again: () => void): Promise<void> {
  const { wasmInfo } = await import('../src/backend/wasm/index.js');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const jobs = wasmInfo()!.parallelJobs;
    again();
    if (wasmInfo()!.parallelJobs > jobs) return;
  }
  assert.fail(`${what}: no kernel call was posted to the worker pool in 5 s`);
}

export async function untilWorkersJoin(joinedBefore: number, again: () => void): Promise<void> {
  const { wasmInfo } = await import('../src/backend/wasm/index.js');
  for (let i = 0; i < 20 && wasmInfo()!.joinedJobs === joinedBefore; i++) {
    await new Promise((r) => setTimeout(r, 20));
    again();
  }
  assert.ok(wasmInfo()!.joinedJobs > joinedBefore, 'pool workers joined some of the kernel calls');
}
