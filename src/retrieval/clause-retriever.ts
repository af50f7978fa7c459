import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import { Document } from '@langchain/core/documents';
import type { HybridSearch } from './hybrid-search.ts';

/** What a retrieved clause carries besides its text. */
export interface ClauseMetadata extends Record<string, unknown> {
  doc: string;
  title: string;
  locator: string;
  issuer: string;
  region: string;
  date: string | null;
  status: string;
  score: number;
}

/**
 * zhiyin's hybrid clause search behind LangChain's retriever interface, so chains and tools that
 * take a `BaseRetriever` can use it; each Document is one clause with its citation metadata.
 *
 * @example
 * const retriever = new ClauseRetriever(search, { k: 5 });
 * const documents = await retriever.invoke('实习押金');
 * documents[0].metadata.locator; // '二、11.'
 */
export class ClauseRetriever extends BaseRetriever<ClauseMetadata> {
  lc_namespace = ['zhiyin', 'retrievers', 'clause'];
  readonly #search: HybridSearch;
  readonly #k: number;

  constructor(search: HybridSearch, options: BaseRetrieverInput & { k?: number } = {}) {
    super(options);
    this.#search = search;
    this.#k = options.k ?? 5;
  }

  override async _getRelevantDocuments(query: string): Promise<Document<ClauseMetadata>[]> {
    const { results } = await this.#search.search(query, this.#k);
    return results.map(
      ({ clause, document, score }) =>
        new Document<ClauseMetadata>({
          id: clause.id,
          pageContent: clause.text,
          metadata: {
            doc: document.id,
            title: document.title,
            locator: clause.locator,
            issuer: document.issuer,
            region: document.region,
            date: document.date,
            status: document.status,
            score,
          },
        }),
    );
  }
}
