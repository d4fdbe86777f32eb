import protobuf from 'protobufjs/light.js';
import { FormatError, Tensor, type DataArray } from '../../tensor/index.js';
import { ONNX_PROTO } from './onnx-proto.generated.js';
import { decodeBF16, decodeF16, f16FromNumber } from '../half.js';

/*
 * ONNX's protobuf messages, decoded by protobufjs from the vendored onnx.proto
 * (third_party/onnx), and TensorProto <-> Tensor. Receptive's dtypes are float32,
 * float64 and int32, so integer and boolean tensors become int32 (int64 values
 * outside its range are refused) and float16 becomes float32.
 */

const root = protobuf.Root.fromJSON(ONNX_PROTO as unknown as protobuf.INamespace);
export const ModelProto = root.lookupType('onnx.ModelProto');
export const TensorProto = root.lookupType('onnx.TensorProto');

/** Caps that keep a hostile file from allocating without bound. */
export const ONNX_LIMITS = { maxTensorElements: 2 ** 28, maxNodes: 100_000, maxRank: 8 };

export const enum ElemType {
  FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, STRING = 8, BOOL = 9, FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13, BFLOAT16 = 16,
}

const TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 16: 'BFLOAT16',
};

export interface OnnxTensorProto {
  dims?: (number | protobuf.Long)[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: (number | protobuf.Long)[];
  double_data?: number[];
  uint64_data?: (number | protobuf.Long)[];
  raw_data?: Uint8Array;
  name?: string;
  data_location?: number;
  external_data?: { key: string; value: string }[];
}

export interface OnnxAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: number | protobuf.Long;
  s?: Uint8Array;
  t?: OnnxTensorProto;
  floats?: number[];
  ints?: (number | protobuf.Long)[];
  strings?: Uint8Array[];
  g?: unknown;
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number | protobuf.Long; dim_param?: string }[] } } };
}

export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensorProto[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxModel {
  ir_version?: number | protobuf.Long;
  opset_import?: { domain?: string; version?: number | protobuf.Long }[];
  producer_name?: string;
  graph?: OnnxGraph;
}

/** Decoded with longs as numbers; Number() covers a Long object too (its valueOf). */
export const toNumber = (v: number | protobuf.Long | undefined | null): number => (v == null ? 0 : Number(v));

function decode<T>(type: protobuf.Type, bytes: Uint8Array, file: string, what: string): T {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(file, `expected the bytes of ${what} (a Uint8Array)`);
  try {
    return type.toObject(type.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as T;
  } catch (e) {
    const m = /offset (\d+)/.exec((e as Error).message);
    throw new FormatError(file, `not a valid ${what}: ${(e as Error).message}`, m ? Number(m[1]) : undefined);
  }
}

export function decodeModel(bytes: Uint8Array, file = 'model.onnx'): OnnxModel {
  const model = decode<OnnxModel>(ModelProto, bytes, file, 'ONNX model');
  if (!model.graph) throw new FormatError(file, 'the ONNX model has no graph');
  if ((model.graph.node?.length ?? 0) > ONNX_LIMITS.maxNodes) throw new FormatError(file, `the graph has ${model.graph.node!.length} nodes, over the limit of ${ONNX_LIMITS.maxNodes}`);
  return model;
}

export function decodeTensor(bytes: Uint8Array, file = 'tensor.pb'): Tensor {
  return tensorFromProto(decode<OnnxTensorProto>(TensorProto, bytes, file, 'ONNX TensorProto'), file);
}

/** A TensorProto's values as a Tensor (raw_data little-endian or the typed repeated fields). */
export function tensorFromProto(t: OnnxTensorProto, file = 'model.onnx'): Tensor {
  const name = t.name ? `tensor "${t.name}"` : 'a tensor';
  const dims = (t.dims ?? []).map(toNumber);
  if (dims.length > ONNX_LIMITS.maxRank || dims.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(file, `${name} has invalid dims [${dims.join(', ')}]`);
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > ONNX_LIMITS.maxTensorElements) throw new FormatError(file, `${name} has ${n} elements, over the limit of ${ONNX_LIMITS.maxTensorElements}`);
  if (t.data_location === 1 || t.external_data?.length) throw new FormatError(file, `${name} keeps its data in an external file, which importOnnx(bytes) cannot read; load the weights into the model file first`);
  const type = t.data_type ?? 0;
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  let data: DataArray;
  const check = (got: number) => {
    if (got !== n) throw new FormatError(file, `${name} of shape [${dims.join(', ')}] holds ${got} values, expected ${n}`);
  };
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const rawCount = (size: number) => {
    if (raw!.byteLength !== n * size) throw new FormatError(file, `${name} of shape [${dims.join(', ')}] has ${raw!.byteLength} bytes of raw data, expected ${n * size}`);
    return n;
  };
  switch (type) {
    case ElemType.FLOAT:
      data = new Float32Array(n);
      if (view) for (let i = 0, c = rawCount(4); i < c; i++) data[i] = view.getFloat32(i * 4, true);
      else (check(t.float_data?.length ?? 0), data.set(t.float_data ?? []));
      break;
    case ElemType.DOUBLE:
      data = new Float64Array(n);
      if (view) for (let i = 0, c = rawCount(8); i < c; i++) data[i] = view.getFloat64(i * 8, true);
      else (check(t.double_data?.length ?? 0), data.set(t.double_data ?? []));
      break;
    case ElemType.BFLOAT16:
      data = new Float32Array(n);
      if (view) for (let i = 0, c = rawCount(2); i < c; i++) data[i] = bf16ToFloat(view.getUint16(i * 2, true));
      else (check(t.int32_data?.length ?? 0), (t.int32_data ?? []).forEach((v, i) => (data[i] = bf16ToFloat(v))));
      break;
    case ElemType.FLOAT16:
      data = new Float32Array(n);
      if (view) for (let i = 0, c = rawCount(2); i < c; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
      else (check(t.int32_data?.length ?? 0), (t.int32_data ?? []).forEach((v, i) => (data[i] = halfToFloat(v))));
      break;
    case ElemType.INT64:
    case ElemType.UINT64:
    case ElemType.UINT32: {
      data = new Int32Array(n);
      const size = type === ElemType.UINT32 ? 4 : 8;
      const vals: number[] = [];
      if (view) {
        for (let i = 0, c = rawCount(size); i < c; i++) {
          vals.push(size === 4 ? view.getUint32(i * 4, true) : type === ElemType.INT64 ? Number(view.getBigInt64(i * 8, true)) : Number(view.getBigUint64(i * 8, true)));
        }
      } else {
        const src = type === ElemType.INT64 ? t.int64_data : type === ElemType.UINT64 ? t.uint64_data : (t.uint64_data ?? t.int32_data);
        check(src?.length ?? 0);
        for (const v of src ?? []) vals.push(toNumber(v as number));
      }
      vals.forEach((v, i) => {
        // ONNX uses INT64_MAX/MIN as "to the end" in Slice; clamp those, refuse other out-of-range values.
        data[i] = v >= 2 ** 62 ? 2147483647 : v <= -(2 ** 62) ? -2147483648 : v;
        if (Math.abs(v) < 2 ** 62 && (v > 2147483647 || v < -2147483648)) throw new FormatError(file, `${name} holds ${v} at index ${i}, outside int32 (Receptive's integer dtype)`);
      });
      break;
    }
    case ElemType.INT32:
    case ElemType.INT16:
    case ElemType.INT8:
    case ElemType.UINT16:
    case ElemType.UINT8:
    case ElemType.BOOL: {
      data = new Int32Array(n);
      if (view) {
        const size = type === ElemType.INT32 ? 4 : type === ElemType.INT16 || type === ElemType.UINT16 ? 2 : 1;
        for (let i = 0, c = rawCount(size); i < c; i++) {
          const o = i * size;
          data[i] = type === ElemType.INT32 ? view.getInt32(o, true) : type === ElemType.INT16 ? view.getInt16(o, true) : type === ElemType.UINT16 ? view.getUint16(o, true) : type === ElemType.INT8 ? view.getInt8(o) : view.getUint8(o);
        }
      } else {
        check(t.int32_data?.length ?? 0);
        data.set(t.int32_data ?? []);
      }
      break;
    }
    default:
      throw new FormatError(file, `${name} has element type ${TYPE_NAMES[type] ?? type}, which Receptive cannot hold (float32, float64, float16 and integer types are read)`);
  }
  return new Tensor(data, dims);
}

/** Tensor -> TensorProto fields (float32/float64/int32 as FLOAT/DOUBLE/INT64, raw little-endian). */
export function tensorToProto(t: Tensor, name: string, asInt64 = true): OnnxTensorProto {
  const n = t.size;
  let raw: Uint8Array;
  let dataType: number;
  if (t.dtype === 'float32') {
    raw = new Uint8Array(n * 4);
    const v = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) v.setFloat32(i * 4, t.data[i], true);
    dataType = ElemType.FLOAT;
  } else if (t.dtype === 'float64') {
    raw = new Uint8Array(n * 8);
    const v = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) v.setFloat64(i * 8, t.data[i], true);
    dataType = ElemType.DOUBLE;
  } else if (asInt64) {
    raw = new Uint8Array(n * 8);
    const v = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) v.setBigInt64(i * 8, BigInt(t.data[i]), true);
    dataType = ElemType.INT64;
  } else {
    raw = new Uint8Array(n * 4);
    const v = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) v.setInt32(i * 4, t.data[i], true);
    dataType = ElemType.INT32;
  }
  return { name, dims: [...t.shape], data_type: dataType, raw_data: raw };
}

const halfToFloat = (h: number): number => decodeF16(Uint16Array.of(h))[0];
const bf16ToFloat = (b: number): number => decodeBF16(Uint16Array.of(b))[0];

/** x rounded to the nearest float16 value (ties to even), as a number. */
export const roundToHalf = (x: number): number => halfToFloat(f16FromNumber(x));
