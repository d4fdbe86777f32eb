import { ArgumentError, Tensor, type RNG } from '../tensor/index.js';
import { concat, flatten, relu, transpose } from '../ops/index.js';
import {
  AdaptiveMaxPool1d, Conv1d, Dropout, Embedding, Linear, MaxPool1d, Module, ModuleList, ReLU, Sequential,
} from '../nn/index.js';

/**
 * Text classifiers over token ids [N, L] (int32; 0 = padding). Their configs
 * also carry the vocabulary, the tokeniser, the input length and the class
 * names, so a checkpoint alone is enough to predict from raw text.
 */
export interface TextModelConfig {
  vocabSize: number;
  numClasses: number;
  embeddingDim?: number;
  dropout?: number;
  /** Metadata for predict: vocabulary tokens (id order), class names, tokeniser, padded length. */
  vocab?: string[];
  labels?: string[];
  tokenizer?: 'word' | 'char';
  maxLength?: number;
  rng?: RNG;
}

function checkCommon(name: string, c: TextModelConfig): void {
  for (const k of ['vocabSize', 'numClasses'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 2) throw new ArgumentError(name, `${k} must be an integer >= 2, got ${String(c[k])}`);
  }
  if (c.vocab && c.vocab.length !== c.vocabSize) throw new ArgumentError(name, `vocab has ${c.vocab.length} tokens, vocabSize is ${c.vocabSize}`);
  if (c.labels && c.labels.length !== c.numClasses) throw new ArgumentError(name, `${c.labels.length} labels for ${c.numClasses} classes`);
}

/** Pad ids [N, L] with zeros (the padding id) to at least `min` positions, so every filter fits. */
function padIds(ids: Tensor, min: number): Tensor {
  if (ids.rank !== 2) throw new ArgumentError('text model', `expects token ids [N, L], got shape [${ids.shape.join(', ')}]`);
  const [N, L] = ids.shape;
  if (L >= min) return ids;
  const out = new Int32Array(N * min);
  for (let n = 0; n < N; n++) for (let i = 0; i < L; i++) out[n * min + i] = ids.data[n * L + i];
  return new Tensor(out, [N, min]);
}

export interface KimCNNConfig extends TextModelConfig {
  /** Filter widths (Kim 2014: 3, 4, 5) and feature maps per width (100). */
  widths?: number[];
  filters?: number;
  /** 'rand' / 'non-static': the embedding table is trained; 'static': it stays as loaded (Embedding.loadVectors). */
  embeddings?: 'rand' | 'static' | 'non-static';
}

/**
 * Kim 2014, "Convolutional Neural Networks for Sentence Classification":
 * embeddings → parallel 1-D convolutions of widths 3, 4, 5 with ReLU →
 * max-over-time pooling → concatenation → dropout → a softmax layer.
 */
export class KimCNN extends Module {
  static override readonly typeName = 'KimCNN';
  readonly config: Readonly<Omit<KimCNNConfig, 'rng'>>;
  readonly embedding: Embedding;
  readonly convs: ModuleList<Conv1d>;
  readonly pool = new AdaptiveMaxPool1d({ outputSize: 1 });
  readonly dropout: Dropout;
  readonly fc: Linear;
  constructor(config: KimCNNConfig) {
    super();
    checkCommon('KimCNN', config);
    const { rng, ...rest } = config;
    this.config = rest;
    const D = config.embeddingDim ?? 128;
    const widths = config.widths ?? [3, 4, 5];
    const F = config.filters ?? 100;
    const mode = config.embeddings ?? 'rand';
    if (!['rand', 'static', 'non-static'].includes(mode)) throw new ArgumentError('KimCNN', `embeddings must be 'rand', 'static' or 'non-static', got ${String(mode)}`);
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: config.vocabSize, embeddingDim: D, paddingIdx: 0, freeze: mode === 'static', rng }));
    this.convs = this.registerModule('convs', new ModuleList(widths.map((k) => new Conv1d({ inChannels: D, outChannels: F, kernelSize: k, rng }))));
    this.dropout = this.registerModule('dropout', new Dropout({ p: config.dropout ?? 0.5, rng }));
    this.fc = this.registerModule('fc', new Linear({ inFeatures: F * widths.length, outFeatures: config.numClasses, rng }));
  }
  forward(ids: Tensor): Tensor {
    const widths = this.config.widths ?? [3, 4, 5];
    const x = transpose(this.embedding.call(padIds(ids, Math.max(...widths))), 1, 2); // [N, D, L]
    const pooled = this.convs.children().map((conv) => this.pool.call(relu(conv.call(x)))); // each [N, F, 1]
    return this.fc.call(this.dropout.call(flatten(concat(pooled, 1), 1)));
  }
}

/**
 * A character-level CNN in the manner of Zhang, Zhao & LeCun 2015, sized for
 * sentences: character embeddings → three 1-D convolutions (the last dilated,
 * to widen its view without more weights) with max pooling → max over time → dense.
 */
export class CharCNN extends Module {
  static override readonly typeName = 'CharCNN';
  readonly config: Readonly<Omit<TextModelConfig, 'rng'> & { channels?: number }>;
  readonly embedding: Embedding;
  readonly features: Sequential;
  readonly classifier: Sequential;
  constructor(config: TextModelConfig & { channels?: number }) {
    super();
    checkCommon('CharCNN', config);
    const { rng, ...rest } = config;
    this.config = rest;
    const D = config.embeddingDim ?? 32;
    const C = config.channels ?? 96;
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: config.vocabSize, embeddingDim: D, paddingIdx: 0, rng }));
    this.features = this.registerModule('features', new Sequential(
      new Conv1d({ inChannels: D, outChannels: C, kernelSize: 5, rng }), new ReLU(), new MaxPool1d({ kernelSize: 2 }),
      new Conv1d({ inChannels: C, outChannels: C, kernelSize: 3, rng }), new ReLU(), new MaxPool1d({ kernelSize: 2 }),
      new Conv1d({ inChannels: C, outChannels: C, kernelSize: 3, dilation: 2, rng }), new ReLU(),
      new AdaptiveMaxPool1d({ outputSize: 1 }),
    ));
    this.classifier = this.registerModule('classifier', new Sequential(new Dropout({ p: config.dropout ?? 0.3, rng }), new Linear({ inFeatures: C, outFeatures: config.numClasses, rng })));
  }
  forward(ids: Tensor): Tensor {
    // The shortest input the three convolutions and two poolings accept is 28 positions.
    const x = transpose(this.embedding.call(padIds(ids, 28)), 1, 2);
    return this.classifier.call(flatten(this.features.call(x), 1));
  }
}
