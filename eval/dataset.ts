import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const notBlank = (s: string): boolean => s.replace(/\s+/gu, '').length > 0;

/** A string that still has content once whitespace is removed (a blank passage would match any chunk). */
const text = z.string().refine(notBlank, 'must not be empty or whitespace only');

/**
 * One eval item, per `shared/eval/FORMAT.md`, plus an optional `session`: items sharing a session
 * are one conversation, asked in file order. Unknown fields are rejected so that typos
 * (`passage`, `fact`) do not silently score as empty.
 *
 * @example evalItemSchema.parse({ id: 'e06', question: '今年高考分数线？', outcome: 'abstain' })
 */
export const evalItemSchema = z
  .strictObject({
    id: text,
    question: text,
    outcome: z.enum(['answer', 'abstain', 'escalate']),
    passages: z.array(text).default([]),
    facts: z.array(z.array(text).min(1, 'an alternative-list needs at least one string')).default([]),
    tags: z.array(text).default([]),
    session: text.optional(),
  })
  .superRefine((item, ctx) => {
    if (item.outcome !== 'answer') return;
    if (item.passages.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['passages'], message: 'an answer item needs at least one passage' });
    }
    if (item.facts.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['facts'], message: 'an answer item needs at least one alternative-list' });
    }
  });

/** An eval item after validation: `passages`, `facts` and `tags` are always present. */
export type EvalItem = z.output<typeof evalItemSchema>;

/** A dataset file that could not be read as eval items; `problems` are `file:line: message`. */
export class DatasetError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid eval dataset:\n  ${problems.join('\n  ')}`);
    this.name = 'DatasetError';
  }
}

/**
 * Reads a JSON Lines dataset. Blank lines are skipped. Every bad line is reported, each naming
 * `file:line`; duplicate ids are an error.
 *
 * @example const items = await loadDataset('eval/datasets/core.jsonl');
 */
export async function loadDataset(path: string): Promise<EvalItem[]> {
  return parseDataset(await readFile(path, 'utf8'), path);
}

/** Parses JSON Lines text as eval items; `source` names the file in error messages. */
export function parseDataset(content: string, source: string): EvalItem[] {
  const items: EvalItem[] = [];
  const problems: string[] = [];
  const firstLineOfId = new Map<string, number>();

  content
    .replace(/^\uFEFF/u, '')
    .split(/\r?\n/u)
    .forEach((line, index) => {
      if (line.trim() === '') return;
      const where = `${source}:${index + 1}`;
      const parsed = parseLine(line);
      if (!parsed.ok) {
        problems.push(...parsed.problems.map((p) => `${where}: ${p}`));
        return;
      }
      const seenOn = firstLineOfId.get(parsed.item.id);
      if (seenOn !== undefined) {
        problems.push(`${where}: duplicate id "${parsed.item.id}" (first on line ${seenOn})`);
        return;
      }
      firstLineOfId.set(parsed.item.id, index + 1);
      items.push(parsed.item);
    });

  if (problems.length > 0) throw new DatasetError(problems);
  return items;
}

type LineResult = { ok: true; item: EvalItem } | { ok: false; problems: string[] };

function parseLine(line: string): LineResult {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, problems: [`invalid JSON: ${(error as Error).message}`] };
  }
  const result = evalItemSchema.safeParse(json);
  if (result.success) return { ok: true, item: result.data };
  const id = idOf(json);
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${id}${describePath(issue.path)}${issue.message}`),
  };
}

function idOf(json: unknown): string {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? `item "${id}": ` : '';
}

function describePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `${path.map(String).join('.')}: `;
}
