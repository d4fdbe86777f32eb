import { decodeModel } from './proto.js';
import { OnnxGraphModule, type ImportOnnxOptions } from './graph-module.js';

export { OnnxGraphModule, ONNX_OPS, type ImportOnnxOptions } from './graph-module.js';
export { OnnxError } from './attrs.js';
export { decodeModel, decodeTensor, tensorFromProto, tensorToProto, ONNX_LIMITS } from './proto.js';

/** An ONNX model (its bytes) as a Module that runs on every backend and trains. */
export function importOnnx(bytes: Uint8Array, opts: ImportOnnxOptions = {}): OnnxGraphModule {
  return new OnnxGraphModule(decodeModel(bytes, opts.file), opts);
}
export { exportOnnx, type ExportOnnxOptions } from './export.js';
