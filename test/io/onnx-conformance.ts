import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, ReceptiveError } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { importOnnx, decodeModel, decodeTensor, tensorFromProto, ONNX_OPS } from '../../src/io/onnx/index.js';
import { TensorProto, type OnnxTensorProto } from '../../src/io/onnx/proto.js';

/** Where Debian's libonnx-testdata puts ONNX's per-operator cases (model + inputs + expected outputs). */
export const ONNX_NODE_CASES = '/usr/share/libonnx-testdata/data/node';

export type Verdict = 'pass' | 'wrong' | 'refused' | 'unsupported-op';
export interface CaseResult {
  name: string;
  ops: string[];
  verdict: Verdict;
  detail: string;
}

function close(got: Tensor, want: Tensor): string | null {
  if (got.shape.join() !== want.shape.join()) return `shape [${got.shape}] vs expected [${want.shape}]`;
  const scale = Math.max(1, ...Array.from(want.data, Math.abs).filter(Number.isFinite));
  for (let i = 0; i < want.size; i++) {
    const a = got.data[i];
    const b = want.data[i];
    if (Number.isNaN(b) ? !Number.isNaN(a) : Math.abs(a - b) > 1e-4 * scale + 1e-4 * Math.abs(b) && a !== b) return `index ${i}: ${a} vs expected ${b}`;
  }
  return null;
}

/** Run one case directory; an OnnxError or other ReceptiveError at import or run is a refusal, never a pass. */
export function runCase(dir: string): CaseResult {
  const name = dir.split('/').pop()!;
  const bytes = readFileSync(join(dir, 'model.onnx'));
  let ops: string[] = [];
  try {
    ops = [...new Set((decodeModel(bytes).graph!.node ?? []).map((n) => n.op_type))];
  } catch (e) {
    return { name, ops, verdict: 'refused', detail: (e as Error).message };
  }
  const missing = ops.filter((o) => !ONNX_OPS[o]);
  if (missing.length) return { name, ops, verdict: 'unsupported-op', detail: missing.join(', ') };
  const set = readdirSync(dir).find((d) => d.startsWith('test_data_set'));
  if (!set) return { name, ops, verdict: 'refused', detail: 'no test data' };
  const files = (p: string) => readdirSync(join(dir, set)).filter((f) => f.startsWith(p)).sort((a, b) => parseInt(a.slice(p.length)) - parseInt(b.slice(p.length)));
  try {
    const model = importOnnx(bytes, { file: name });
    const declared = (decodeModel(bytes).graph!.input ?? []).filter((v) => model.inputNames.includes(v.name)).map((v) => v.type?.tensor_type?.elem_type);
    const inputs = files('input_').map((f, i) => {
      const b = readFileSync(join(dir, set, f));
      if (declared[i] !== 16) return decodeTensor(b, f);
      // ONNX's cases store bfloat16 inputs as uint16 bit patterns (NumPy has no bfloat16): read them as the graph declares.
      const t = TensorProto.toObject(TensorProto.decode(b), { longs: Number, bytes: Uint8Array }) as OnnxTensorProto;
      return tensorFromProto({ ...t, data_type: 16 }, f);
    });
    const expected = files('output_').map((f) => decodeTensor(readFileSync(join(dir, set, f)), f));
    const out = noGrad(() => model.call(...inputs));
    const outs = out instanceof Tensor ? [out] : model.outputNames.map((n) => (out as Record<string, Tensor>)[n]);
    for (let i = 0; i < expected.length; i++) {
      const diff = close(outs[i], expected[i]);
      if (diff) return { name, ops, verdict: 'wrong', detail: `output ${i}: ${diff}` };
    }
    return { name, ops, verdict: 'pass', detail: '' };
  } catch (e) {
    if (e instanceof ReceptiveError) return { name, ops, verdict: 'refused', detail: e.message };
    return { name, ops, verdict: 'wrong', detail: `crashed: ${(e as Error).stack}` };
  }
}

export function runAll(root = ONNX_NODE_CASES): CaseResult[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).sort().map((d) => runCase(join(root, d)));
}

if (process.argv[1]?.endsWith('onnx-conformance.ts')) {
  const rs = runAll();
  const by = (v: Verdict) => rs.filter((r) => r.verdict === v);
  for (const r of [...by('wrong'), ...by('refused')]) console.log(`${r.verdict.padEnd(8)} ${r.name}: ${r.detail.split('\n')[0].slice(0, 220)}`);
  console.log(`pass ${by('pass').length}, wrong ${by('wrong').length}, refused ${by('refused').length}, unsupported op ${by('unsupported-op').length}`);
}
