import type { Assistant } from '../src/assistant.ts';
import { generationConfigured, type Config } from '../src/config.ts';
import { faithfulnessScorer, type FaithfulnessScorer } from './faithfulness.ts';

/**
 * The configuration an eval runs with: `--llm` needs LLM_BASE_URL and LLM_MODEL and keeps them;
 * without it the eval measures the extractive answers even when a model is configured.
 *
 * @example const config = evalConfig(loadConfig(), options.llm === true);
 */
export function evalConfig(config: Config, llm: boolean): Config {
  if (!llm) return { ...config, LLM_BASE_URL: undefined, LLM_API_KEY: undefined, LLM_MODEL: undefined };
  if (!generationConfigured(config)) {
    throw new Error('eval --llm needs a model: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if the endpoint wants one)');
  }
  return config;
}

/**
 * The faithfulness scorer over the assistant's documents, so that a sentence naming a cited
 * document's issuer, region or date is read against them too.
 */
export async function faithfulnessFor(assistant: Assistant): Promise<FaithfulnessScorer> {
  const { documents } = (await assistant.answerer()).search.snapshot;
  return faithfulnessScorer(assistant.replies, (doc) => {
    const document = documents.get(doc);
    if (!document) return undefined;
    return { issuer: document.issuer, region: document.region, date: [document.date, document.dateNote].filter(Boolean).join(' ') };
  });
}
