/**
 * A large made-up knowledge base for the benches (`eval/bench-knowledge-base.ts`, `eval/bench-scale.ts`) and for
 * tests that need many clauses: documents of `syntheticMarkdown`, 100 articles each, whose clauses
 * share most of their words (学校, 事项, 期限, 工作日, the ten topics, five verbs, eight objects) and
 * differ in numbers, and the bench's questions, drawn in the same four shapes every time.
 *
 * @example const { snapshot, questions } = syntheticKnowledgeBase(100_000, 200);
 */
import type { Clause } from '../knowledge/types.ts';
import type { KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { chunkDocument } from '../knowledge/chunker.ts';
import { parseDocument } from '../knowledge/document.ts';
import { syntheticMarkdown } from '../knowledge/testing-fixtures.ts';

/** Articles per generated document. */
const clausesPerDocument = 100;

export interface SyntheticKnowledgeBase {
  clauses: Clause[];
  snapshot: KnowledgeSnapshot;
  /** `queries` questions: a clause's number with a topic, two shared phrasings, a document's number. */
  questions: string[];
}

/** `clauseCount` clauses in ⌈clauseCount / 100⌉ documents, and `queries` questions about them. */
export function syntheticKnowledgeBase(clauseCount: number, queries: number): SyntheticKnowledgeBase {
  const documents = Math.ceil(clauseCount / clausesPerDocument);
  const parsed = Array.from({ length: documents }, (_, i) => parseDocument(syntheticMarkdown(i + 1, clausesPerDocument), `gen-${i}.md`));
  const clauses = parsed.flatMap((document) => chunkDocument(document)).slice(0, clauseCount);
  const snapshot: KnowledgeSnapshot = { version: 1, documents: new Map(parsed.map(({ body: _body, ...info }) => [info.id, info])), clauses };
  const questions = Array.from(
    { length: queries },
    (_, i) => [`编号${(i * 37) % documents}-${(i % 100) + 1}的实习事项期限是多久？`, '学校可以收取费用吗？', '职业指导教师要配备几名？', `第${i}号培训管理办法怎么签订三方协议`][i % 4]!,
  );
  return { clauses, snapshot, questions };
}
