import { readFileSync, existsSync } from 'node:fs';
import { ReceptiveError, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { writeFileAtomic } from '../io/atomic.js';
import { parseCheckpoint, serializeCheckpoint, type CheckpointInfo } from './checkpoint.js';

/** Save atomically: a temporary file beside the target, then a rename; a JSON copy of the info beside it for people. */
export function saveCheckpoint(path: string, model: Module, info: CheckpointInfo): void {
  writeFileAtomic(path, serializeCheckpoint(model, info));
  writeFileAtomic(path.replace(/\.safetensors$/, '') + '.json', new TextEncoder().encode(JSON.stringify(info, null, 2) + '\n'));
}

export function readCheckpoint(path: string): { tensors: Record<string, Tensor>; info: CheckpointInfo } {
  if (!existsSync(path)) throw new ReceptiveError(`checkpoint ${path} does not exist`);
  return parseCheckpoint(new Uint8Array(readFileSync(path)), path);
}
