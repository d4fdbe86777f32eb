import { existsSync } from 'node:fs';
import { ReceptiveError, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { readFileChecked, writeFileAtomic } from '../io/atomic.js';
import { parseCheckpoint, prepareCheckpoint, type CheckpointInfo, type CheckpointInput } from './checkpoint.js';
import { serializeSafetensors } from '../io/safetensors.js';
import { bestModel, type BestModelOptions } from './callbacks.js';
import type { Callback } from './fit.js';

/** The JSON written beside `path` for people: `runs/x/checkpoint.safetensors` → `runs/x/checkpoint.json`. */
export function checkpointJsonPath(path: string): string {
  return path.replace(/\.safetensors$/, '') + '.json';
}

/**
 * Save atomically: a temporary file beside the target, then a rename; beside it
 * a JSON copy of the embedded metadata (small: optimiser buffers live in the
 * tensors). `format` and `crc32` are filled in; bad metadata is refused before
 * anything is written.
 */
export function saveCheckpoint(path: string, model: Module, info: CheckpointInput): CheckpointInfo {
  const { tensors, meta } = prepareCheckpoint(model, info);
  writeFileAtomic(path, serializeSafetensors(tensors, { format: meta.format, receptive: JSON.stringify(meta) }));
  writeFileAtomic(checkpointJsonPath(path), new TextEncoder().encode(JSON.stringify(meta, null, 2) + '\n'));
  return meta;
}

export function readCheckpoint(path: string): { tensors: Record<string, Tensor>; info: CheckpointInfo } {
  if (!existsSync(path)) throw new ReceptiveError(`checkpoint ${path} does not exist`);
  return parseCheckpoint(readFileChecked(path), path);
}

/** A model's own name for a checkpoint: its stable `typeName` where it has one, else its class name. */
function modelName(model: Module): string {
  const ctor = model.constructor as { typeName?: unknown; name: string };
  return typeof ctor.typeName === 'string' ? ctor.typeName : ctor.name;
}

/** Save a model's weights (no training state) with its name and config, for `loadCheckpoint` or `receptive eval`. */
export function saveModel(model: Module, path: string, opts: { name?: string; config?: Record<string, unknown>; dataset?: CheckpointInfo['dataset'] } = {}): CheckpointInfo {
  const own = (model as { toConfig?: () => Record<string, unknown> }).toConfig;
  const config = opts.config ?? (typeof own === 'function' ? own.call(model) : {});
  return saveCheckpoint(path, model, { model: { name: opts.name ?? modelName(model), config }, dataset: opts.dataset });
}

/**
 * Load a checkpoint's weights into `model` (checked before anything is written)
 * and return the checkpoint's info.
 */
export function loadCheckpoint(model: Module, path: string): CheckpointInfo {
  const { tensors, info } = readCheckpoint(path);
  model.loadStateDict(tensors);
  return info;
}

/**
 * A callback that saves the model's weights to `path` whenever the monitored
 * validation value improves, so `path` always holds the best model so far.
 */
export function bestCheckpoint(path: string, opts: BestModelOptions & { info?: () => CheckpointInput } = {}): Callback & { readonly best: number } {
  return bestModel({
    ...opts,
    onBest: (ctx) => {
      if (opts.info) saveCheckpoint(path, ctx.model, opts.info());
      else saveModel(ctx.model, path);
    },
  });
}
