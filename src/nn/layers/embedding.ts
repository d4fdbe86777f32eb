import { ArgumentError, randn, type Tensor } from '../../tensor/index.js';
import { embedding } from '../../ops/embedding.js';
import { Module, type Parameter } from '../module.js';
import { jsonConfig, layerConfig, optionalBool, positiveInt, type WithRNG } from './config.js';

export interface EmbeddingConfig extends WithRNG {
  numEmbeddings: number;
  embeddingDim: number;
  /** The padding token's row: initialised to zeros and never updated. */
  paddingIdx?: number;
  /** Keep the table fixed (Kim 2014's "static" embeddings); a frozen table gets no gradient. */
  freeze?: boolean;
}

/**
 * A trainable lookup table [numEmbeddings, embeddingDim] (torch.nn.Embedding),
 * initialised N(0, 1). Input: integer token ids of any shape; output: one
 * embeddingDim vector per id. Only the rows looked up receive gradient.
 */
export class Embedding extends Module {
  static override readonly typeName = 'Embedding';
  readonly config: Readonly<EmbeddingConfig>;
  declare readonly weight: Parameter;
  constructor(config: EmbeddingConfig, ...rest: unknown[]) {
    super();
    const c = layerConfig<EmbeddingConfig>('Embedding', config, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'freeze', 'rng'], '{ numEmbeddings: 10000, embeddingDim: 128, paddingIdx: 0 }', rest[0]);
    const V = positiveInt('Embedding', 'numEmbeddings', c.numEmbeddings);
    const D = positiveInt('Embedding', 'embeddingDim', c.embeddingDim);
    if (c.paddingIdx !== undefined && (!Number.isInteger(c.paddingIdx) || c.paddingIdx < 0 || c.paddingIdx >= V)) {
      throw new ArgumentError('Embedding', `paddingIdx must be an integer in [0, ${V}), got ${String(c.paddingIdx)}`);
    }
    optionalBool('Embedding', 'freeze', c.freeze);
    this.config = { ...c };
    const w = randn([V, D], { rng: c.rng });
    if (c.paddingIdx !== undefined) w.data.fill(0, c.paddingIdx * D, (c.paddingIdx + 1) * D);
    this.registerParameter('weight', w);
    if (c.freeze) this.weight.requiresGrad = false;
  }
  /** Copy pretrained vectors [numEmbeddings, embeddingDim] into the table (word2vec, GloVe, ...). */
  loadVectors(vectors: Float32Array | Float64Array): this {
    if (vectors.length !== this.weight.size) throw new ArgumentError('Embedding.loadVectors', `expected ${this.weight.size} values (${this.weight.shape.join(' × ')}), got ${vectors.length}`);
    this.weight.data.set(vectors);
    return this;
  }
  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, { paddingIdx: this.config.paddingIdx });
  }
  override toConfig(): Record<string, unknown> {
    return jsonConfig(this.config);
  }
  protected override extraRepr(): string {
    return `${this.config.numEmbeddings}, ${this.config.embeddingDim}${this.config.paddingIdx !== undefined ? `, paddingIdx=${this.config.paddingIdx}` : ''}${this.config.freeze ? ', frozen' : ''}`;
  }
}
