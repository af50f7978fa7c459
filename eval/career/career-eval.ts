/**
 * The career-plan eval: student profiles (eval/career/profiles.jsonl) with the constraints their
 * plan must hold — directions that fit the major and the interests, each explained; no step that
 * sits an exam (or the graduates' recruitment season) before the student may; the same caveats
 * in the chat message and the Markdown file; the file under the data directory or the path given.
 *
 * The checks read the plan and its two renders from outside: they do not call the rules that
 * made them, so a rule that breaks shows here.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { buildPlan, type CareerPlan } from '../../src/career/plan.ts';
import { renderPlanChat, renderPlanMarkdown, snapshotResolver, type LinkResolver } from '../../src/career/plan-render.ts';
import type { KnowledgeSnapshot } from '../../src/knowledge/snapshot.ts';
import { planDirectory, savePlanFile } from '../../src/career/plan-file.ts';
import { riasecItemsFileContent } from '../../src/career/riasec-items.ts';
import { constraints, intentions, letters, priorities, schools } from '../../src/career/vocabulary.ts';
import { repoRoot } from '../../src/paths.ts';

/** The profiles file. */
export const careerProfilesFile = path.join(repoRoot, 'eval', 'career', 'profiles.jsonl');

/** The share of constraints that must hold (eval/career/career-eval.test.ts enforces it). */
export const careerFloor = 1;

/** The day every plan of the eval is made on, so that the dates are the same at every run. */
export const careerEvalNow = new Date('2026-12-02T02:00:00Z');

const rating = z.number().int().min(1).max(5);

const profileSchema = z.strictObject({
  id: z.string().min(1),
  school: z.enum(schools),
  grade: z.string().min(1),
  major: z.string().min(1),
  location: z.string().min(1),
  interests: z.string().min(1).nullable(),
  constraints: z.array(z.enum(constraints)),
  intention: z.enum(intentions),
  priority: z.enum(priorities),
  /** Each listed type's four items in file order; unlisted types answer 2 to every item. */
  ratings: z.partialRecord(z.enum(letters), z.array(rating).length(4)),
  /** Save the file under this directory (relative to a scratch directory) instead of the data directory. */
  planDir: z.string().min(1).optional(),
  expect: z.strictObject({
    /** Family ids a direction may be. */
    allowed: z.array(z.string().min(1)).min(1),
    /** Family ids no direction may be. */
    forbidden: z.array(z.string().min(1)).default([]),
    /**
     * none: the student may not sit an exam or the graduates' recruitment yet, so no step schedules one;
     * by-graduation: a step schedules it, dated before graduation (30 June); allowed: not checked.
     */
    exam: z.enum(['none', 'by-graduation', 'allowed']),
  }),
});

/** One student and what their plan must hold. */
export type CareerProfile = z.infer<typeof profileSchema>;

/** The kinds of constraint, in the order the report lists them. */
export const constraintKinds = ['directions-allowed', 'directions-not-forbidden', 'directions-explained', 'exam-eligibility', 'caveats-in-both', 'file-location'] as const;
/** One of the above. */
export type ConstraintKind = (typeof constraintKinds)[number];

/** One constraint of one profile that did not hold. */
export interface CareerFailure {
  profile: string;
  kind: ConstraintKind;
  detail: string;
}

/** The eval's result: per kind and overall, held out of checked, and the failures. */
export interface CareerEvalReport {
  profiles: number;
  byKind: Record<ConstraintKind, { held: number; checked: number }>;
  overall: { held: number; checked: number; rate: number | null };
  failures: CareerFailure[];
}

/** Reads the profiles file; a broken line fails with its number. */
export async function loadCareerProfiles(file: string = careerProfilesFile): Promise<CareerProfile[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const profiles: CareerProfile[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const parsed = profileSchema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${file}:${index + 1}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    profiles.push(parsed.data);
  });
  return profiles;
}

/** The 24 answers a profile's ratings give. */
export function answersOf(profile: CareerProfile): Record<string, number> {
  const answers: Record<string, number> = {};
  for (const letter of letters) {
    riasecItemsFileContent()
      .items.filter((item) => item.type === letter)
      .forEach((item, index) => (answers[item.id] = profile.ratings[letter]?.[index] ?? 2));
  }
  return answers;
}

/** A step that has the student sit an exam, register for one, or join the graduates' recruitment. */
const examStep = /(?:参加|报名|报考)[^，。；]{0,8}(?:考试|专升本|考研|职教高考|春季高考|对口升学|秋招|春招|双选会|校园招聘)|完成[^，。；]{0,8}报名|按时报名/u;

/** The next 30 June after the plan's day: when a student in the final year graduates. */
function graduationDay(now: Date): string {
  const year = now.getUTCFullYear();
  const candidate = `${year}-06-30`;
  return candidate > now.toISOString().slice(0, 10) ? candidate : `${year + 1}-06-30`;
}

type Check = { kind: ConstraintKind; held: boolean; detail: string };

function directionChecks(profile: CareerProfile, plan: CareerPlan): Check[] {
  const ids = plan.directions.map((direction) => direction.id);
  const outside = ids.filter((id) => !profile.expect.allowed.includes(id));
  const forbidden = ids.filter((id) => profile.expect.forbidden.includes(id));
  const fragments = (profile.interests ?? '').split(/[\s,.;:!?/，。、；：！？]+/u).filter((fragment) => fragment.length >= 2);
  const unexplained = plan.directions.filter(
    (direction) => !direction.reasons.includes(profile.major) && !fragments.some((fragment) => direction.reasons.includes(fragment)),
  );
  return [
    { kind: 'directions-allowed', held: ids.length > 0 && outside.length === 0, detail: ids.length === 0 ? 'no direction' : `not expected: ${outside.join(', ')} (got ${ids.join(', ')})` },
    { kind: 'directions-not-forbidden', held: forbidden.length === 0, detail: `forbidden: ${forbidden.join(', ')}` },
    {
      kind: 'directions-explained',
      held: unexplained.length === 0,
      detail: `reasons name neither the major nor an interest: ${unexplained.map((direction) => direction.id).join(', ')}`,
    },
  ];
}

function examCheck(profile: CareerProfile, plan: CareerPlan): Check[] {
  if (profile.expect.exam === 'allowed') return [];
  const steps = plan.actions.filter((action) => examStep.test(action.title));
  if (profile.expect.exam === 'none') {
    return [{ kind: 'exam-eligibility', held: steps.length === 0, detail: `scheduled before eligible: ${steps.map((step) => `${step.date} ${step.title}`).join('; ')}` }];
  }
  const graduation = graduationDay(careerEvalNow);
  const held = steps.length > 0 && steps.every((step) => step.date <= graduation);
  return [{ kind: 'exam-eligibility', held, detail: steps.length === 0 ? 'no exam step for an eligible student' : `after graduation (${graduation}): ${steps.map((step) => `${step.date} ${step.title}`).join('; ')}` }];
}

/** Every caveat the plan carries (direction notes, link caveats, the regional warning, the draft standard) must be in both renders. */
function caveatCheck(plan: CareerPlan, chat: string, markdown: string): Check[] {
  const expected = new Set<string>([
    ...plan.directions.flatMap((direction) => (direction.note ? [direction.note] : [])),
    ...plan.links.flatMap((link) => (link.caveat ? [link.caveat] : [])),
  ]);
  for (const phrase of ['征求意见稿', '以当地规定为准']) if (markdown.includes(phrase) || chat.includes(phrase)) expected.add(phrase);
  const missing = [...expected].filter((caveat) => !(chat.includes(caveat) && markdown.includes(caveat)));
  return [{ kind: 'caveats-in-both', held: missing.length === 0, detail: `missing in one render: ${missing.join(' | ')}` }];
}

/** Saves the plan as the channels do, in a scratch data directory, and checks where it landed. */
async function fileCheck(profile: CareerProfile, markdown: string): Promise<Check[]> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-career-eval-'));
  const before = new Set(await readdir(process.cwd()));
  try {
    const dataDir = path.join(scratch, 'data');
    const given = profile.planDir ? path.join(scratch, profile.planDir) : undefined;
    const file = await savePlanFile(planDirectory(dataDir, given), `${profile.id}.md`, markdown);
    const expectedDir = given ?? path.join(dataDir, 'plans');
    const strayInCwd = (await readdir(process.cwd())).filter((name) => !before.has(name));
    const held = path.dirname(file) === expectedDir && existsSync(file) && strayInCwd.length === 0;
    return [{ kind: 'file-location', held, detail: `saved at ${file}, expected under ${expectedDir}${strayInCwd.length > 0 ? `; new in the current directory: ${strayInCwd.join(', ')}` : ''}` }];
  } catch (error) {
    return [{ kind: 'file-location', held: false, detail: (error as Error).message }];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every check of one profile. */
export async function checkProfile(profile: CareerProfile, resolveLink: LinkResolver): Promise<Check[]> {
  const { id: _id, ratings: _ratings, planDir: _planDir, expect: _expect, ...planProfile } = profile;
  const plan = buildPlan(planProfile, answersOf(profile), careerEvalNow);
  const chat = renderPlanChat(plan, resolveLink);
  const markdown = renderPlanMarkdown(plan, resolveLink);
  return [...directionChecks(profile, plan), ...examCheck(profile, plan), ...caveatCheck(plan, chat, markdown), ...(await fileCheck(profile, markdown))];
}

/**
 * Runs every profile and counts the constraints held.
 *
 * @example const report = await runCareerEval(await loadCareerProfiles(), await corpusResolver());
 */
export async function runCareerEval(profiles: readonly CareerProfile[], resolveLink: LinkResolver): Promise<CareerEvalReport> {
  const byKind = Object.fromEntries(constraintKinds.map((kind) => [kind, { held: 0, checked: 0 }])) as CareerEvalReport['byKind'];
  const failures: CareerFailure[] = [];
  for (const profile of profiles) {
    for (const check of await checkProfile(profile, resolveLink)) {
      byKind[check.kind].checked += 1;
      if (check.held) byKind[check.kind].held += 1;
      else failures.push({ profile: profile.id, kind: check.kind, detail: check.detail });
    }
  }
  const held = constraintKinds.reduce((sum, kind) => sum + byKind[kind].held, 0);
  const checked = constraintKinds.reduce((sum, kind) => sum + byKind[kind].checked, 0);
  return { profiles: profiles.length, byKind, overall: { held, checked, rate: checked === 0 ? null : held / checked }, failures };
}

/**
 * The eval over the project's profiles, the clauses looked up in a knowledge-base snapshot (the
 * live one in `zhiyin eval`), as the conversation core looks them up.
 *
 * @example const report = await careerEvalOn((await assistant.answerer()).search.snapshot);
 */
export async function careerEvalOn(snapshot: KnowledgeSnapshot): Promise<CareerEvalReport> {
  return runCareerEval(await loadCareerProfiles(), snapshotResolver(snapshot, (document) => document.date ?? document.dateNote ?? ''));
}
