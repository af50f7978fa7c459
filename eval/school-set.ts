/**
 * The school's own eval set (校内评测题, issue 15): real questions of the school's students that an
 * administrator marked with what should happen — the clause that answers them, "should abstain"
 * or "should go to a teacher". Stored in `school_eval_items` (migration 015), read as eval items
 * (`eval/FORMAT.md`) for the publish check, and exported as JSON Lines that `zhiyin eval
 * --dataset` reads. Only the question text is kept, personal data masked; never who asked.
 */
import { scrubPersonalData } from '../src/knowledge/gaps.ts';
import type { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import type { Queryable } from '../src/store/database.ts';
import { evalItemSchema, parseDataset, type EvalItem } from './dataset.ts';

/** The name the set goes by beside the shipped datasets (in the publish check and the export). */
export const schoolDatasetName = 'school';

/** What an administrator marks for a question. */
export type SchoolMark =
  | { outcome: 'answer'; clause: { doc: string; locator: string; text: string }; facts?: string[][] }
  | { outcome: 'abstain' }
  | { outcome: 'escalate' };

/** One stored item, as the pages list it. */
export interface SchoolEvalEntry {
  id: number;
  question: string;
  outcome: EvalItem['outcome'];
  doc: string | null;
  locator: string | null;
  ticketId: number | null;
  createdBy: string | null;
  createdAt: Date;
}

interface ItemRow {
  id: number;
  question: string;
  outcome: EvalItem['outcome'];
  doc_id: string | null;
  locator: string | null;
  passages: string[];
  facts: string[][];
  ticket_id: number | null;
  created_by: string | null;
  created_at: Date;
}

/** How much of a clause's text becomes the item's passage: enough to name the clause, short enough to survive small edits elsewhere in it. */
const passageChars = 40;

/**
 * The passage that identifies a clause: the start of its text, whitespace removed (FORMAT.md
 * compares passages with whitespace removed).
 *
 * @example passageOf('第三条 问：实习押金能退吗？ 答：……') // '第三条问：实习押金能退吗？答：……'
 */
export function passageOf(clauseText: string): string {
  return [...clauseText.replace(/\s+/gu, '')].slice(0, passageChars).join('');
}

/**
 * The school's eval items in the database.
 *
 * @example
 * const set = new SchoolEvalSet(db);
 * await set.mark('实习押金能退吗', { outcome: 'answer', clause }, { ticketId: 7, actor: 'web:wang' });
 * await writeFile('school.jsonl', await set.exportJsonl());
 */
export class SchoolEvalSet {
  constructor(readonly db: Queryable) {}

  /**
   * Stores (or, for a question already marked, replaces) what should happen for a question. The
   * question is scrubbed of personal data first; an `answer` mark needs a clause, whose opening
   * words become the passage and, unless facts are given, the fact the answer must contain.
   */
  async mark(question: string, mark: SchoolMark, options: { ticketId?: number | null; actor?: string | null } = {}): Promise<SchoolEvalEntry> {
    const text = scrubPersonalData(question.replace(/\s+/gu, ' ').trim());
    const passages = mark.outcome === 'answer' ? [passageOf(mark.clause.text)] : [];
    const facts = mark.outcome === 'answer' ? (mark.facts && mark.facts.length > 0 ? mark.facts : [passages]) : [];
    // the item must be one `zhiyin eval --dataset` accepts
    evalItemSchema.parse({ id: 'school-check', question: text, outcome: mark.outcome, passages, facts });
    const { rows } = await this.db.query<ItemRow>(
      `insert into school_eval_items (question, outcome, doc_id, locator, passages, facts, ticket_id, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (question) do update set outcome = excluded.outcome, doc_id = excluded.doc_id, locator = excluded.locator,
         passages = excluded.passages, facts = excluded.facts, ticket_id = excluded.ticket_id, created_by = excluded.created_by, created_at = now()
       returning *`,
      [
        text,
        mark.outcome,
        mark.outcome === 'answer' ? mark.clause.doc : null,
        mark.outcome === 'answer' ? mark.clause.locator : null,
        JSON.stringify(passages),
        JSON.stringify(facts),
        options.ticketId ?? null,
        options.actor ?? null,
      ],
    );
    return toEntry(rows[0]!);
  }

  /** Removes an item; false when there was none. */
  async remove(id: number): Promise<boolean> {
    const { rows } = await this.db.query<{ id: number }>('delete from school_eval_items where id = $1 returning id', [id]);
    return rows.length > 0;
  }

  /** Every item, oldest first. */
  async entries(): Promise<SchoolEvalEntry[]> {
    return (await this.rows()).map(toEntry);
  }

  /** The marks made from one ticket. */
  async ofTicket(ticketId: number): Promise<SchoolEvalEntry[]> {
    const { rows } = await this.db.query<ItemRow>('select * from school_eval_items where ticket_id = $1 order by id', [ticketId]);
    return rows.map(toEntry);
  }

  /** The items as eval items (`school-<id>`, tagged `school` and, for answers, `doc:<id>`). */
  async items(): Promise<EvalItem[]> {
    return (await this.rows()).map(toItem);
  }

  /** The set as JSON Lines, one item a line, as `eval/datasets/*.jsonl` are written. */
  async exportJsonl(): Promise<string> {
    const items = await this.items();
    const text = items.map((item) => JSON.stringify({ id: item.id, question: item.question, outcome: item.outcome, passages: item.passages, facts: item.facts, tags: item.tags })).join('\n');
    const jsonl = text === '' ? '' : `${text}\n`;
    parseDataset(jsonl, `${schoolDatasetName}.jsonl`); // what is exported reads back
    return jsonl;
  }

  private async rows(): Promise<ItemRow[]> {
    return (await this.db.query<ItemRow>('select * from school_eval_items order by id')).rows;
  }
}

/**
 * A clause of the published set by document and locator (its first part), as a mark names it;
 * null when the live set has no such clause. For the ticket page and the gaps page.
 *
 * @example const clause = await publishedClause(kb, 'moe-2018-zhongzhi-guidance', '第十五条');
 */
export async function publishedClause(kb: KnowledgeBase, doc: string, locator: string): Promise<{ doc: string; locator: string; text: string } | null> {
  const snapshot = await kb.snapshot();
  const clause = snapshot.clauses.find((candidate) => candidate.docId === doc && candidate.locator === locator);
  return clause ? { doc, locator, text: clause.text } : null;
}

function toEntry(row: ItemRow): SchoolEvalEntry {
  return {
    id: row.id,
    question: row.question,
    outcome: row.outcome,
    doc: row.doc_id,
    locator: row.locator,
    ticketId: row.ticket_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function toItem(row: ItemRow): EvalItem {
  return {
    id: `${schoolDatasetName}-${row.id}`,
    question: row.question,
    outcome: row.outcome,
    passages: row.passages,
    facts: row.facts,
    tags: [schoolDatasetName, ...(row.doc_id ? [`doc:${row.doc_id}`] : [])],
  };
}
