import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, FormatError, RNG } from '../../src/tensor/index.js';
import { LeNet5 } from '../../src/models/index.js';
import { Adam } from '../../src/optim/index.js';
import { parseSafetensors } from '../../src/io/safetensors.js';
import { FileSystemError } from '../../src/io/atomic.js';
import { CHECKPOINT_FORMAT, type EpochLogs, type EvalResult, type TrainContext } from '../../src/train/index.js';
import { bestCheckpoint, loadCheckpoint, readCheckpoint, saveCheckpoint, saveModel } from '../../src/node.js';
import { assertThrowsWith } from '../helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'receptive-ckpt-node-'));

function trained() {
  const model = new LeNet5({ rng: new RNG(1) });
  const opt = new Adam(model.parameters());
  for (const p of model.parameters()) p.grad = p.detach();
  opt.step();
  const training = { step: 1, optimizer: opt.stateDict(), loader: { epoch: 1, batch: 1, rng: { s: [1, 2, 3, 4], spare: null } }, rng: { s: [5, 6, 7, 8], spare: null }, history: [] };
  return { model, training };
}

test('saveCheckpoint fills in the format; the JSON beside the checkpoint is the small embedded metadata, not the optimiser state', () => {
  const dir = tmp();
  const { model, training } = trained();
  const path = join(dir, 'checkpoint.safetensors');
  saveCheckpoint(path, model, { model: { name: 'lenet5', config: {} }, training });
  const { info } = readCheckpoint(path);
  assert.equal(info.format, CHECKPOINT_FORMAT);
  const embedded = JSON.parse(parseSafetensors(new Uint8Array(readFileSync(path)), path).metadata!.receptive);
  const beside = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
  assert.deepEqual(beside, embedded);
  // 61,706 parameters: two Adam moments as JSON numbers would be megabytes; references to tensors are a few KB.
  const size = statSync(join(dir, 'checkpoint.json')).size;
  assert.ok(size < 8192, `checkpoint.json is ${size} bytes`);
  assert.equal(beside.training.optimizer.state[0].expAvg, '__optimizer__.0.expAvg');
});

test('saveCheckpoint refuses bad metadata before writing, naming the real cause', () => {
  const dir = tmp();
  const { model, training } = trained();
  const path = join(dir, 'c.safetensors');
  assertThrowsWith(() => saveCheckpoint(path, model, { format: 'v0', model: { name: 'lenet5', config: {} } }), ArgumentError, 'format must be "receptive-checkpoint-v1" or left out, got "v0"');
  assertThrowsWith(() => saveCheckpoint(path, model, { model: { name: '', config: {} } }), ArgumentError, 'model.name must be a non-empty string');
  assertThrowsWith(() => saveCheckpoint(path, model, { model: { name: 'lenet5', config: {} }, training: { ...training, step: 1.5 } }), ArgumentError, 'training must have step (an integer)');
  assert.throws(() => statSync(path), /ENOENT/, 'nothing was written');
});

test('readCheckpoint and saveCheckpoint: a directory or a path below a file is one clear error naming the path', () => {
  const dir = tmp();
  const { model } = trained();
  mkdirSync(join(dir, 'ckpt.safetensors'));
  assertThrowsWith(() => readCheckpoint(join(dir, 'ckpt.safetensors')), FormatError, `${join(dir, 'ckpt.safetensors')}: is a directory, not a file`);
  writeFileSync(join(dir, 'file'), 'x');
  const e = assertThrowsWith(() => saveModel(model, join(dir, 'file', 'm.safetensors')), FileSystemError);
  assert.equal(e.message, `cannot write ${join(dir, 'file', 'm.safetensors')}: ${join(dir, 'file')} is a file, not a directory`);
  const missing = assertThrowsWith(() => saveModel(model, join(dir, 'nope', 'm.safetensors')), FileSystemError);
  assert.equal(missing.message, `cannot write ${join(dir, 'nope', 'm.safetensors')}: the directory ${join(dir, 'nope')} does not exist`);
});

test('saveModel and loadCheckpoint round-trip the weights into a fresh model', () => {
  const dir = tmp();
  const { model } = trained();
  const path = join(dir, 'm.safetensors');
  const saved = saveModel(model, path, { config: { variant: 'modern' } });
  assert.equal(saved.model.name, 'LeNet5');
  const fresh = new LeNet5({ rng: new RNG(99) });
  assert.notDeepEqual(fresh.parameters()[0].data, model.parameters()[0].data);
  const info = loadCheckpoint(fresh, path);
  assert.deepEqual(info.model, { name: 'LeNet5', config: { variant: 'modern' } });
  assert.equal(info.training, undefined);
  model.parameters().forEach((p, i) => assert.deepEqual(fresh.parameters()[i].data, p.data));
});

test('bestCheckpoint keeps the weights of the epoch with the best validation accuracy', () => {
  const dir = tmp();
  const { model } = trained();
  const path = join(dir, 'best.safetensors');
  const cb = bestCheckpoint(path, { monitor: 'valAccuracy' });
  const ctx = { model } as unknown as TrainContext;
  const epoch = (e: number, accuracy: number): EpochLogs => ({ epoch: e, trainLoss: 1, trainAccuracy: 0.5, seconds: 1, imagesPerSecond: 1, val: { accuracy, loss: 1 - accuracy } as EvalResult });
  const marks: number[] = [];
  for (const [e, acc] of [[0, 0.5], [1, 0.7], [2, 0.6], [3, 0.65]] as const) {
    for (const p of model.parameters()) p.data.fill(e);
    cb.onEpochEnd!(ctx, epoch(e, acc));
    marks.push(readCheckpoint(path).tensors[model.namedParameters()[0][0]].data[0]);
  }
  // Epoch 1 (0.7) stays the best: epochs 2 and 3 are worse and do not overwrite it.
  assert.deepEqual(marks, [0, 1, 1, 1]);
  assert.equal(cb.best, 0.7);
});

test('bestCheckpoint resumed with the best value so far does not replace the best model with a worse epoch', () => {
  const dir = tmp();
  const { model } = trained();
  const path = join(dir, 'best.safetensors');
  const cb = bestCheckpoint(path, { monitor: 'valLoss', initial: 0.3 });
  const logs = (loss: number): EpochLogs => ({ epoch: 0, trainLoss: 1, trainAccuracy: 0.5, seconds: 1, imagesPerSecond: 1, val: { accuracy: 0.5, loss } as EvalResult });
  cb.onEpochEnd!({ model } as unknown as TrainContext, logs(0.4));
  assert.throws(() => statSync(path), /ENOENT/);
  cb.onEpochEnd!({ model } as unknown as TrainContext, logs(0.2));
  assert.equal(cb.best, 0.2);
  assert.ok(statSync(path).size > 0);
});
