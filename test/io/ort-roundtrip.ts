import * as ort from 'onnxruntime-node';
import { RNG, type Tensor } from '../../src/tensor/index.js';
import { noGrad } from '../../src/autograd/index.js';
import { BatchNorm2d, type AnyModule } from '../../src/nn/index.js';
import { exportOnnx, importOnnx, type ExportOnnxOptions } from '../../src/io/onnx/index.js';

/*
 * Export -> ONNX Runtime -> compare, and export -> importOnnx -> compare: the
 * measurement shared by the export tests and scripts/onnx-zoo-roundtrip.ts.
 */

export interface RoundTrip {
  bytes: Uint8Array;
  /** Largest |ORT − Receptive| and the same over the largest |Receptive output|. */
  ortMaxAbs: number;
  ortRel: number;
  /** Largest |re-imported − Receptive|. */
  reimportMaxAbs: number;
  scale: number;
  outShape: number[];
  ortShape: number[];
}

/**
 * Batch-norm statistics of a fresh model are 0 and 1, so eval-mode batch norm is
 * nearly the identity and a wrong epsilon or argument order would go unseen (and
 * deep residual nets blow up). Set every batch norm's running statistics to those
 * of one training-mode pass over `x` (cumulative momentum: the first batch is the
 * average), then draw its scale and shift around 1 and 0.
 */
export function calibrateBatchNorm(model: AnyModule, x: Tensor, rng = new RNG(99)): void {
  const bns = model.namedModules().map(([, m]) => m).filter((m): m is BatchNorm2d => m instanceof BatchNorm2d);
  const saved = bns.map((m) => m.config);
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  try {
    for (const m of bns) (m as { config: unknown }).config = { ...m.config, momentum: null };
    model.eval();
    for (const m of bns) m.train();
    noGrad(() => model.call(x));
  } finally {
    bns.forEach((m, i) => ((m as { config: unknown }).config = saved[i]));
    for (const [m, t] of modes) m.training = t;
  }
  for (const m of bns) {
    const fill = (t: Tensor | null | undefined, f: () => number) => {
      if (t) for (let i = 0; i < t.size; i++) t.data[i] = f();
    };
    fill(m.weight, () => 0.5 + rng.random());
    fill(m.bias, () => rng.normal() * 0.2);
  }
}

export async function ortRoundTrip(model: AnyModule, x: Tensor, opts: ExportOnnxOptions & { runBatch?: Tensor } = {}): Promise<RoundTrip> {
  const { runBatch, ...exportOpts } = opts;
  const bytes = exportOnnx(model, x, exportOpts);
  const input = runBatch ?? x;
  model.eval();
  const want = noGrad(() => model.call(input)) as Tensor;
  const session = await ort.InferenceSession.create(bytes);
  const res = await session.run({ input: new ort.Tensor('float32', Float32Array.from(input.data), [...input.shape]) });
  await session.release();
  const got = res.output.data as Float32Array;
  let ortMaxAbs = 0;
  let scale = 0;
  for (let i = 0; i < want.size; i++) {
    ortMaxAbs = Math.max(ortMaxAbs, Math.abs(got[i] - want.data[i]));
    scale = Math.max(scale, Math.abs(want.data[i]));
  }
  const back = noGrad(() => importOnnx(bytes).call(input)) as Tensor;
  let reimportMaxAbs = 0;
  for (let i = 0; i < want.size; i++) reimportMaxAbs = Math.max(reimportMaxAbs, Math.abs(back.data[i] - want.data[i]));
  if (back.size !== want.size) reimportMaxAbs = Infinity;
  return { bytes, ortMaxAbs, ortRel: ortMaxAbs / Math.max(scale, 1e-6), reimportMaxAbs, scale, outShape: [...want.shape], ortShape: res.output.dims.map(Number) };
}
