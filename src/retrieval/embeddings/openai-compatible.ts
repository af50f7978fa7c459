import { Embeddings } from '@langchain/core/embeddings';
import OpenAI from 'openai';

export interface OpenAICompatibleEmbeddingsOptions {
  baseURL: string;
  apiKey?: string;
  model: string;
  /** Texts sent per request. */
  batchSize?: number;
  timeoutMs?: number;
}

/**
 * Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, Xinference,
 * vLLM, DashScope …), through the `openai` SDK with its retries.
 *
 * @example new OpenAICompatibleEmbeddings({ baseURL: 'http://127.0.0.1:11434/v1', model: 'bge-m3' })
 */
export class OpenAICompatibleEmbeddings extends Embeddings {
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #batchSize: number;

  constructor(options: OpenAICompatibleEmbeddingsOptions) {
    super({});
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? 'not-needed',
      timeout: options.timeoutMs ?? 30_000,
      maxRetries: 3,
    });
    this.#model = options.model;
    this.#batchSize = options.batchSize ?? 64;
  }

  get modelName(): string {
    return `openai-compatible:${this.#model}`;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < documents.length; start += this.#batchSize) {
      const batch = documents.slice(start, start + this.#batchSize);
      const response = await this.#client.embeddings.create({ model: this.#model, input: batch });
      const ordered = [...response.data].sort((x, y) => x.index - y.index);
      vectors.push(...ordered.map((item) => item.embedding));
    }
    return vectors;
  }

  override async embedQuery(document: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([document]);
    if (!vector) throw new Error('embeddings endpoint returned no vector');
    return vector;
  }
}
