import { ArgumentError, Tensor } from '../../tensor/index.js';
import { noGrad } from '../../autograd/index.js';
import { trace } from '../../autograd/trace.js';
import type { AnyModule } from '../../nn/module.js';
import { ModelProto, tensorToProto, ElemType, type OnnxTensorProto } from './proto.js';
import { EXPORTERS, type AttrValue, type OnnxNodeOut } from './export-ops.js';

export interface ExportOnnxOptions {
  /** ONNX opset of the default domain (13 to 17: the emitted operators read the same in all of them). */
  opset?: number;
  /** Make the first axis of every input and output a named dimension ('batch'), so any batch size runs. */
  dynamicBatch?: boolean;
  inputNames?: string[];
  outputNames?: string[];
}

const ELEM: Record<string, number> = { float32: ElemType.FLOAT, float64: ElemType.DOUBLE, int32: ElemType.INT64 };

function valueInfo(name: string, t: Tensor, dynamicBatch: boolean) {
  return {
    name,
    type: { tensor_type: { elem_type: ELEM[t.dtype], shape: { dim: t.shape.map((d, i) => (i === 0 && dynamicBatch ? { dim_param: 'batch' } : { dim_value: d })) } } },
  };
}

const attrOf = (name: string, v: AttrValue) => {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === 'object') return { name, type: 1, f: v.float };
  return { name, type: 2, i: v };
};

/**
 * The model as ONNX bytes, built from one traced forward pass on `sample` in eval
 * mode (batch norm with its running statistics, dropout as identity). Initializers
 * carry the parameters' dotted paths, so the file's weights line up with stateDict().
 */
export function exportOnnx(model: AnyModule, sample: Tensor | Tensor[], opts: ExportOnnxOptions = {}): Uint8Array {
  const opset = opts.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 13 || opset > 17) throw new ArgumentError('exportOnnx', `opset must be an integer from 13 to 17, got ${String(opset)}`);
  const inputs = Array.isArray(sample) ? sample : [sample];
  const dynamicBatch = opts.dynamicBatch ?? false;
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  let traced;
  try {
    traced = trace(() => noGrad(() => model.call(...inputs)));
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
  const outValue = traced.result as unknown;
  const outputs = outValue instanceof Tensor ? [outValue] : Array.isArray(outValue) ? (outValue as Tensor[]) : Object.values(outValue as Record<string, Tensor>);

  const names = new Map<Tensor, string>();
  const used = new Set<string>();
  const unique = (hint: string) => {
    let n = hint;
    for (let k = 1; used.has(n); k++) n = `${hint}_${k}`;
    used.add(n);
    return n;
  };
  const initializers: OnnxTensorProto[] = [];
  for (const [k, t] of Object.entries(model.stateDict())) {
    names.set(t, unique(k));
  }
  const inputNames = inputs.map((t, i) => {
    const n = unique(opts.inputNames?.[i] ?? (inputs.length === 1 ? 'input' : `input_${i}`));
    names.set(t, n);
    return n;
  });
  const referenced = new Set<Tensor>();
  const nodes: OnnxNodeOut[] = [];
  const constant = (t: Tensor, hint: string) => {
    const n = unique(hint);
    initializers.push(tensorToProto(t, n));
    return n;
  };
  for (const op of traced.ops) {
    const emit = EXPORTERS[op.op];
    const where = op.scope ? `${op.scope.type} "${op.scope.path || '(root)'}"` : 'the model';
    if (!emit) throw new ArgumentError('exportOnnx', `the op ${op.op} in ${where} has no ONNX form yet (exportable: ${Object.keys(EXPORTERS).join(', ')})`);
    const ins = op.inputs.map((t) => {
      let n = names.get(t);
      if (n === undefined) n = constant(t, `${op.op}_const`); // a tensor made inside forward (a scalar, a mask)
      names.set(t, n);
      referenced.add(t);
      return n;
    });
    const prefix = op.scope?.path ? `${op.scope.path}/` : '';
    const outs = op.outputs.map((t, i) => {
      const n = unique(`${prefix}${op.op}_${op.index}${i ? `_${i}` : ''}`);
      names.set(t, n);
      return n;
    });
    emit({
      op,
      inputs: ins,
      outputs: outs,
      dynamicBatch,
      constant,
      temp: (hint) => unique(`${prefix}${hint}_${op.index}`),
      node: (op_type, input, output, attrs = {}) => {
        nodes.push({ op_type, input, output, name: unique(`${prefix}${op_type}_${op.index}`), attribute: Object.entries(attrs).map(([k, v]) => attrOf(k, v)) });
      },
    });
  }
  // Parameters and buffers that the graph reads become initializers under their paths.
  for (const [k, t] of Object.entries(model.stateDict())) if (referenced.has(t)) initializers.push(tensorToProto(t, names.get(t) ?? k));
  const outputNames = outputs.map((t, i) => {
    const inner = names.get(t);
    if (inner === undefined) throw new ArgumentError('exportOnnx', `output ${i} is not computed by a traced op`);
    const want = opts.outputNames?.[i] ?? (outputs.length === 1 ? 'output' : `output_${i}`);
    const n = unique(want);
    nodes.push({ op_type: 'Identity', input: [inner], output: [n], name: unique(`output_${i}`), attribute: [] });
    return n;
  });
  const graph = {
    name: model.typeName,
    node: nodes,
    initializer: initializers,
    input: inputs.map((t, i) => valueInfo(inputNames[i], t, dynamicBatch)),
    output: outputs.map((t, i) => valueInfo(outputNames[i], t, dynamicBatch)),
  };
  const proto = { ir_version: 8, producer_name: 'receptive', opset_import: [{ domain: '', version: opset }], graph };
  return ModelProto.encode(ModelProto.fromObject(proto)).finish();
}
