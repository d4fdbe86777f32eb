import type { Tensor } from '../tensor/index.js';

/*
 * The op-level trace: while `trace(fn)` runs, every op reports its name,
 * resolved attributes, inputs and outputs, and every module call its scope.
 * summary, ONNX export and the lab's graph view read it.
 */

export interface TracedOp {
  index: number;
  op: string;
  attrs: Readonly<Record<string, unknown>>;
  inputs: Tensor[];
  outputs: Tensor[];
  scope: ModuleScope | null;
}

export interface ModuleScope {
  module: object;
  path: string;
  type: string;
  parent: ModuleScope | null;
  inputs: Tensor[];
  outputs: Tensor[];
  firstOp: number;
  /** exclusive */
  endOp: number;
}

export interface Trace {
  ops: TracedOp[];
  /** in call-start order */
  calls: ModuleScope[];
}

interface Tracer extends Trace {
  scope: ModuleScope | null;
}

let active: Tracer | null = null;

export function isTracing(): boolean {
  return active !== null;
}

/** Run fn and return every op and module call it made. Nestable. */
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

export function traceOp(op: string, attrs: Record<string, unknown>, inputs: readonly (Tensor | null | undefined)[], outputs: readonly Tensor[]): void {
  if (!active) return;
  const ins = inputs.filter((x): x is Tensor => !!x);
  active.ops.push({ index: active.ops.length, op, attrs, inputs: ins, outputs: [...outputs], scope: active.scope });
}

export function enterModule(module: object, path: string, type: string, inputs: readonly Tensor[]): void {
  if (!active) return;
  const n = active.ops.length;
  const s: ModuleScope = { module, path, type, parent: active.scope, inputs: [...inputs], outputs: [], firstOp: n, endOp: n };
  active.calls.push(s);
  active.scope = s;
}

export function exitModule(outputs: readonly Tensor[]): void {
  if (!active || !active.scope) return;
  const s = active.scope;
  s.outputs = [...outputs];
  s.endOp = active.ops.length;
  active.scope = s.parent;
}
