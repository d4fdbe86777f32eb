import { readFileSync } from 'node:fs';
import { ArgumentError, FormatError, Tensor } from '../tensor/index.js';
import { noGrad } from '../autograd/index.js';
import { softmax } from '../ops/index.js';
import { createModel } from '../models/index.js';
import { charTokenize, wordTokenize, Vocabulary } from '../text/index.js';
import { readCheckpoint } from '../train/checkpoint-node.js';
import { seedEverything } from './setup.js';
import { formatTaskReport, trainClassifier, type TaskReport, type TaskSettings } from './task-common.js';

/*
 * `receptive train --task text --data <file.jsonl>` and `receptive predict <ckpt> --text "…"`.
 * The data file has one JSON object per line: { "text", "label", "split": "train" | "test" }
 * (scripts/make-text-corpus.py writes one). textcnn reads words, charcnn characters.
 */

export interface TextExample { text: string; label: string; split: 'train' | 'test' }

export function readTextCorpus(path: string): TextExample[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: TextExample[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let r: unknown;
    try { r = JSON.parse(line); } catch { throw new FormatError(path, `line ${i + 1} is not JSON`); }
    const e = r as Partial<TextExample>;
    if (typeof e.text !== 'string' || typeof e.label !== 'string' || (e.split !== 'train' && e.split !== 'test')) {
      throw new FormatError(path, `line ${i + 1} needs { "text": string, "label": string, "split": "train" | "test" }`);
    }
    out.push({ text: e.text, label: e.label, split: e.split });
  });
  return out;
}

const tokenizerOf = (model: string): 'word' | 'char' => (model === 'charcnn' ? 'char' : 'word');
const tokenize = (kind: 'word' | 'char', text: string) => (kind === 'char' ? charTokenize(text, { lower: true }) : wordTokenize(text));

export function runTextTrain(path: string, s: TaskSettings, io: { interactive: boolean; log: (s: string) => void }): { report: TaskReport; text: string } {
  const data = readTextCorpus(path);
  const kind = tokenizerOf(s.model);
  const maxLength = kind === 'char' ? 192 : 48;
  const labels = [...new Set(data.map((d) => d.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const train = data.filter((d) => d.split === 'train');
  const test = data.filter((d) => d.split === 'test');
  const trainTokens = train.map((d) => tokenize(kind, d.text));
  const vocab = Vocabulary.build(trainTokens, { minCount: 2, maxSize: 20000 });
  const encode = (docs: string[][]) => {
    const x = new Int32Array(docs.length * maxLength);
    docs.forEach((d, i) => x.set(vocab.encode(d, maxLength), i * maxLength));
    return new Tensor(x, [docs.length, maxLength]);
  };
  const trainX = encode(trainTokens);
  const testX = encode(test.map((d) => tokenize(kind, d.text)));
  const y = (ds: TextExample[]) => Int32Array.from(ds, (d) => index.get(d.label)!);
  io.log(`text: ${labels.length} classes, ${train.length} training and ${test.length} test examples, ${vocab.size} ${kind} tokens`);
  const rng = seedEverything(s.seed);
  const config = { vocabSize: vocab.size, numClasses: labels.length, embeddingDim: kind === 'char' ? 32 : 64, filters: 64, vocab: [...vocab.tokens], labels, tokenizer: kind, maxLength };
  if (kind === 'char') delete (config as Partial<typeof config>).filters;
  const model = createModel(s.model, config, rng);
  const report = trainClassifier(model, config, s, { trainX, trainY: y(train), testX, testY: y(test), numClasses: labels.length }, io);
  return { report, text: formatTaskReport(report, labels, 'sentences') };
}

/** Class probabilities for texts from a text checkpoint. Out-of-vocabulary tokens read as <unk>; an empty text is refused. */
export function predictText(checkpoint: string, texts: string[]): string {
  const { tensors, info } = readCheckpoint(checkpoint);
  const cfg = info.model.config as { vocab?: string[]; labels?: string[]; tokenizer?: 'word' | 'char'; maxLength?: number };
  if (!cfg.vocab || !cfg.labels || !cfg.tokenizer || !cfg.maxLength) throw new ArgumentError('predict', `${checkpoint} is not a text checkpoint (no vocab/labels/tokenizer in its config)`);
  const vocab = new Vocabulary(cfg.vocab);
  const model = createModel(info.model.name, info.model.config);
  model.loadStateDict(tensors);
  model.eval();
  return texts.map((text) => {
    const tokens = tokenize(cfg.tokenizer!, text);
    if (tokens.length === 0) throw new ArgumentError('predict', `text ${JSON.stringify(text)} has no tokens to classify`);
    const ids = new Tensor(vocab.encode(tokens, cfg.maxLength), [1, cfg.maxLength!]);
    const p = noGrad(() => softmax(model.call(ids) as Tensor, -1)).data;
    const order = [...p.keys()].sort((a, b) => p[b] - p[a]).slice(0, 3);
    const unk = tokens.filter((t) => !vocab.has(t)).length;
    return `${JSON.stringify(text.length > 60 ? text.slice(0, 57) + '...' : text)}: ${cfg.labels![order[0]]} (${order.map((i) => `${cfg.labels![i]} ${(100 * p[i]).toFixed(1)}%`).join(', ')}; ${unk}/${tokens.length} tokens unknown)`;
  }).join('\n');
}
