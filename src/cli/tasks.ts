import { ArgumentError } from '../tensor/index.js';
import { readCheckpoint } from '../train/checkpoint-node.js';
import { predictSpeech, runSpeechTrain } from './speech.js';
import { predictText, runTextTrain } from './text.js';
import type { TaskSettings } from './task-common.js';

/** `train --task speech|text`: the options of `train` that apply, with per-task model defaults. */
export function runTaskTrain(o: Record<string, unknown>, fromDefault: (k: string) => boolean, log: (s: string) => void): string {
  const task = o.task as 'speech' | 'text';
  if (typeof o.data !== 'string') throw new ArgumentError('train', `--task ${task} needs --data <${task === 'speech' ? 'dir' : 'file'}>`);
  const model = fromDefault('model') ? (task === 'speech' ? 'speech-cnn' : 'textcnn') : String(o.model);
  const s: TaskSettings = {
    model, batchSize: o.batchSize as number, seed: o.seed as number, epochs: fromDefault('epochs') ? (task === 'speech' ? 12 : 6) : (o.epochs as number),
    optimizer: o.optimizer as TaskSettings['optimizer'], lr: fromDefault('lr') ? 1e-3 : (o.lr as number), momentum: o.momentum as number,
    weightDecay: o.weightDecay as number, schedule: o.schedule as TaskSettings['schedule'], maxSteps: o.maxSteps as number | undefined,
    out: fromDefault('out') ? `runs/${model}` : String(o.out),
  };
  const io = { interactive: o.progress !== false && Boolean(process.stdout.isTTY), log };
  if (task === 'text') return runTextTrain(o.data, s, io).text;
  const speech = { copies: o.speechCopies as number, semitones: o.semitones as number, timeWarp: o.timeWarp as number, width: fromDefault('width') ? undefined : (o.width as number) };
  return runSpeechTrain(o.data, { ...s, ...speech }, io).text;
}

/** predict for speech and text checkpoints; null when the checkpoint is an image model. */
export function predictTask(checkpoint: string, inputs: string[], text: string | undefined): string | null {
  const name = readCheckpoint(checkpoint).info.model.name;
  if (name.startsWith('speech-')) return predictSpeech(checkpoint, inputs);
  if (name === 'textcnn' || name === 'charcnn' || text !== undefined) {
    if (text === undefined) throw new ArgumentError('predict', `${checkpoint} is a text model: give --text "…"`);
    return predictText(checkpoint, [text, ...inputs]);
  }
  return null;
}
