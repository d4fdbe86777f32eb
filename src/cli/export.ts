import { writeFileAtomic } from '../io/atomic.js';
import { zeros } from '../tensor/index.js';
import { exportOnnx } from '../io/onnx/index.js';
import { getModelEntry, listModels } from '../models/index.js';
import { ArgumentError } from '../tensor/index.js';
import { loadModel } from './commands.js';

export interface ExportFlags {
  format: string;
  out: string;
  input?: number[];
  opset?: number;
  dynamicBatch?: boolean;
}

/** `receptive export`: a checkpoint's model as an ONNX file (eval-mode graph, weights under their state-dict paths). */
export async function runExport(checkpoint: string, o: ExportFlags): Promise<string> {
  if (o.format !== 'onnx') throw new ArgumentError('export', `--format must be onnx, got ${o.format}`);
  const { model, info } = await loadModel(checkpoint);
  const name = info.model.name;
  // The sample input: --input; else what the CLI trained it on (28x28 images of the recorded dataset, which a
  // zoo model's input pre-hook pads or resizes); else the model's registered input with the checkpoint's channels.
  let shape = o.input;
  if (!shape) {
    const c = (info.model.config as { inChannels?: number }).inChannels;
    if (info.dataset) shape = [1, c ?? 1, 28, 28];
    else if (listModels().includes(name)) {
      shape = [...getModelEntry(name).inputShape];
      if (c) shape[1] = c;
    } else throw new ArgumentError('export', `give --input NxCxHxW for a model of your own (${name})`);
  }
  const bytes = exportOnnx(model, zeros(shape), { opset: o.opset, dynamicBatch: o.dynamicBatch ?? true });
  writeFileAtomic(o.out, bytes);
  return `Wrote ${o.out} (${bytes.length.toLocaleString('en-US')} bytes, ONNX opset ${o.opset ?? 13}, input [${shape.join(', ')}]${o.dynamicBatch === false ? '' : ' with a dynamic batch'})`;
}
