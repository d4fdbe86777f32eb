import { ArgumentError, Tensor, zeros, type DType } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { trace, type ModuleScope, type TracedOp } from '../autograd/trace.js';
import { Module, type AnyModule } from './module.js';
import { receptiveFields, type SpatialExtent } from './receptive-field.js';

export interface SummaryRow {
  /** Dotted module path ('' for the model itself). */
  path: string;
  type: string;
  /** Nesting depth of the call: 0 for the model itself. */
  depth: number;
  /** Shape of the first output (see outputShapes for modules with several). */
  outputShape: number[];
  outputShapes: number[][];
  /** Parameters owned by this module itself (children count on their own rows; a module called twice counts once). */
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Buffer elements owned by this module itself (batch norm's running statistics). */
  buffers: number;
  /** Multiply-accumulates of the convolutions and matrix products run by this call itself, not by its children. */
  macs: number;
  /** Bytes of the tensors the call's own ops produced (views of their input are free). */
  activationBytes: number;
  /** Receptive field [h, w] of the first output, in input pixels; null when it does not derive from a 4-D input. */
  receptiveField: [number, number] | null;
  /** Jump (effective stride) [h, w] of the first output, in input pixels. */
  jump: [number, number] | null;
  /** Per axis: whether each output element sees the whole input. */
  global: [boolean, boolean] | null;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  totalBuffers: number;
  totalMacs: number;
  /** Bytes of every tensor the forward pass produced (the activations kept for backward). */
  activationBytes: number;
  paramBytes: number;
  /** The first input's shape; inputShapes lists all. */
  inputShape: number[];
  inputShapes: number[][];
  toString(): string;
}

export interface SummaryOptions {
  dtype?: DType;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };
const bytesOf = (t: Tensor): number => t.size * BYTES[t.dtype];

/**
 * Multiply-accumulates of one op, as torchvision's model pages count them:
 * convolutions (output elements × inChannels/groups × kH × kW; a transposed
 * convolution from its input side) and matrix products (batch·M·N·K).
 */
export function opMacs(op: TracedOp): number {
  const [x, w] = op.inputs;
  const y = op.outputs[0];
  switch (op.op) {
    case 'conv2d':
      return y.size * w.shape[1] * w.shape[2] * w.shape[3];
    case 'convTranspose2d':
      return x.size * w.shape[1] * w.shape[2] * w.shape[3];
    case 'linear':
      return y.size * w.shape[1];
    case 'matmul':
      return y.size * x.shape[x.rank - 1];
    default:
      return 0;
  }
}

/** Bytes an op allocated: outputs that share data with an input (reshape, eval dropout) cost nothing. */
function opBytes(op: TracedOp): number {
  let b = 0;
  for (const o of op.outputs) if (!op.inputs.some((i) => i.data === o.data)) b += bytesOf(o);
  return b;
}

function checkShapes(inputShape: readonly number[] | readonly (readonly number[])[]): number[][] {
  const list = Array.isArray(inputShape) && inputShape.length > 0 && Array.isArray(inputShape[0]) ? (inputShape as readonly (readonly number[])[]) : [inputShape as readonly number[]];
  return list.map((s, i) => {
    if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new ArgumentError('summary', `input shape ${i} must be a non-empty array of positive integers, got ${JSON.stringify(s)}`);
    }
    return [...s];
  });
}

/** Tensors in a module's result: a Tensor, an array of them, or a record of them. */
function flattenOutputs(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  if (Array.isArray(out)) return out.flatMap(flattenOutputs);
  if (out !== null && typeof out === 'object') return Object.values(out).flatMap(flattenOutputs);
  return [];
}

/** Every module in the tree, parents before children, through namedChildren. */
function modulesOf(m: AnyModule, out: AnyModule[] = []): AnyModule[] {
  out.push(m);
  for (const [, c] of m.namedChildren()) modulesOf(c, out);
  return out;
}

function ownCounts(m: AnyModule): { trainable: number; nonTrainable: number; buffers: number } {
  let trainable = 0;
  let nonTrainable = 0;
  let buffers = 0;
  for (const [name, t] of m.namedParameters()) {
    if (name.includes('.')) continue;
    if (t.requiresGrad) trainable += t.size;
    else nonTrainable += t.size;
  }
  for (const [name, t] of m.namedBuffers()) if (!name.includes('.')) buffers += t.size;
  return { trainable, nonTrainable, buffers };
}

/**
 * The table people know from Keras and torchinfo, built from one traced forward
 * pass (eval mode, no gradients) on zeros of each input shape: one row per
 * module call with its output shapes, own parameters and buffers, MACs,
 * activation memory, and the receptive field and jump of its output.
 */
export function summary(model: AnyModule, inputShape: readonly number[] | readonly (readonly number[])[], opts: SummaryOptions = {}): ModelSummary {
  if (!(model instanceof Module)) throw new ArgumentError('summary', 'model must be a Module');
  const dtype = opts.dtype ?? 'float32';
  const shapes = checkShapes(inputShape);
  const inputs = shapes.map((s) => zeros(s, { dtype }));
  const modes = modulesOf(model).map((m) => [m, m.training] as const);
  model.eval();
  let traced;
  try {
    traced = trace(() => noGrad(() => flattenOutputs(model.call(...inputs))));
  } finally {
    for (const [m, mode] of modes) m.train(mode);
  }
  const { ops, calls } = traced;
  const fields = receptiveFields(ops, inputs);
  const macs = new Map<ModuleScope, number>();
  const bytes = new Map<ModuleScope, number>();
  for (const op of ops) {
    if (!op.scope) continue;
    macs.set(op.scope, (macs.get(op.scope) ?? 0) + opMacs(op));
    bytes.set(op.scope, (bytes.get(op.scope) ?? 0) + opBytes(op));
  }
  const seen = new Set<object>();
  const rows = calls.map((c): SummaryRow => {
    const own = seen.has(c.module) || !(c.module instanceof Module) ? { trainable: 0, nonTrainable: 0, buffers: 0 } : ownCounts(c.module as AnyModule);
    seen.add(c.module);
    let depth = 0;
    for (let p = c.parent; p; p = p.parent) depth++;
    const f: SpatialExtent | undefined = c.outputs.map((t) => fields.get(t)).find((e) => e !== undefined);
    return {
      path: c.path,
      type: c.type,
      depth,
      outputShape: c.outputs.length ? [...c.outputs[0].shape] : [],
      outputShapes: c.outputs.map((t) => [...t.shape]),
      params: own.trainable + own.nonTrainable,
      trainableParams: own.trainable,
      nonTrainableParams: own.nonTrainable,
      buffers: own.buffers,
      macs: macs.get(c) ?? 0,
      activationBytes: bytes.get(c) ?? 0,
      receptiveField: f ? f.rf : null,
      jump: f ? f.jump : null,
      global: f ? f.global : null,
    };
  });
  // Totals over the whole model, each tensor once (a shared module's parameters too).
  const params = [...new Set(model.namedParameters().map(([, t]) => t))];
  const buffers = [...new Set(model.namedBuffers().map(([, t]) => t))];
  const trainableParams = params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0);
  const totalParams = params.reduce((s, p) => s + p.size, 0);
  const result: ModelSummary = {
    rows,
    totalParams,
    trainableParams,
    nonTrainableParams: totalParams - trainableParams,
    totalBuffers: buffers.reduce((s, b) => s + b.size, 0),
    totalMacs: ops.reduce((s, op) => s + opMacs(op), 0),
    activationBytes: ops.reduce((s, op) => s + opBytes(op), 0),
    paramBytes: params.reduce((s, p) => s + bytesOf(p), 0),
    inputShape: [...shapes[0]],
    inputShapes: shapes,
    toString: () => renderSummary(result, model.typeName),
  };
  return result;
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtMB = (b: number): string => `${(b / 1048576).toFixed(2)} MB`;
const fmtNum = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** 1234567 -> '1.23M': three significant digits, as model tables print MACs. */
function formatCount(n: number): string {
  if (n < 1000) return String(n);
  const units = ['K', 'M', 'G', 'T'];
  let u = -1;
  let v = n;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${units[u]}`;
}

function renderSummary(s: ModelSummary, name: string): string {
  const showNonTrainable = s.nonTrainableParams > 0;
  const showBuffers = s.totalBuffers > 0;
  const head = ['Layer (type)', 'Output shape', 'Param #', ...(showNonTrainable ? ['Non-trainable'] : []), ...(showBuffers ? ['Buffers'] : []), 'MACs', 'RF', 'Jump'];
  const table = [head];
  for (const r of s.rows) {
    const rf = r.receptiveField ? `${fmtNum(r.receptiveField[0])}x${fmtNum(r.receptiveField[1])}${r.global?.every(Boolean) ? ' (all)' : ''}` : '--';
    table.push([
      `${'  '.repeat(r.depth)}${r.path || '(root)'} (${r.type})`,
      r.outputShapes.map((o) => `[${o.join(', ')}]`).join(' ') || '--',
      r.params ? fmtInt(r.params) : '--',
      ...(showNonTrainable ? [r.nonTrainableParams ? fmtInt(r.nonTrainableParams) : '--'] : []),
      ...(showBuffers ? [r.buffers ? fmtInt(r.buffers) : '--'] : []),
      r.macs ? formatCount(r.macs) : '--',
      rf,
      // A jump means nothing once every element sees the whole input.
      r.jump && !r.global?.every(Boolean) ? `${fmtNum(r.jump[0])}x${fmtNum(r.jump[1])}` : '--',
    ]);
  }
  const widths = head.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${name} summary, input ${s.inputShapes.map((i) => `[${i.join(', ')}]`).join(', ')}`,
    rule,
    line(head),
    rule,
    ...table.slice(1).map(line),
    rule,
    `Total params: ${fmtInt(s.totalParams)}`,
    `Trainable params: ${fmtInt(s.trainableParams)}`,
    `Non-trainable params: ${fmtInt(s.nonTrainableParams)}`,
    ...(showBuffers ? [`Buffers: ${fmtInt(s.totalBuffers)}`] : []),
    `MACs: ${formatCount(s.totalMacs)} (${fmtInt(s.totalMacs)})`,
    `Activations (one forward pass): ${fmtMB(s.activationBytes)}`,
    `Parameters: ${fmtMB(s.paramBytes)}`,
  ].join('\n');
}
