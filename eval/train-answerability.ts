/**
 * `npm run train:answerability`: fits the selective-answering model (src/answering/answerability.ts)
 * on labelled question–clause pairs and writes knowledge/models/answerability.json.
 *
 * A pair is a development question and the clause the answerer would lead with; its label says
 * whether that answer is fully correct (outcome, citation and facts, as the eval scores it). The
 * development sets are the source, with the router's held-out out-of-scope messages as questions
 * no clause answers; `-- --one-document` adds knowledge bases of one document (see
 * `addOneDocumentPairs`: the shipped documents alone, and the readable development twin
 * eval/new-document-dev). The blind sets (blind-*) and the untuned added documents
 * (eval/new-document, eval/new-document-blind) are never read here. A quarter of the questions
 * (by a hash of their id) is held out; the operating point is chosen on the rest and the
 * held-out risk–coverage is reported, per kind of knowledge base, and stored.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Assistant } from '../src/assistant.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { PolicyAnswerer } from '../src/answering/answer-question.ts';
import { routeMessage } from '../src/answering/router.ts';
import {
  answerabilityModelFile,
  featureNames,
  featureVector,
  fitLogistic,
  type AnswerabilityModelJson,
} from '../src/answering/answerability.ts';
import { readDocumentDirectory } from '../src/knowledge/corpus.ts';
import { readUploadPaths } from '../src/knowledge/ingest.ts';
import type { PolicyDocument } from '../src/knowledge/types.ts';
import { knowledgeDir } from '../src/paths.ts';
import { loadDataset, type EvalItem } from './dataset.ts';
import { newDocumentDevDir, newDocumentFiles } from './new-document.ts';
import { fullyCorrect, withoutWhitespace } from './metrics.ts';
import { datasetsDir } from './suite.ts';
import { loadRouterMessages, splitHeldOut } from './router-report.ts';

/** The development sets the model learns from (never a blind set). */
export const trainingSets = ['policy', 'routing', 'holdout', 'holdout-b', 'routing-redteam', 'multi-turn', 'dev-fresh'];

/** How many right answers one wrong answer (with a real citation) is worth losing. */
const wrongCost = 4;

interface Example {
  id: string;
  x: number[];
  y: 0 | 1;
  heldOut: boolean;
}

const isHeldOut = (id: string): boolean => createHash('sha256').update(id).digest()[0]! < 64;

/** Risk (wrong among answered) and coverage (answered among all) when answering at `threshold`. */
function riskAt(examples: readonly (Example & { p: number })[], threshold: number, total: number): { risk: number; coverage: number; answered: number } {
  const answered = examples.filter((example) => example.p >= threshold);
  const wrong = answered.filter((example) => example.y === 0).length;
  return { risk: answered.length === 0 ? 0 : wrong / answered.length, coverage: answered.length / Math.max(1, total), answered: answered.length };
}

/** Opens an assistant over a fresh in-memory database holding `documents` alone (all of them when undefined). */
async function openKnowledgeBase(documents?: readonly PolicyDocument[]): Promise<Assistant> {
  const assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase(), skipInitialIngest: documents !== undefined });
  if (documents) await assistant.knowledge.publish(documents);
  return assistant;
}

/**
 * Labels the answers one knowledge base gives to `items`: each standalone question the router
 * passes on and the answerer answers becomes a pair, right when the eval scores the answer fully correct.
 */
async function labelledPairs(assistant: Assistant, items: readonly EvalItem[], idOf: (item: EvalItem) => string): Promise<{ examples: Example[]; questions: number }> {
  const base = await assistant.answerer();
  // every answer that passes the confidence floor, so that each pair can be labelled
  const answerer = new PolicyAnswerer(base.search, base.replies, base.minConfidence, undefined, null);
  const examples: Example[] = [];
  let questions = 0;
  const seen = new Set<string>();
  for (const item of items) {
    // a follow-up is asked as its conversation resolves it; only questions that stand alone here
    if (item.session) {
      if (seen.has(item.session)) continue;
      seen.add(item.session);
    }
    // escalations are the router's to catch; the model judges answers to questions
    const route = routeMessage(item.question);
    const answerable = route.kind === 'policy' || (route.kind === 'abstain' && route.reason !== 'injection');
    if (item.outcome === 'escalate' || !answerable) continue;
    questions += 1;
    const result = await answerer.answer(item.question);
    if (result.outcome !== 'answer' || !result.assessment) continue;
    // one question is on one side of the split in every knowledge base it is asked in
    examples.push({ id: idOf(item), x: featureVector(result.assessment.features), y: fullyCorrect(item, result) ? 1 : 0, heldOut: isHeldOut(item.id) });
  }
  return { examples, questions };
}

/**
 * Pairs from knowledge bases of ONE document, as a school starts with or adds (`-- --one-document`):
 * each shipped document alone, asked the development questions it answers and those no document
 * answers (a question about another shipped document is left out: students of an added document
 * ask about it), and the readable added document (eval/new-document-dev) with its questions and
 * the training questions written from it (training-questions.jsonl there).
 *
 * Not in the shipped model: measured on 2026-12-03, answers in a one-document knowledge base are
 * right less often (about 80 % of the pairs against 88 % with five documents), so with these pairs
 * the model grew more cautious there and on the five-document sets (policy, dev-fresh fell below
 * their floors); features that keep their meaning whatever the corpus size must come first.
 */
async function addOneDocumentPairs(shippedSets: readonly { name: string; items: EvalItem[] }[], examples: Example[], counted: (questions: number) => void): Promise<void> {
  const singles = await readDocumentDirectory(path.join(knowledgeDir, 'documents'));
  for (const document of singles) {
    const alone = await openKnowledgeBase([document]);
    try {
      for (const { name, items } of shippedSets) {
        // the same question shares its held-out side across knowledge bases (hashed on the same id)
        const about = items.filter((item) => item.outcome === 'abstain' || item.passages.some((passage) => withoutWhitespace(document.body).includes(withoutWhitespace(passage))));
        const pairs = await labelledPairs(alone, about, (item) => `${name}/${item.id}`);
        examples.push(...pairs.examples.map((example) => ({ ...example, id: `${document.id}:${example.id}` })));
        counted(pairs.questions);
      }
    } finally {
      await alone.close();
    }
  }
  const added = newDocumentFiles(newDocumentDevDir);
  const uploads = await readUploadPaths([added.document]);
  const addedAlone = await openKnowledgeBase(uploads.map((upload) => upload.document));
  try {
    for (const file of [added.questions, path.join(newDocumentDevDir, 'training-questions.jsonl')]) {
      const pairs = await labelledPairs(addedAlone, await loadDataset(file), (item) => `new-document-dev/${item.id}`);
      examples.push(...pairs.examples);
      counted(pairs.questions);
    }
  } finally {
    await addedAlone.close();
  }
}

/** Adds the one-document pairs (see `addOneDocumentPairs`). */
const withOneDocument = process.argv.includes('--one-document');

async function main(): Promise<void> {
  const examples: Example[] = [];
  let questions = 0;
  const shippedSets = await Promise.all(trainingSets.map(async (name) => ({ name, items: await loadDataset(path.join(datasetsDir, `${name}.jsonl`)) })));
  const assistant = await openKnowledgeBase();
  try {
    for (const { name, items } of shippedSets) {
      const pairs = await labelledPairs(assistant, items, (item) => `${name}/${item.id}`);
      examples.push(...pairs.examples);
      questions += pairs.questions;
    }
    const base = await assistant.answerer();
    const answerer = new PolicyAnswerer(base.search, base.replies, base.minConfidence, undefined, null);
    // Questions no clause answers: the router's held-out out-of-scope messages (held out from the
    // classifier's training, so its score on them is an honest one). Any answer to them is wrong.
    const { heldOut: unseen } = splitHeldOut(loadRouterMessages().examples);
    for (const message of unseen.filter((example) => example.label === 'out_of_scope')) {
      questions += 1;
      const result = await answerer.answer(message.text);
      if (result.outcome !== 'answer' || !result.assessment) continue;
      const id = `router/${message.text}`;
      examples.push({ id, x: featureVector(result.assessment.features), y: 0, heldOut: isHeldOut(id) });
    }
  } finally {
    await assistant.close();
  }
  if (withOneDocument) await addOneDocumentPairs(shippedSets, examples, (count) => (questions += count));
  const train = examples.filter((example) => !example.heldOut);
  const held = examples.filter((example) => example.heldOut);
  const { weights, bias } = fitLogistic(train);
  const score = (x: number[]): number => 1 / (1 + Math.exp(-(bias + weights.reduce((sum, w, i) => sum + w * x[i]!, 0))));
  const scoredTrain = train.map((example) => ({ ...example, p: score(example.x) }));
  const scoredHeld = held.map((example) => ({ ...example, p: score(example.x) }));

  // operating point: a wrong answer with a real citation costs `wrongCost` right ones (it is the
  // second-worst failure there is); the threshold that earns most on the training split
  const thresholds = [...new Set(scoredTrain.map((example) => Math.round(example.p * 1000) / 1000))].sort((x, y) => x - y);
  const utility = (threshold: number): number =>
    scoredTrain.filter((example) => example.p >= threshold).reduce((sum, example) => sum + (example.y === 1 ? 1 : -wrongCost), 0);
  const answerAt = thresholds.reduce((best, threshold) => (utility(threshold) > utility(best) ? threshold : best), thresholds[0] ?? 0.5);
  const clarifyAt = Math.round(answerAt * 0.5 * 1000) / 1000;

  const curve = [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, answerAt].sort((x, y) => x - y).map((threshold) => ({
    threshold,
    train: riskAt(scoredTrain, threshold, train.length),
    heldOut: riskAt(scoredHeld, threshold, held.length),
  }));
  const model: AnswerabilityModelJson = {
    features: featureNames,
    weights: weights.map((weight) => Math.round(weight * 1e4) / 1e4),
    bias: Math.round(bias * 1e4) / 1e4,
    answerAt,
    clarifyAt,
    trainedOn: {
      sets: trainingSets,
      questions,
      pairs: examples.length,
      train: { pairs: train.length, correct: train.filter((example) => example.y === 1).length },
      heldOut: { pairs: held.length, correct: held.filter((example) => example.y === 1).length, ...riskAt(scoredHeld, answerAt, held.length) },
      wrongCost,
    },
  };
  await mkdir(path.dirname(answerabilityModelFile), { recursive: true });
  await writeFile(answerabilityModelFile, `${JSON.stringify(model, null, 2)}\n`);

  console.log(`pairs ${examples.length} (train ${train.length}, held out ${held.length}); answerAt ${answerAt}, clarifyAt ${clarifyAt}`);
  console.log('weights', Object.fromEntries(featureNames.map((name, index) => [name, model.weights[index]])), 'bias', model.bias);
  console.log('threshold  train risk/coverage   held-out risk/coverage');
  for (const { threshold, train: t, heldOut: h } of curve) {
    const pct = (value: number): string => `${(value * 100).toFixed(1)}%`;
    console.log(`${threshold.toFixed(3).padStart(9)}  ${pct(t.risk).padStart(6)} / ${pct(t.coverage).padStart(6)}   ${pct(h.risk).padStart(6)} / ${pct(h.coverage).padStart(6)}`);
  }
  // the operating point in each kind of knowledge base, on the held-out split
const kinds: [string, (id: string) => boolean][] = [
  ['five documents', (id) => !id.includes(':') && !id.startsWith('new-document-dev/')],
  ['one shipped document', (id) => id.includes(':')],
  ['the added document', (id) => id.startsWith('new-document-dev/')],
];
for (const [kind, holds] of kinds) {
  const group = scoredHeld.filter((example) => holds(example.id));
  const at = riskAt(group, answerAt, group.length);
  console.log(`held out, ${kind}: ${group.length} pairs (${group.filter((example) => example.y === 1).length} right); at ${answerAt}: risk ${(at.risk * 100).toFixed(1)}%, coverage ${(at.coverage * 100).toFixed(1)}%`);
}
console.log(`written ${path.relative(process.cwd(), answerabilityModelFile)}`);
}

await main();
