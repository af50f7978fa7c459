import type { Citation } from '../answering/types.ts';
import { caveatsFor } from '../answering/caveats.ts';
import { sourceLine } from '../answering/extractive-answer.ts';
import type { Language, Replies } from '../prompts.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import { fill, type GenerationTemplate } from './templates.ts';

/**
 * The generated answer as a student sees it: the text with its [n] markers, then the sources in
 * the extractive answer's 《title》locator｜issuer｜region｜date form, numbered as the markers are,
 * then the caveats (regional, draft, old, audience, age) of the cited clauses.
 *
 * @example composeGeneratedAnswer({ text: '不可以[1]。', clauses: [ranked], question, language: 'zh', replies, template })
 */
export function composeGeneratedAnswer(input: {
  /** The checked text, its markers renumbered 1..n in the order of `clauses`. */
  text: string;
  clauses: readonly RankedClause[];
  question: string;
  language: Language;
  replies: Replies;
  template: GenerationTemplate;
}): { answer: string; citations: Citation[] } {
  const { clauses, language, replies } = input;
  const lines = [input.text.trim(), '', replies.render(language, 'answer_source_heading')];
  clauses.forEach(({ clause, document }, index) => {
    const source = sourceLine(document, clause.locator, language, replies, clause.headingPath);
    lines.push(fill(input.template.source_line, { n: index + 1, source }));
  });
  const caveats = caveatsFor(input.question, clauses, language, replies);
  if (caveats.length > 0) lines.push('', replies.render(language, 'caveat_heading'), ...caveats.map((caveat) => `· ${caveat}`));
  return {
    answer: lines.join('\n'),
    citations: clauses.map(({ clause, document }) => ({ doc: document.id, title: document.title, locator: clause.locator, text: clause.text })),
  };
}
