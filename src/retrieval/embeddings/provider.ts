import type { Embeddings } from '@langchain/core/embeddings';

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
}

/** The offline default: LSA fitted on the knowledge base itself (see CorpusLsaEmbeddings). */
export function corpusLsaModel(lsa: { modelName: string; fit(texts: readonly string[]): unknown } & Embeddings): EmbeddingModel {
  return {
    embeddings: lsa,
    get name() {
      return lsa.modelName;
    },
    fit: (texts) => void lsa.fit(texts),
    fusionWeight: 0.3,
  };
}

/** A pre-trained model behind an endpoint: nothing to fit, and its dense list counts fully. */
export function pretrainedModel(embeddings: Embeddings & { modelName: string }): EmbeddingModel {
  return { embeddings, name: embeddings.modelName, fit: () => undefined, fusionWeight: 1 };
}
