import { countsIn, scaleResults, type ScaleResult } from '../answering/scale-rule.ts';
import type { Citation } from '../answering/types.ts';
import type { Language, Replies } from '../prompts.ts';

/**
 * The computation a student's own number asks of a cited scale rule ("我们学校1500个毕业生要配几个"
 * answered from "专职人员与应届毕业生的比例不低于1：500"), said as one line: the rule quoted, the
 * steps shown, the amount. The count is read from the texts in order — the message first, then the
 * question as read in the conversation's frame (a count said one turn earlier) — and the rule from
 * the cited clauses in order. Null when no count is stated, no cited clause has a rule for it, or
 * the rule leaves the amount in doubt. Of several rules, the one the answer's lead quotes is said.
 *
 * @example scaleLine(['那2000人呢', '河南 招聘会场地多大 2000人'], answer, citations, 'zh', replies)
 * // '按「1000名以下的要达到200平方米，每增加500名毕业生增加50平方米」算：你们2000人，2000 − 1000 = 1000，…至少要300平方米。'
 */
export function scaleLine(texts: readonly string[], answer: string, citations: readonly Citation[], language: Language, replies: Replies): string | null {
  for (const text of texts) {
    const counts = countsIn(text);
    if (counts.length === 0) continue;
    // the last count a text states is the one it asks about ("去年1000人 今年1500人呢")
    const count = counts[counts.length - 1]!;
    const results = citations.flatMap((citation) => scaleResults(citation.text, count));
    // of a clause's rules (电脑, then 招聘会议厅), the one the answer's lead says
    const lead = answer.replace(/\s+/gu, '').split(/【原文】|Clausetext:/u)[0]!;
    const said = results.find((result) => lead.includes(result.rule)) ?? results[0];
    return said ? render(said, language, replies) : null;
  }
  return null;
}

function render(result: ScaleResult, language: Language, replies: Replies): string {
  const steps = result.roundedUp ? [...result.steps, replies.render(language, 'scale_rounded_up', { value: result.value })] : result.steps;
  return replies.render(language, 'scale_result', {
    rule: result.rule,
    count: result.count,
    steps: steps.join(language === 'zh' ? '，' : ', '),
    bound: replies.render(language, result.minimum ? 'scale_bound_minimum' : 'scale_bound_exact'),
    amount: result.amount,
  });
}

/** The answer with a line put first in its lead (before the quoted clauses). */
export function withFirstLine(answer: string, line: string): string {
  return `${line}\n${answer}`;
}
