import { ArgumentError, zeros, type DType, type Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { trace } from '../autograd/trace.js';
import { Module, type AnyModule } from './module.js';

export interface SummaryRow {
  path: string;
  type: string;
  depth: number;
  outputShape: number[];
  /** Parameters owned by this module itself (children counted on their own rows). */
  params: number;
  trainable: boolean;
}

export interface ModelSummary {
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  /** Bytes of every module output for one forward pass (the activations kept for backward). */
  activationBytes: number;
  paramBytes: number;
  inputShape: number[];
  toString(): string;
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

function ownParams(m: AnyModule): { count: number; trainable: boolean } {
  let count = 0;
  let trainable = true;
  for (const [name, t] of m.namedParameters()) {
    if (name.includes('.')) continue;
    count += t.size;
    trainable &&= t.requiresGrad;
  }
  return { count, trainable };
}

/**
 * The table people know from Keras and torchinfo: one row per module call with
 * its output shape and parameter count, then totals. It runs one real forward
 * pass (without recording gradients) on zeros of `inputShape`.
 */
export function summary(model: AnyModule, inputShape: readonly number[], opts: { dtype?: DType } = {}): ModelSummary {
  if (!(model instanceof Module)) throw new ArgumentError('summary', 'model must be a Module');
  const dtype = opts.dtype ?? 'float32';
  const wasTraining = model.training;
  model.eval();
  let calls;
  try {
    calls = trace(() => noGrad(() => model.call(zeros(inputShape, { dtype })))).calls.map((c) => ({ module: c.module as AnyModule, path: c.path, output: c.outputs[0]?.shape ?? [] }));
  } finally {
    model.train(wasTraining);
  }
  // Calls finish children-first; list each module in tree order instead.
  const order = new Map(model.namedModules().map(([p], i) => [p, i]));
  const seen = new Set<Module>();
  const rows: SummaryRow[] = [];
  for (const c of [...calls].sort((a, b) => (order.get(a.path) ?? 0) - (order.get(b.path) ?? 0))) {
    const own = seen.has(c.module) ? { count: 0, trainable: true } : ownParams(c.module);
    seen.add(c.module);
    rows.push({
      path: c.path || '(root)',
      type: c.module.typeName,
      depth: c.path ? c.path.split('.').length : 0,
      outputShape: [...c.output],
      params: own.count,
      trainable: own.trainable,
    });
  }
  const params: Tensor[] = model.parameters();
  const totalParams = params.reduce((s, p) => s + p.size, 0);
  const trainableParams = params.filter((p) => p.requiresGrad).reduce((s, p) => s + p.size, 0);
  // Count each output once: containers only pass on their last child's output.
  const leafRows = rows.filter((r, i) => calls.find((c) => (c.path || '(root)') === r.path && c.module.namedChildren().length === 0) && rows.indexOf(r) === i);
  const activationBytes = leafRows.reduce((s, r) => s + r.outputShape.reduce((a, b) => a * b, 1) * BYTES[dtype], 0);
  const paramBytes = totalParams * BYTES[dtype];
  const result: ModelSummary = {
    rows,
    totalParams,
    trainableParams,
    activationBytes,
    paramBytes,
    inputShape: [...inputShape],
    toString: () => renderSummary(result, model.typeName),
  };
  return result;
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const fmtMB = (b: number): string => `${(b / 1048576).toFixed(2)} MB`;

function renderSummary(s: ModelSummary, name: string): string {
  const table = [['Layer (type)', 'Output shape', 'Param #', 'Trainable']];
  for (const r of s.rows) {
    if (r.path === '(root)') continue;
    table.push([`${'  '.repeat(r.depth - 1)}${r.path} (${r.type})`, `[${r.outputShape.join(', ')}]`, r.params ? fmtInt(r.params) : '--', r.params ? (r.trainable ? 'yes' : 'no') : '']);
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c >= 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  const rule = '='.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${name} summary, input [${s.inputShape.join(', ')}]`,
    rule,
    line(table[0]),
    rule,
    ...table.slice(1).map(line),
    rule,
    `Total params: ${fmtInt(s.totalParams)}`,
    `Trainable params: ${fmtInt(s.trainableParams)}`,
    `Non-trainable params: ${fmtInt(s.totalParams - s.trainableParams)}`,
    `Activations (one forward pass): ${fmtMB(s.activationBytes)}`,
    `Parameters: ${fmtMB(s.paramBytes)}`,
  ].join('\n');
}
