import type { Database } from '../store/database.ts';

/**
 * Knowledge gaps (知识缺口): what students asked that the knowledge base could not answer well —
 * questions the bot abstained on, asked back about (a clarifying question), handed to a teacher
 * for low confidence, or answered and then rated 1–2 — grouped by the clause retrieval found
 * nearest, so an administrator sees which part of the knowledge base to extend. Only question
 * texts leave here, scrubbed of what looks like personal data; never who asked.
 */

/** Why a question counts as a gap. */
export type GapKind = 'abstain' | 'clarify' | 'low-confidence' | 'low-rating';

/** One question that showed a gap. */
export interface GapQuestion {
  /** The student's question, with phone numbers, ID numbers, e-mail addresses and names masked. */
  text: string;
  kind: GapKind;
  at: Date;
  /** The clause retrieval ranked first for it, when it found one. */
  nearest: { doc: string; locator: string } | null;
}

/** Questions that share their nearest clause (or, without one, their rarest word). */
export interface GapGroup {
  /** `doc#locator`, or `terms:<word>` for questions no clause came near. */
  key: string;
  nearest: { doc: string; locator: string } | null;
  /** The words most of the group's questions share, most shared first (at most 5). */
  terms: string[];
  count: number;
  byKind: Record<GapKind, number>;
  /** Questions per week (China time, ISO week `2026-W49`), oldest first. */
  weeks: { week: string; count: number }[];
  /** The most recent distinct questions (at most `examples`). */
  examples: GapQuestion[];
  lastAt: Date;
}

export interface GapOptions {
  since: Date;
  until?: Date;
  /** The words of a question (the retrieval tokenizer, stopwords removed). */
  words: (text: string) => string[];
  /** How rare a word is in the knowledge base (higher: rarer); groups questions no clause came near. */
  rarity?: (word: string) => number;
  /** Examples kept per group (default 5). */
  examples?: number;
}

const kinds: GapKind[] = ['abstain', 'clarify', 'low-confidence', 'low-rating'];

/**
 * Masks what looks like personal data in a student's question: mobile and landline numbers, ID
 * card numbers, other long digit runs (student numbers, QQ), e-mail addresses, and a name the
 * student gives (我叫…, 我是…同学, 姓名…).
 *
 * @example scrubPersonalData('我叫王小明，电话13812345678，补贴怎么领') // '我叫〔姓名〕，电话〔电话〕，补贴怎么领'
 */
export function scrubPersonalData(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu, '〔邮箱〕')
    .replace(/(?<!\d)\d{17}[\dXx](?!\d)|(?<!\d)\d{15}(?!\d)/gu, '〔身份证号〕')
    .replace(/(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)/gu, '〔电话〕')
    .replace(/(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)/gu, '〔电话〕')
    .replace(/(?<!\d)\d{6,}(?!\d)/gu, '〔号码〕')
    .replace(/(我叫|我的名字是|我的名字叫|姓名[:：]?\s*|名字[:：]\s*)[\p{Script=Han}·]{2,4}/gu, '$1〔姓名〕')
    .replace(/(我是)[\p{Script=Han}]{2,3}(?=同学)/gu, '$1〔姓名〕'); // not 我是中职学生: only a name before 同学
}

interface GapRow {
  text: string;
  meta: { outcome?: string; clarify?: boolean; escalation?: string; nearest?: { doc: string; locator: string; confidence?: number | null }; citations?: { doc: string; locator: string }[] } | null;
  at: Date;
  rated: boolean;
}

/**
 * Below this share of the question's term weight in the best clause (the answerer's confidence),
 * the "nearest" clause is only the least far one: such questions are grouped by their words.
 */
export const minNearConfidence = 0.35;

/** A non-answer's nearest clause (when it was near at all); for a low-rated answer, the clause it cited first. */
function nearestOf(row: GapRow): GapQuestion['nearest'] {
  const clause = row.rated ? row.meta?.citations?.[0] : row.meta?.nearest;
  if (!row.rated && typeof row.meta?.nearest?.confidence === 'number' && row.meta.nearest.confidence < minNearConfidence) return null;
  return clause?.doc && clause.locator ? { doc: clause.doc, locator: clause.locator } : null;
}

/**
 * The gap questions between `since` and `until`, read from the stored conversations.
 *
 * @example const questions = await gapQuestions(db, { since: weekAgo, words: (t) => tokenizer.words(t) });
 */
export async function gapQuestions(db: Database, { since, until = new Date() }: Pick<GapOptions, 'since' | 'until'>): Promise<GapQuestion[]> {
  // A turn is the student's message and the replies after it; the first reply says what happened.
  const { rows } = await db.query<GapRow>(
    `select s.text, a.meta, a.created_at as at, false as rated
       from conversation_messages s
       join lateral (select meta, created_at from conversation_messages a
                      where a.conversation_id = s.conversation_id and a.id > s.id and a.role = 'assistant'
                      order by a.id limit 1) a on true
      where s.role = 'student' and s.created_at >= $1 and s.created_at < $2
        and (a.meta->>'escalation' = 'low-confidence'
             or (a.meta->>'outcome' = 'abstain' and a.meta->>'handledAs' in ('policy', 'follow-up')))
     union all
     select s.text, a.meta, r.created_at as at, true as rated
       from ratings r
       join lateral (select id, meta from conversation_messages a
                      where a.conversation_id = r.conversation_id and a.role = 'assistant' and a.created_at <= r.created_at
                        and a.meta->>'outcome' = 'answer'
                      order by a.id desc limit 1) a on true
       join lateral (select text from conversation_messages s
                      where s.conversation_id = r.conversation_id and s.role = 'student' and s.id < a.id
                      order by s.id desc limit 1) s on true
      where r.subject = 'answer' and r.score <= 2 and r.created_at >= $1 and r.created_at < $2`,
    [since, until],
  );
  return rows
    .filter((row) => !row.text.startsWith('['))
    .map((row) => ({
      text: scrubPersonalData(row.text.trim()),
      kind: row.rated ? 'low-rating' : row.meta?.escalation === 'low-confidence' ? 'low-confidence' : row.meta?.clarify ? 'clarify' : 'abstain',
      at: new Date(row.at),
      nearest: nearestOf(row),
    }));
}

/** The ISO week of an instant in China time: `2026-W49`. */
export function chinaWeek(at: Date): string {
  const china = new Date(at.getTime() + 8 * 3600_000);
  const day = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth(), china.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week names its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * Groups gap questions: by the clause retrieval found nearest, else by their rarest word; the
 * biggest group first.
 */
export function groupGaps(questions: readonly GapQuestion[], options: Pick<GapOptions, 'words' | 'rarity' | 'examples'>): GapGroup[] {
  const rarity = options.rarity ?? ((word: string) => word.length);
  const groups = new Map<string, { nearest: GapQuestion['nearest']; questions: GapQuestion[]; words: string[][] }>();
  for (const question of questions) {
    const words = [...new Set(options.words(question.text.replace(/〔[^〕]*〕/gu, ' ')).filter((word) => /[\p{Script=Han}A-Za-z]/u.test(word)))];
    let key: string;
    if (question.nearest) key = `${question.nearest.doc}#${question.nearest.locator}`;
    else {
      const rarest = [...words].sort((a, b) => rarity(b) - rarity(a) || b.length - a.length || a.localeCompare(b))[0];
      key = `terms:${rarest ?? question.text}`;
    }
    const group = groups.get(key) ?? { nearest: question.nearest, questions: [], words: [] };
    group.questions.push(question);
    group.words.push(words);
    groups.set(key, group);
  }
  const keep = options.examples ?? 5;
  return [...groups.entries()]
    .map(([key, group]): GapGroup => {
      const byKind = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<GapKind, number>;
      const weeks = new Map<string, number>();
      for (const question of group.questions) {
        byKind[question.kind] += 1;
        const week = chinaWeek(question.at);
        weeks.set(week, (weeks.get(week) ?? 0) + 1);
      }
      const shared = new Map<string, number>();
      for (const words of group.words) for (const word of words) shared.set(word, (shared.get(word) ?? 0) + 1);
      const needed = group.questions.length > 1 ? 2 : 1;
      const terms = [...shared.entries()]
        .filter(([, count]) => count >= needed)
        .sort((a, b) => b[1] - a[1] || rarity(b[0]) - rarity(a[0]) || a[0].localeCompare(b[0]))
        .map(([word]) => word)
        // a word inside a longer shared word says nothing more (身份 in 身份证)
        .filter((word, _, all) => !all.some((other) => other !== word && other.includes(word)))
        .slice(0, 5);
      const recent = [...group.questions].sort((a, b) => b.at.getTime() - a.at.getTime());
      const seen = new Set<string>();
      const examples = recent.filter((question) => !seen.has(question.text) && seen.add(question.text)).slice(0, keep);
      return {
        key,
        nearest: group.nearest,
        terms,
        count: group.questions.length,
        byKind,
        weeks: [...weeks.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([week, count]) => ({ week, count })),
        examples,
        lastAt: recent[0]!.at,
      };
    })
    .sort((a, b) => b.count - a.count || b.lastAt.getTime() - a.lastAt.getTime());
}

/**
 * The gap groups of a period: {@link gapQuestions} grouped by {@link groupGaps}.
 *
 * @example const groups = await knowledgeGaps(db, { since: new Date(Date.now() - 28 * 86_400_000), words: (t) => tokenizer.words(t) });
 */
export async function knowledgeGaps(db: Database, options: GapOptions): Promise<GapGroup[]> {
  return groupGaps(await gapQuestions(db, options), options);
}
