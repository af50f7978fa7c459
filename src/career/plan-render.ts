import { planCaveats } from './caveats.ts';
import { labelOf, listed, say } from './career-texts.ts';
import { dateParts, chinaDay } from './dates.ts';
import { occupations, pairKey } from './occupations.ts';
import type { CareerPlan } from './plan.ts';
import type { PolicyLink } from './policy-links.ts';
import type { DocumentInfo, KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { codeLetters } from './riasec.ts';
import type { Letter } from './vocabulary.ts';

/** A cited clause as the live knowledge base has it. */
export interface ResolvedClause {
  title: string;
  /** The clause text (all parts). */
  text: string;
  issuer: string;
  region: string;
  /** How the document's date is shown (a date, or what is known about it). */
  date: string;
}

/** Finds a link's clause in the knowledge base; null when the document or locator is gone. */
export type LinkResolver = (link: PolicyLink) => ResolvedClause | null;

/**
 * Resolves links against a knowledge-base snapshot: the clause's parts joined, its document's
 * title, issuer and region, and the date as `dateOf` shows it.
 *
 * @example const resolve = snapshotResolver(search.snapshot, (document) => document.date ?? '');
 */
export function snapshotResolver(snapshot: KnowledgeSnapshot, dateOf: (document: DocumentInfo) => string): LinkResolver {
  return (link) => {
    const document = snapshot.documents.get(link.doc);
    const clauses = snapshot.clauses.filter((clause) => clause.docId === link.doc && clause.locator === link.locator);
    if (!document || clauses.length === 0) return null;
    return { title: document.title, text: clauses.map((clause) => clause.text).join(''), issuer: document.issuer, region: document.region, date: dateOf(document) };
  };
}

/** The clause that says assessment data is to be kept confidential; the closing cites it when the knowledge base has it. */
export const confidentialityClause = { doc: 'lasa-draft-graduate-guidance-standard', locator: '6.2' } as const;

const plan = (key: string, values: Record<string, string | number> = {}): string => say('plan', key, values);

/** A date as the plan shows it, e.g. 2026年12月9日. */
export function planDate(iso: string): string {
  return plan('date', dateParts(iso));
}

export { isWithin } from './caveats.ts';

const paragraphs = (...blocks: (string | string[] | null)[]): string =>
  blocks
    .filter((block): block is string | string[] => block !== null && block.length > 0)
    .map((block) => (Array.isArray(block) ? block.join('\n') : block))
    .join('\n\n');

function profileSection({ profile }: CareerPlan): string {
  const lines = [
    plan('profile_school', { school: labelOf('school', profile.school), grade: labelOf(`grade_${profile.school}`, profile.grade) }),
    plan('profile_major', { major: profile.major }),
    plan('profile_location', { location: profile.location }),
    profile.interests ? plan('profile_interests', { interests: profile.interests }) : plan('profile_interests_none'),
    profile.constraints.length > 0
      ? plan('profile_constraints', { constraints: listed(profile.constraints.map((value) => labelOf('constraints', value))) })
      : plan('profile_constraints_none'),
    plan('profile_intention', { intention: labelOf('intention', profile.intention) }),
    plan('profile_priority', { priority: labelOf('priority', profile.priority) }),
  ];
  return paragraphs(plan('heading_profile'), lines);
}

function assessmentSection({ assessment }: CareerPlan): string {
  const { types, pairs } = occupations();
  const code = codeLetters(assessment.code);
  const table = [
    plan('scores_header'),
    plan('scores_rule'),
    ...assessment.ranking.map((letter) => plan('scores_row', { letter, name: types[letter].name, score: assessment.scores[letter] })),
  ];
  const meanings = code.map((letter) =>
    plan('assessment_letter', { letter, name: types[letter].name, score: assessment.scores[letter], meaning: types[letter].meaning }),
  );
  const [first, second] = code;
  const pair = first && second ? pairs[pairKey(first, second)] : undefined;
  return paragraphs(
    plan('heading_assessment'),
    plan('assessment_code', { code: assessment.code }),
    table,
    meanings,
    pair ? plan('assessment_combination', { pair: `${first}${second}`, combine: pair.combine }) : null,
    assessment.ties.map((tie) => plan('note_tie', { letters: listed(tie.letters) })),
  );
}

function directionsSection({ directions }: CareerPlan): string {
  const blocks = directions.map((direction, index) =>
    paragraphs(
      plan('direction', { n: index + 1, name: direction.name }),
      direction.reasons,
      plan('direction_examples', { examples: listed(direction.examples) }),
    ),
  );
  return paragraphs(plan('heading_directions'), ...blocks);
}

function actionsSection({ actions }: CareerPlan): string {
  const lines = actions.map((action, index) =>
    plan('action', { n: index + 1, when: action.when, date: planDate(action.date), title: action.title, detail: action.detail }),
  );
  return paragraphs(plan('heading_actions'), lines);
}

/** The link's focus fragments that really are in the clause text. */
function quoted(link: PolicyLink, clause: ResolvedClause): string[] {
  return (link.focus ?? []).filter((fragment) => clause.text.includes(fragment));
}

function linkLines(link: PolicyLink, clause: ResolvedClause | null): string[] {
  if (!clause) return [plan('link_unresolved', { doc: link.doc, locator: link.locator, why: link.why })];
  const fragments = quoted(link, clause);
  return [
    plan('link', { title: clause.title, locator: link.locator, issuer: clause.issuer, region: clause.region, date: clause.date, why: link.why }),
    ...(fragments.length > 0 ? [plan('link_quote', { quote: fragments.join(plan('link_quote_separator')) })] : []),
  ];
}

function linksSection(careerPlan: CareerPlan, resolveLink: LinkResolver): string | null {
  if (careerPlan.links.length === 0) return null;
  const lines = careerPlan.links.flatMap((link) => linkLines(link, resolveLink(link)));
  return paragraphs(plan('heading_links'), lines);
}

function caveatsSection(caveats: readonly string[]): string | null {
  if (caveats.length === 0) return null;
  return paragraphs(plan('heading_caveats'), caveats.map((caveat) => plan('caveat_line', { caveat })));
}

function closingSection(careerPlan: CareerPlan, resolveLink: LinkResolver): string {
  const link = careerPlan.links.find((candidate) => candidate.doc === confidentialityClause.doc && candidate.locator === confidentialityClause.locator);
  const clause = resolveLink(link ?? { ...confidentialityClause, why: '' });
  const confidential = clause
    ? plan('closing_confidential', { title: clause.title, locator: confidentialityClause.locator })
    : plan('closing_confidential_plain');
  return paragraphs(plan('heading_closing'), plan('closing'), confidential);
}

/**
 * The written plan as a Markdown document: profile, scores, directions, dated actions, the
 * policy clauses with quotes, the caveats (the same list as the chat's), and the closing.
 *
 * @example renderPlanMarkdown(plan, (link) => lookUp(link.doc, link.locator))
 */
export function renderPlanMarkdown(careerPlan: CareerPlan, resolveLink: LinkResolver): string {
  return (
    paragraphs(
      [plan('title'), '', plan('created', { date: planDate(chinaDay(new Date(careerPlan.createdAt))) })],
      profileSection(careerPlan),
      assessmentSection(careerPlan),
      directionsSection(careerPlan),
      actionsSection(careerPlan),
      linksSection(careerPlan, resolveLink),
      caveatsSection(planCaveats(careerPlan, resolveLink)),
      closingSection(careerPlan, resolveLink),
    ) + '\n'
  );
}

/** `R 实用型 17 分、I 研究型 15 分、C 常规型 14 分` */
export function codeSummary(careerPlan: Pick<CareerPlan, 'assessment'>): string {
  const { types } = occupations();
  return listed(
    codeLetters(careerPlan.assessment.code).map((letter: Letter) =>
      say('text', 'letter', { letter, name: types[letter].name, score: careerPlan.assessment.scores[letter] }),
    ),
  );
}

/**
 * The plan as one chat message: who, the code, directions with their reasons, the three
 * deadlines, the policy clauses, the caveats (the same list as the Markdown file's), and a
 * closing line.
 */
export function renderPlanChat(careerPlan: CareerPlan, resolveLink: LinkResolver): string {
  const { profile } = careerPlan;
  const caveats = planCaveats(careerPlan, resolveLink);
  const links = careerPlan.links.map((link) => {
    const clause = resolveLink(link);
    return clause
      ? plan('chat_link', { title: clause.title, locator: link.locator, why: link.why })
      : plan('chat_link_unresolved', { doc: link.doc, locator: link.locator, why: link.why });
  });
  return paragraphs(
    [
      plan('chat_title'),
      plan('chat_profile', {
        school: labelOf('school', profile.school),
        grade: labelOf(`grade_${profile.school}`, profile.grade),
        major: profile.major,
        location: profile.location,
      }),
      plan('chat_code', { code: careerPlan.code, letters: codeSummary(careerPlan) }),
    ],
    [plan('chat_heading_directions'), ...careerPlan.directions.map((direction, index) => plan('chat_direction', { n: index + 1, name: direction.name, reason: direction.reasons }))],
    [plan('chat_heading_actions'), ...careerPlan.actions.map((action, index) => plan('chat_action', { n: index + 1, date: planDate(action.date), title: action.title }))],
    links.length > 0 ? [plan('chat_heading_links'), ...links] : null,
    caveats.length > 0 ? [plan('chat_heading_caveats'), ...caveats.map((caveat) => plan('chat_caveat', { caveat }))] : null,
    plan('chat_closing'),
  );
}
