import type { Tensor } from '../tensor/index.js';

/*
 * The op-level trace: while `trace(fn)` runs, every public op reports its name,
 * resolved attributes, input and output tensors and the module call it ran in.
 * Gradient mode does not matter (ops report under noGrad too), so one forward
 * pass gives the graph that summary, ONNX export and the lab's graph view read.
 * Tensors are identified by object identity: an op's output is the very object
 * a later op receives as input.
 */

export interface TracedOp {
  /** Position in Trace.ops. */
  index: number;
  /** The public op the user called ('conv2d', 'maxPool2d', 'add', …). */
  op: string;
  /** Resolved attributes (padding as [top, bottom, left, right], axes normalised, …). */
  attrs: Readonly<Record<string, unknown>>;
  /** Tensor inputs in the op's order; an optional input that was not given (a conv without bias) is left out. */
  inputs: Tensor[];
  outputs: Tensor[];
  /** The innermost module call the op ran in; null outside any module. */
  scope: ModuleScope | null;
}

export interface ModuleScope {
  module: object;
  path: string;
  type: string;
  parent: ModuleScope | null;
  inputs: Tensor[];
  outputs: Tensor[];
  /** Index of the first op run inside this call (its own or its children's). */
  firstOp: number;
  /** One past the last op run inside this call. */
  endOp: number;
}

export interface Trace {
  ops: TracedOp[];
  /** Module calls in the order they started (a parent before its children). */
  calls: ModuleScope[];
}

interface Tracer extends Trace {
  scope: ModuleScope | null;
}

let active: Tracer | null = null;

/**
 * Run fn and return what it computed with every op and module call it made.
 * Nestable: an inner trace sees only its own ops, and the outer one resumes after.
 */
export function trace<T>(fn: () => T): { result: T } & Trace {
  const prev = active;
  const t: Tracer = { ops: [], calls: [], scope: null };
  active = t;
  try {
    const result = fn();
    return { result, ops: t.ops, calls: t.calls };
  } finally {
    active = prev;
  }
}

export function isTracing(): boolean {
  return active !== null;
}

/** Report one op to the active tracer (nothing happens when none is active). */
export function traceOp(op: string, attrs: Record<string, unknown>, inputs: readonly (Tensor | null | undefined)[], outputs: readonly Tensor[]): void {
  if (!active) return;
  const ins: Tensor[] = [];
  for (const t of inputs) if (t) ins.push(t);
  active.ops.push({ index: active.ops.length, op, attrs: Object.freeze({ ...attrs }), inputs: ins, outputs: [...outputs], scope: active.scope });
}

/** Open a module call; ops until the matching exitModule belong to it. */
export function enterModule(module: object, path: string, type: string, inputs: readonly Tensor[]): void {
  if (!active) return;
  const s: ModuleScope = { module, path, type, parent: active.scope, inputs: [...inputs], outputs: [], firstOp: active.ops.length, endOp: active.ops.length };
  active.calls.push(s);
  active.scope = s;
}

/** Close the innermost open module call with its outputs (empty when its forward threw). */
export function exitModule(outputs: readonly Tensor[]): void {
  if (!active || !active.scope) return;
  const s = active.scope;
  s.outputs = [...outputs];
  s.endOp = active.ops.length;
  active.scope = s.parent;
}

/**
 * Run fn with the tracer paused: an op that records its backward rule on one
 * output but has more (max pooling's indices) reports itself once, afterwards.
 */
export function untraced<T>(fn: () => T): T {
  const prev = active;
  active = null;
  try {
    return fn();
  } finally {
    active = prev;
  }
}
