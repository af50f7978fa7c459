import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import type { Language, Replies } from '../prompts.ts';
import { dateText } from '../answering/caveats.ts';
import type { GroundingProblem, GroundingSource } from './grounding-guard.ts';
import { fill, type GenerationTemplate } from './templates.ts';
import type { ConversationSummary } from './types.ts';

/** The messages for the model and the numbered clauses the answer may cite. */
export interface GroundedPrompt {
  messages: BaseMessage[];
  /** The clauses as [1]..[n], in prompt order. */
  clauses: RankedClause[];
  /** The same clauses as the grounding guard reads them: text plus the document facts the prompt shows. */
  sources: GroundingSource[];
  version: number;
}

/** Longest previous answer passed on, in characters: enough to resolve "那…呢", not a second source. */
const summaryLength = 300;

/**
 * Student and document text goes into the prompt between tags; angle brackets inside it become
 * full-width so that no text can close a tag and write outside its data block.
 */
function asData(text: string): string {
  return text.replace(/</gu, '＜').replace(/>/gu, '＞');
}

/**
 * Builds the prompt: the rules (system), then the router's decision, the previous turn if any,
 * the question and the clauses numbered [1]..[n] with title, locator, issuer, region and date —
 * through a LangChain `ChatPromptTemplate`, whose values are inserted as they are, never parsed.
 *
 * @example const prompt = await buildGroundedPrompt({ question, language: 'zh', clauses, confidence: 0.6, template, replies });
 */
export async function buildGroundedPrompt(input: {
  question: string;
  language: Language;
  clauses: readonly RankedClause[];
  confidence: number | null;
  summary?: ConversationSummary;
  template: GenerationTemplate;
  replies: Replies;
}): Promise<GroundedPrompt> {
  const { language, template, replies } = input;
  const sources = input.clauses.map(({ clause, document }): GroundingSource => ({
    text: clause.text,
    title: document.title,
    locator: clause.locator,
    issuer: document.issuer,
    region: document.region,
    date: dateText(document, language, replies),
  }));
  const clauses = sources
    .map((source, index) =>
      fill(template.clause, {
        n: index + 1,
        title: source.title!,
        locator: source.locator!,
        issuer: source.issuer!,
        region: source.region!,
        date: source.date!,
        text: asData(source.text),
      }),
    )
    .join('\n\n');
  const summary = input.summary
    ? fill(template.summary, {
        question: asData(input.summary.question),
        answer: asData(cut(input.summary.answer, summaryLength)),
      })
    : '';
  const chat = ChatPromptTemplate.fromMessages([
    ['system', template.system],
    ['human', template.user],
  ]);
  const messages = await chat.formatMessages({
    count: sources.length,
    decision: fill(template.decision, { confidence: input.confidence === null ? '—' : input.confidence.toFixed(2) }),
    summary,
    question: asData(input.question),
    clauses,
  });
  return { messages, clauses: [...input.clauses], sources, version: template.version };
}

/**
 * The messages for a second try: the first ones, the rejected draft, and what was wrong with it
 * (which markers point nowhere, which claims no cited clause backs).
 */
export function retryMessages(
  prompt: GroundedPrompt,
  draft: string,
  problems: readonly GroundingProblem[],
  template: GenerationTemplate,
): BaseMessage[] {
  const lines = problems.map((problem) => {
    switch (problem.kind) {
      case 'no-marker':
        return template.problem_no_marker;
      case 'unknown-marker':
        return fill(template.problem_unknown_marker, { marker: problem.marker });
      case 'uncited-claim':
        return fill(template.problem_uncited, { sentence: problem.sentence, claims: problem.claims.join('、') });
      case 'unsupported-claim':
        return fill(template.problem_unsupported, {
          sentence: problem.sentence,
          claims: problem.claims.join('、'),
          markers: problem.markers.map((n) => `[${n}]`).join(''),
        });
    }
  });
  return [
    ...prompt.messages,
    new AIMessage(draft),
    new HumanMessage(fill(template.retry, { problems: lines.join('\n'), count: prompt.sources.length })),
  ];
}

/** The role the OpenAI chat API gives a LangChain message. */
export interface OpenAIChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * LangChain messages in the OpenAI chat format.
 *
 * @example toOpenAIMessages([new SystemMessage('…'), new HumanMessage('…')])
 */
export function toOpenAIMessages(messages: readonly BaseMessage[]): OpenAIChatMessage[] {
  return messages.map((message) => {
    const type = message.type;
    const role = type === 'system' ? 'system' : type === 'ai' ? 'assistant' : 'user';
    return { role, content: message.text };
  });
}

function cut(text: string, length: number): string {
  const chars = [...text.trim()];
  return chars.length <= length ? chars.join('') : `${chars.slice(0, length).join('')}…`;
}
