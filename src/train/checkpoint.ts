import { ArgumentError, FormatError, Tensor } from '../tensor/index.js';
import type { DataLoaderState } from '../data/index.js';
import type { Module } from '../nn/index.js';
import type { OptimizerStateDict } from '../optim/index.js';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.js';
import { crc32 } from '../io/crc32.js';

/**
 * A checkpoint is one safetensors file: the model's parameters and buffers as
 * tensors under their dotted paths (so PyTorch and Hugging Face tools read the
 * weights), and in its metadata, under "receptive", the JSON below: which model
 * with which configuration, and the whole training state needed to resume
 * exactly. One file means one atomic rename: weights and state cannot drift apart.
 */
export const CHECKPOINT_FORMAT = 'receptive-checkpoint-v1';

export interface TrainingState {
  step: number;
  optimizer: OptimizerStateDict;
  scheduler?: { type: string; lastStep: number };
  loader: DataLoaderState;
  /** The library-wide RNG (dropout), so a resumed run draws the same masks. */
  rng: { s: number[]; spare: number | null };
  history: { epoch: number; trainLoss: number; trainAccuracy: number; valLoss?: number; valAccuracy?: number }[];
  /** Running sums of the epoch in progress (see TrainContext.epochTotals). */
  epochTotals?: { lossSum: number; correct: number; seen: number };
  /** Free-form run settings (CLI options) so a resume can continue with them. */
  settings?: Record<string, unknown>;
}

export interface CheckpointInfo {
  format: typeof CHECKPOINT_FORMAT;
  /** CRC-32 of every tensor's bytes in name order, filled in on save: catches damaged data the header cannot. */
  crc32?: number;
  /** A registered model name and its config; `file` when the model came from a user's module file (CLI `--model ./my-model.js`). */
  model: { name: string; config: Record<string, unknown>; file?: string };
  /** The data the model was trained on, so eval and predict default to it. */
  dataset?: { name: string; dir?: string; classNames?: string[] };
  training?: TrainingState;
}

/** What a caller passes to save: the constant parts (format, CRC) are filled in. */
export type CheckpointInput = Omit<CheckpointInfo, 'format' | 'crc32'> & { format?: string; crc32?: number };

function isTrainingState(t: unknown): boolean {
  return isObj(t) && Number.isInteger(t.step) && isObj(t.optimizer) && isObj(t.loader) && isObj(t.rng) && Array.isArray(t.history);
}

/** Check what will be saved, so a file is never written that reading would refuse; the refusal names the field. */
export function checkCheckpointInput(info: CheckpointInput): CheckpointInfo {
  const op = 'saveCheckpoint';
  if (!isObj(info)) throw new ArgumentError(op, 'info must be an object with model: { name, config }');
  if (info.format !== undefined && info.format !== CHECKPOINT_FORMAT) throw new ArgumentError(op, `format must be "${CHECKPOINT_FORMAT}" or left out, got ${JSON.stringify(info.format)}`);
  if (!isObj(info.model) || typeof info.model.name !== 'string' || info.model.name === '') throw new ArgumentError(op, 'model.name must be a non-empty string (the name the model is built from when loading)');
  if (info.model.config !== undefined && !isObj(info.model.config)) throw new ArgumentError(op, 'model.config must be an object');
  if (info.training !== undefined && !isTrainingState(info.training)) throw new ArgumentError(op, 'training must have step (an integer), optimizer, loader, rng and history');
  const { crc32: _ignored, ...rest } = info;
  return { ...rest, format: CHECKPOINT_FORMAT, model: { ...info.model, config: info.model.config ?? {} } };
}

/** Optimiser buffers (momenta, Adam moments) are stored as tensors under this prefix, not as JSON numbers. */
const OPTIM_PREFIX = '__optimizer__.';

/**
 * The tensors and the metadata JSON of a checkpoint: optimiser buffers moved
 * into tensors, the CRC filled in. The metadata is small (no arrays of numbers),
 * and is what the `.json` written beside a saved checkpoint holds.
 */
export function prepareCheckpoint(model: Module, input: CheckpointInput): { tensors: Record<string, Tensor>; meta: CheckpointInfo } {
  const info = checkCheckpointInput(input);
  const tensors: Record<string, Tensor> = { ...model.stateDict() };
  let meta = info;
  if (info.training) {
    const state = info.training.optimizer.state.map((s, i) =>
      Object.fromEntries(
        Object.entries(s).map(([k, v]) => {
          if (typeof v === 'number') return [k, v];
          tensors[`${OPTIM_PREFIX}${i}.${k}`] = new Tensor(Float32Array.from(v), [v.length]);
          return [k, `${OPTIM_PREFIX}${i}.${k}`];
        }),
      ),
    );
    meta = { ...info, training: { ...info.training, optimizer: { ...info.training.optimizer, state: state as never } } };
  }
  meta = { ...meta, crc32: tensorsCrc(tensors) };
  return { tensors, meta };
}

export function serializeCheckpoint(model: Module, info: CheckpointInput): Uint8Array {
  const { tensors, meta } = prepareCheckpoint(model, info);
  return serializeSafetensors(tensors, { format: CHECKPOINT_FORMAT, receptive: JSON.stringify(meta) });
}

function tensorsCrc(tensors: Record<string, Tensor>): number {
  let c = 0;
  for (const k of Object.keys(tensors).sort()) {
    const d = tensors[k].data;
    c = crc32(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), c);
  }
  return c;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse and validate a checkpoint's bytes: the tensors and the info, or a FormatError naming the file. */
export function parseCheckpoint(bytes: Uint8Array, file: string): { tensors: Record<string, Tensor>; info: CheckpointInfo } {
  const { tensors, metadata } = parseSafetensors(bytes, file);
  if (metadata?.format !== CHECKPOINT_FORMAT || typeof metadata.receptive !== 'string') {
    throw new FormatError(file, `not a Receptive checkpoint: metadata "format" must be "${CHECKPOINT_FORMAT}" with a "receptive" entry`);
  }
  let info: unknown;
  try {
    info = JSON.parse(metadata.receptive);
  } catch (e) {
    throw new FormatError(file, `the "receptive" metadata is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(info) || info.format !== CHECKPOINT_FORMAT || !isObj(info.model) || typeof info.model.name !== 'string' || !isObj(info.model.config)) {
    throw new FormatError(file, 'the "receptive" metadata lacks model.name and model.config');
  }
  const crc = tensorsCrc(tensors);
  if (info.crc32 !== crc) throw new FormatError(file, `tensor data is damaged: CRC-32 ${crc} does not match the recorded ${String(info.crc32)}`);
  const t = info.training;
  if (t !== undefined) {
    if (!isTrainingState(t)) throw new FormatError(file, 'the training state is incomplete (step, optimizer, loader, rng, history)');
  }
  // Move optimiser buffers back from tensors into the optimiser state.
  const weights: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if (!k.startsWith(OPTIM_PREFIX)) weights[k] = v;
  if (t !== undefined) {
    const opt = (t as { optimizer: { state?: unknown } }).optimizer;
    if (!Array.isArray(opt.state)) throw new FormatError(file, 'the optimiser state has no per-parameter list');
    opt.state = opt.state.map((s: unknown, i: number) => {
      if (!isObj(s)) throw new FormatError(file, `optimiser state ${i} is not an object`);
      return Object.fromEntries(
        Object.entries(s).map(([k, v]) => {
          if (typeof v === 'number') return [k, v];
          const ref = tensors[String(v)];
          if (typeof v !== 'string' || !ref) throw new FormatError(file, `optimiser state ${i}.${k} refers to a missing tensor ${JSON.stringify(v)}`);
          return [k, Array.from(ref.data)];
        }),
      );
    });
  }
  return { tensors: weights, info: info as unknown as CheckpointInfo };
}

