import { ReceptiveError, Tensor } from '../../tensor/index.js';
import { Module } from '../../nn/module.js';
import { NodeContext, OnnxError } from './attrs.js';
import { NN_OPS, type OpImpl } from './ops-nn.js';
import { TENSOR_OPS } from './ops-tensor.js';
import { tensorFromProto, toNumber, type OnnxModel, type OnnxNode } from './proto.js';

/** The ONNX operators importOnnx can run, by op_type. */
export const ONNX_OPS: Readonly<Record<string, OpImpl>> = { ...NN_OPS, ...TENSOR_OPS };

export interface ImportOnnxOptions {
  /** Shown in errors. */
  file?: string;
}

/**
 * An imported ONNX graph as a Module: it runs the nodes in order through the op
 * table on the active backend. Floating-point initializers are parameters (so the
 * model trains and its state dict carries the initializer names); integer ones
 * (shapes, indices) are buffers.
 */
export class OnnxGraphModule extends Module<Tensor[], Tensor | Record<string, Tensor>> {
  static override readonly typeName = 'OnnxGraph';
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly opset: number;
  private readonly nodes: NodeContext[];
  /** Initializer name -> the registered name (they differ only where a name would shadow a Module member). */
  private readonly stateNames = new Map<string, string>();

  constructor(model: OnnxModel, opts: ImportOnnxOptions = {}) {
    super();
    const file = opts.file ?? 'model.onnx';
    const g = model.graph!;
    const imports = model.opset_import ?? [];
    const main = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
    this.opset = toNumber(main?.version ?? 1);
    const inits = new Set<string>();
    for (const init of g.initializer ?? []) {
      const t = tensorFromProto(init, file);
      const name = init.name ?? '';
      inits.add(name);
      const key = name in this ? `initializer:${name}` : name;
      this.stateNames.set(name, key);
      if (t.dtype === 'int32') this.registerBuffer(key, t);
      else this.registerParameter(key, t);
    }
    // Exporters such as Paddle2ONNX store weights as Constant nodes: those feeding a weight slot become state too.
    const lifted = liftWeightConstants(g.node ?? [], file);
    for (const [name, { t, buffer }] of lifted) {
      inits.add(name);
      const key = name in this ? `initializer:${name}` : name;
      this.stateNames.set(name, key);
      if (buffer || t.dtype === 'int32') this.registerBuffer(key, t);
      else this.registerParameter(key, t);
    }
    this.inputNames = (g.input ?? []).map((v) => v.name).filter((n) => !inits.has(n));
    this.outputNames = (g.output ?? []).map((v) => v.name);
    this.nodes = (g.node ?? []).filter((n) => !(n.op_type === 'Constant' && lifted.has(n.output?.[0] ?? ''))).map((n) => {
      const ctx = new NodeContext(n, this.opset, file);
      if (n.domain && n.domain !== 'ai.onnx') throw new OnnxError(`${ctx.where}: operators of domain "${n.domain}" are not supported`);
      if (!ONNX_OPS[n.op_type]) throw new OnnxError(`${ctx.where}: the operator ${n.op_type} is not supported (supported: ${Object.keys(ONNX_OPS).sort().join(', ')})`);
      return ctx;
    });
  }

  forward(...inputs: Tensor[]): Tensor | Record<string, Tensor> {
    if (inputs.length !== this.inputNames.length) {
      throw new OnnxError(`the graph takes ${this.inputNames.length} input(s) (${this.inputNames.join(', ')}), got ${inputs.length}`);
    }
    const values = new Map<string, Tensor>();
    for (const [name, key] of this.stateNames) values.set(name, (this.getParameter(key) ?? this.getBuffer(key))!);
    this.inputNames.forEach((n, i) => values.set(n, inputs[i]));
    for (const ctx of this.nodes) {
      const ins = (ctx.node.input ?? []).map((n) => {
        if (!n) return null;
        const v = values.get(n);
        if (!v) throw new OnnxError(`${ctx.where}: input "${n}" is not computed before this node`);
        return v;
      });
      const need = ctx.node.op_type === 'Reshape' && this.opset < 5 ? 1 : (MIN_INPUTS[ctx.node.op_type] ?? 1);
      if (ins.slice(0, need).some((t) => !t)) throw new OnnxError(`${ctx.where}: needs ${need} input(s), got ${ins.filter(Boolean).length}`);
      let outs: Tensor[];
      try {
        outs = ONNX_OPS[ctx.node.op_type](ins, ctx);
      } catch (e) {
        if (e instanceof OnnxError) throw e;
        // A malformed node (attributes of the wrong kind or count) must not surface as a crash deep in an op.
        throw new OnnxError(`${ctx.where}: ${e instanceof ReceptiveError ? e.message : `malformed node (${(e as Error).message})`}`);
      }
      (ctx.node.output ?? []).forEach((n, i) => {
        if (n && outs[i]) values.set(n, outs[i]);
      });
    }
    const outs = this.outputNames.map((n) => {
      const v = values.get(n);
      if (!v) throw new OnnxError(`the graph output "${n}" is never computed`);
      return v;
    });
    return outs.length === 1 ? outs[0] : Object.fromEntries(this.outputNames.map((n, i) => [n, outs[i]]));
  }
}

/** Inputs an op cannot run without (ONNX's required inputs); ops not listed need one. */
const MIN_INPUTS: Record<string, number> = {
  Constant: 0, Conv: 2, ConvTranspose: 2, Gemm: 2, MatMul: 2, BatchNormalization: 5, InstanceNormalization: 3,
  Add: 2, Sub: 2, Mul: 2, Div: 2, Pow: 2, Equal: 2, Less: 2, Greater: 2, Where: 3, Expand: 2, Gather: 2, Reshape: 2, ConstantOfShape: 1,
};

/** Input slots that hold learned weights (true) or statistics (false: buffers), per op. */
const WEIGHT_SLOTS: Record<string, Record<number, boolean>> = {
  Conv: { 1: true, 2: true },
  ConvTranspose: { 1: true, 2: true },
  Gemm: { 1: true, 2: true },
  MatMul: { 1: true },
  BatchNormalization: { 1: true, 2: true, 3: false, 4: false },
  InstanceNormalization: { 1: true, 2: true },
};

function liftWeightConstants(nodes: OnnxNode[], file: string): Map<string, { t: ReturnType<typeof tensorFromProto>; buffer: boolean }> {
  const constants = new Map<string, OnnxNode>();
  for (const n of nodes) if (n.op_type === 'Constant' && n.output?.[0] && n.attribute?.[0]?.name === 'value' && n.attribute[0].t) constants.set(n.output[0], n);
  const out = new Map<string, { t: ReturnType<typeof tensorFromProto>; buffer: boolean }>();
  for (const n of nodes) {
    const slots = WEIGHT_SLOTS[n.op_type];
    if (!slots) continue;
    (n.input ?? []).forEach((name, i) => {
      const c = constants.get(name);
      if (!c || !(i in slots) || out.has(name)) return;
      const t = tensorFromProto(c.attribute![0].t!, file);
      if (t.dtype !== 'int32') out.set(name, { t, buffer: !slots[i] });
    });
  }
  // A constant also read elsewhere as a plain value stays a constant.
  for (const n of nodes) {
    const slots = WEIGHT_SLOTS[n.op_type] ?? {};
    (n.input ?? []).forEach((name, i) => {
      if (out.has(name) && !(i in slots)) out.delete(name);
    });
  }
  return out;
}
