/**
 * Every error the public API throws is a ReceptiveError, so callers can catch
 * the library's errors apart from bugs (TypeError, RangeError) in their own code.
 */
export class ReceptiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor had the wrong shape. `op` is the op or layer path that refused it. */
export class ShapeError extends ReceptiveError {
  constructor(
    readonly op: string,
    readonly expected: string,
    readonly received: readonly number[] | string,
    detail?: string,
  ) {
    const got = typeof received === 'string' ? received : `[${received.join(', ')}]`;
    super(`${op}: expected ${expected}, got ${got}${detail ? ` (${detail})` : ''}`);
  }
}

/** An argument (stride, padding, dtype, option name…) was out of range or of the wrong kind. */
export class ArgumentError extends ReceptiveError {
  constructor(readonly op: string, message: string) {
    super(`${op}: ${message}`);
  }
}

/** A tensor had a dtype the op does not accept. */
export class DTypeError extends ReceptiveError {
  constructor(readonly op: string, readonly expected: string, readonly received: string) {
    super(`${op}: expected dtype ${expected}, got ${received}`);
  }
}

/** A NaN or Inf appeared where the caller asked for finite values. */
export class NonFiniteError extends ReceptiveError {}

/** A file could not be read or parsed: names the file and, where known, the byte offset. */
export class FormatError extends ReceptiveError {
  constructor(readonly file: string, message: string, readonly offset?: number) {
    super(`${file}: ${message}${offset !== undefined ? ` (at byte ${offset})` : ''}`);
  }
}

/**
 * An op needed more memory than a stated limit allows (a tensor's element or byte
 * limit, the wasm heap). Thrown before anything that large is allocated.
 */
export class ResourceError extends ReceptiveError {
  constructor(readonly op: string, message: string, readonly neededBytes: number, readonly limitBytes: number) {
    super(`${op}: ${message}`);
  }
}

/** A byte count as text: "1.50 GiB", "12.0 MiB", "640 bytes". */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Any value as text for an error message. Never throws: objects without a
 * prototype (or with a throwing toString) would otherwise turn a ShapeError
 * into a TypeError while the message is built.
 */
export function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return String(v);
  } catch {
    return `an object`;
  }
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
