import type { Embeddings } from '@langchain/core/embeddings';
import { CorpusLsaEmbeddings } from './corpus-lsa.ts';

/**
 * An embedding model as retrieval uses it: LangChain's `Embeddings` plus a stable name under
 * which its vectors are stored, and an optional fit on the clause set (for corpus-fitted models).
 */
export interface EmbeddingModel {
  readonly embeddings: Embeddings;
  /** Changes whenever vectors from this model stop being comparable with stored ones. */
  readonly name: string;
  /** Fits the model on the clause texts before they are embedded; a no-op for pre-trained models. */
  fit(texts: readonly string[]): void;
  /** How much the dense list counts in fusion next to BM25 (weak corpus-fitted models count less). */
  readonly fusionWeight: number;
  /** What a corpus-fitted model stores with the knowledge-base version; absent when there is nothing to fit. */
  readonly fitted?: FittedSpace;
}

/**
 * The stored form of a corpus-fitted model: fitted once per knowledge-base version, stored with
 * it, loaded at start; later clauses are folded into it until too many of their words are new.
 */
export interface FittedSpace {
  /** Whether it has been fitted or loaded. */
  readonly ready: boolean;
  /** The fitted space as bytes (stored in `embedding_models`). */
  toBytes(): Uint8Array;
  /** Fits as `fit` does, the heavy part in a worker thread when the texts are many (same space). */
  fitOffThread(texts: readonly string[]): Promise<void>;
  /** Replaces the space with a stored one; no fitting. */
  load(bytes: Uint8Array): void;
  /**
   * The share of the texts' word mass the space does not know, beyond what it lacked at its fit
   * (≥ 0); asked of texts about to be embedded, whose words it keeps for that (not tokenised twice).
   */
  drift(texts: readonly string[]): number;
  /** A new, unfitted model of the same kind, for a refit beside the live one. */
  fresh(): EmbeddingModel;
}

/** The offline default: LSA fitted on the knowledge base itself (see CorpusLsaEmbeddings). */
export function corpusLsaModel(initial: CorpusLsaEmbeddings): EmbeddingModel {
  let lsa = initial;
  const model: EmbeddingModel = {
    get embeddings() {
      return lsa;
    },
    get name() {
      return lsa.modelName;
    },
    fit: (texts) => void lsa.fit(texts),
    fusionWeight: 0.3,
    fitted: {
      get ready() {
        return lsa.fitted;
      },
      fitOffThread: async (texts) => void (await lsa.fitOffThread(texts)),
      toBytes: () => lsa.toBytes(),
      load: (bytes) => {
        lsa = CorpusLsaEmbeddings.fromBytes(bytes, { tokenizer: lsa.tokenizer });
      },
      drift: (texts) => Math.max(0, lsa.unknownShare(texts, { keep: true }) - lsa.unknownShareAtFit),
      fresh: () => corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer: lsa.tokenizer, dimensions: lsa.maxDimensions, maxFitTexts: lsa.maxFitTexts })),
    },
  };
  return model;
}

/** A pre-trained model behind an endpoint: nothing to fit, and its dense list counts fully. */
export function pretrainedModel(embeddings: Embeddings & { modelName: string }): EmbeddingModel {
  return { embeddings, name: embeddings.modelName, fit: () => undefined, fusionWeight: 1 };
}
