import type { Logger } from 'pino';
import { generationConfigured, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { openDatabase, type Database } from './store/database.ts';
import { migrate } from './store/migrate.ts';
import { KnowledgeBase } from './knowledge/knowledge-base.ts';
import { readDocumentDirectory } from './knowledge/corpus.ts';
import { ConcurrentChangeError } from './knowledge/versions.ts';
import { loadShippedVariants, variantGeneratorFor } from './knowledge/variants.ts';
import { loadLexicon, type Lexicon } from './retrieval/lexicon.ts';
import { Tokenizer } from './retrieval/tokenizer.ts';
import { HybridSearch, indexTextOf, lexicalIndexKey, lexicalPostingsOf, type LexicalPostings } from './retrieval/hybrid-search.ts';
import { Postings } from './retrieval/postings.ts';
import type { KnowledgeSnapshot } from './knowledge/snapshot.ts';
import { loadLexicalIndex, storeLexicalIndex } from './store/lexical-indexes.ts';
import { CorpusLsaEmbeddings } from './retrieval/embeddings/corpus-lsa.ts';
import { corpusLsaModel, pretrainedModel, type EmbeddingModel } from './retrieval/embeddings/provider.ts';
import { defaultMinConfidence, PolicyAnswerer, type AnsweredQuestion, type AnswerOptions } from './answering/answer-question.ts';
import { Replies } from './prompts.ts';
import { loadAnswerabilityModel } from './answering/answerability.ts';
import type { AnswerGenerator, GenerationStats } from './generation/types.ts';

export interface OpenAssistantOptions {
  log?: Logger;
  /** Use this database instead of opening one from the configuration (tests). */
  db?: Database | Promise<Database>;
  /** Leave an empty knowledge base empty instead of ingesting ZHIYIN_KNOWLEDGE_DIR. */
  skipInitialIngest?: boolean;
}

/** Picks the embedding model: the configured endpoint, or LSA fitted on the knowledge base. */
export async function embeddingModelFor(config: Config, tokenizer: Tokenizer): Promise<EmbeddingModel> {
  if (config.EMBEDDINGS_BASE_URL && config.EMBEDDINGS_MODEL) {
    const { OpenAICompatibleEmbeddings } = await import('./retrieval/embeddings/openai-compatible.ts');
    return pretrainedModel(
      new OpenAICompatibleEmbeddings({
        baseURL: config.EMBEDDINGS_BASE_URL,
        model: config.EMBEDDINGS_MODEL,
        ...(config.EMBEDDINGS_API_KEY ? { apiKey: config.EMBEDDINGS_API_KEY } : {}),
      }),
    );
  }
  return corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer }));
}

/** What grounded generation adds to the assistant: the generator and its counters. */
export interface GenerationHook {
  generator: AnswerGenerator;
  stats(): GenerationStats;
}

/**
 * Grounded generation when LLM_BASE_URL and LLM_MODEL are set, else null (extractive answers).
 * Loaded lazily, so that the `openai` SDK is read only when a model is configured.
 */
export async function generationFor(config: Config, replies: Replies, log: Logger): Promise<GenerationHook | null> {
  if (!generationConfigured(config)) return null;
  const { GroundedGenerator } = await import('./generation/grounded-generator.ts');
  const generator = GroundedGenerator.fromConfig(config, { replies, log });
  log.info({ model: generator.model.name }, 'grounded generation on');
  return { generator, stats: () => generator.stats() };
}

/**
 * zhiyin's core, opened: the store (migrated), the knowledge base (ingested from `knowledge/`
 * on first start) and the policy answerer over its current version.
 *
 * @example
 * const assistant = await Assistant.open(loadConfig());
 * const reply = await assistant.ask('实习单位能扣我身份证吗？');
 * await assistant.close();
 */
export class Assistant {
  #answerer: PolicyAnswerer | null = null;
  #answererVersion = -1;
  #building: Promise<PolicyAnswerer> | null = null;
  /** Lexical indexes being stored (after a commit, or after building one the store lacked); awaited by `close`. */
  #storing: Promise<void> | null = null;

  private constructor(
    readonly config: Config,
    readonly db: Database,
    readonly knowledge: KnowledgeBase,
    readonly lexicon: Lexicon,
    readonly tokenizer: Tokenizer,
    readonly replies: Replies,
    readonly log: Logger,
    /** Grounded generation, when LLM_* is configured; null keeps answers extractive. */
    readonly generation: GenerationHook | null = null,
  ) {}

  static async open(config: Config, options: OpenAssistantOptions = {}): Promise<Assistant> {
    const log = options.log ?? createLogger(config.LOG_LEVEL);
    // The lexicon and tokenizer (jieba's dictionary) load while the database starts up: once
    // PGlite's start has begun, so that its WebAssembly compiles on other threads meanwhile.
    let words: { lexicon: Lexicon; tokenizer: Tokenizer } | null = null;
    const loadWords = (): { lexicon: Lexicon; tokenizer: Tokenizer } => {
      if (!words) {
        const lexicon = loadLexicon();
        words = { lexicon, tokenizer: new Tokenizer(lexicon) };
      }
      return words;
    };
    const opening =
      options.db ?? openDatabase({ ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.ZHIYIN_DATA_DIR }), whileStarting: loadWords });
    const db = await opening;
    const { lexicon, tokenizer } = loadWords();
    log.debug({ uptimeMs: Math.round(performance.now()) }, 'database open');
    try {
      const { applied } = await migrate(db);
      if (applied.length > 0) log.info({ applied }, 'database migrated');
      // Each committed version's lexical index is built and stored at once, so that a start reads it.
      let committed = (_version: number): void => {};
      // Question variants: the shipped files (knowledge/variants/, read when a version needs them), and the configured model at ingest.
      const knowledge = new KnowledgeBase(db, await embeddingModelFor(config, tokenizer), {
        shippedVariants: () => loadShippedVariants(config.ZHIYIN_KNOWLEDGE_DIR),
        variantGenerator: await variantGeneratorFor(config),
        afterCommit: (version) => committed(version),
        log,
      });
      const replies = new Replies();
      const assistant = new Assistant(config, db, knowledge, lexicon, tokenizer, replies, log, await generationFor(config, replies, log));
      committed = () => assistant.#storeLexicalIndexInBackground();
      const seeded = await knowledge.seedShippedVariants();
      if (seeded.published > 0) {
        log.info({ versions: seeded.versions }, 'shipped question variants added to stored versions; re-indexing');
        await knowledge.reindex({ actor: 'system' });
      }
      if (!options.skipInitialIngest && (await knowledge.version()) === 0) {
        const documents = await readDocumentDirectory(config.ZHIYIN_KNOWLEDGE_DIR);
        try {
          const report = await knowledge.publish(documents);
          log.info({ documents: report.documents, clauses: report.clauses, version: report.version }, 'knowledge base ingested');
        } catch (error) {
          // Several servers started at once on one empty PostgreSQL: one ingest wins, the others serve it.
          if (!(error instanceof ConcurrentChangeError)) throw error;
          log.info({ version: await knowledge.version() }, 'knowledge base ingested by another instance');
        }
      }
      // A vector index a stopped process left unbuilt (or one a knowledge base grown past the exact-scan limit needs).
      void knowledge.indexVectorsInBackground();
      return assistant;
    } catch (error) {
      if (!options.db) await db.close();
      throw error;
    }
  }

  /** The answerer over the current knowledge-base version, rebuilt when another process publishes. */
  async answerer(): Promise<PolicyAnswerer> {
    const version = await this.knowledge.version();
    if (this.#answerer && this.#answererVersion === version) return this.#answerer;
    this.#building ??= this.#build().finally(() => {
      this.#building = null;
    });
    return this.#building;
  }

  async #build(): Promise<PolicyAnswerer> {
    // Rules a newer version replaced stay findable (lexically), so that an answer can say so.
    let snapshot = await this.knowledge.snapshot({ includeSuperseded: true });
    const model = this.knowledge.model;
    // A corpus-fitted model is stored with the version that made the vectors: loaded, not fitted.
    const loaded = await this.knowledge.loadModel();
    if (loaded === 'missing' && snapshot.clauses.length > 0) {
      // A store from before models were kept: fit on the clauses in force, as the stored vectors were.
      model.fit(
        snapshot.clauses
          .filter((clause) => snapshot.documents.get(clause.docId)?.versionInfo?.state !== 'superseded')
          .map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId))),
      );
      if ((await this.knowledge.embeddedWith()) === model.name) await this.knowledge.storeModel();
    }
    if (snapshot.clauses.length > 0 && (await this.knowledge.embeddedWith()) !== model.name) {
      this.log.info({ model: model.name }, 'stored vectors are from another model; re-indexing');
      await this.knowledge.reindex();
      snapshot = await this.knowledge.snapshot({ includeSuperseded: true });
    }
    if (await this.knowledge.drifted()) this.knowledge.refitInBackground();
    const { rows } = await this.db.query<{ embedding_dims: number | null }>('select embedding_dims from kb_state where id = 1');
    const dims = rows[0]?.embedding_dims ?? 0;
    const dense = dims > 0 ? this.knowledge.denseSearch(dims) : null;
    await this.#storing;
    const key = lexicalIndexKey(snapshot, this.lexicon, this.tokenizer);
    const stored = await this.#storedLexicalIndex(key);
    const search = new HybridSearch(snapshot, this.lexicon, this.tokenizer, dense, { denseWeight: model.fusionWeight }, stored ?? undefined);
    if (!stored) this.#storeLexicalIndexInBackground({ key, version: snapshot.version, postings: search.lexicalPostings });
    this.#answerer = new PolicyAnswerer(search, this.replies, defaultMinConfidence, this.generation?.generator, loadAnswerabilityModel());
    this.#answererVersion = snapshot.version;
    this.log.debug({ uptimeMs: Math.round(performance.now()), version: snapshot.version }, 'answerer ready');
    return this.#answerer;
  }

  /** The lexical indexes stored under `key`, or null when there are none or they cannot be read (they are then built). */
  async #storedLexicalIndex(key: string): Promise<LexicalPostings | null> {
    try {
      const stored = await loadLexicalIndex(this.db, key);
      return stored ? { words: Postings.fromBytes(stored.words), bigrams: Postings.fromBytes(stored.bigrams) } : null;
    } catch (error) {
      this.log.warn({ err: error }, 'the stored lexical index cannot be read; building it');
      return null;
    }
  }

  /**
   * Stores the lexical indexes of a snapshot (given, or the current one's, built unless already
   * stored) after the work in hand; a failure is logged, and the next start builds them.
   */
  #storeLexicalIndexInBackground(built?: { key: string; version: number; postings: LexicalPostings }): void {
    const previous = this.#storing;
    const storing = (async () => {
      await previous;
      let index = built;
      if (!index) {
        const snapshot: KnowledgeSnapshot = await this.knowledge.snapshot({ includeSuperseded: true });
        const key = lexicalIndexKey(snapshot, this.lexicon, this.tokenizer);
        if ((await this.db.query('select 1 from lexical_indexes where key = $1', [key])).rows.length > 0) return;
        index = { key, version: snapshot.version, postings: lexicalPostingsOf(snapshot, this.tokenizer) };
      }
      await storeLexicalIndex(this.db, index.key, index.version, { words: index.postings.words.toBytes(), bigrams: index.postings.bigrams.toBytes() });
    })()
      .catch((error: unknown) => this.log.warn({ err: error }, 'the lexical index could not be stored; the next start builds it'))
      .finally(() => {
        if (this.#storing === storing) this.#storing = null;
      });
    this.#storing = storing;
  }

  /**
   * Answers one policy question (no conversation state, no ticket). `options` matter only with
   * grounded generation: the student key for its rate limit, the previous turn for follow-ups.
   */
  async ask(question: string, options: AnswerOptions = {}): Promise<AnsweredQuestion> {
    return (await this.answerer()).answer(question, options);
  }

  async close(): Promise<void> {
    await this.knowledge.close();
    await this.#storing;
    await this.db.close();
  }
}
