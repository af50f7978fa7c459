import { z } from 'zod';
import { once, readCareerFile } from './career-file.ts';
import { constraints, intentions, schools, type Constraint, type Intention, type School } from './vocabulary.ts';

/** The policy clauses a plan may cite, with the conditions under which it cites them. */
export const policyLinksFile = 'knowledge/career/policy-links.yaml';

const conditionSchema = z.strictObject({
  school: z.array(z.enum(schools)).min(1).optional(),
  intention: z.array(z.enum(intentions)).min(1).optional(),
  constraints: z.array(z.enum(constraints)).min(1).optional(),
  graduated: z.boolean().optional(),
});

/** One `when` condition: every key written must hold. */
export type LinkCondition = z.infer<typeof conditionSchema>;

const entrySchema = z.strictObject({
  doc: z.string().min(1),
  locator: z.string().min(1),
  when: z.array(conditionSchema).min(1).optional(),
  why: z.string().min(1),
  focus: z.array(z.string().min(1)).min(1).optional(),
  caveat: z.string().min(1).optional(),
});

/** An entry of `policy-links.yaml`, conditions included. */
export type PolicyLinkEntry = z.infer<typeof entrySchema>;

/** A clause a plan cites: document id, locator, why it matters, the fragments to quote, an optional caveat. */
export interface PolicyLink {
  doc: string;
  locator: string;
  why: string;
  focus?: string[];
  caveat?: string;
}

/** What the `when` conditions look at. */
export interface LinkSituation {
  school: School;
  intention: Intention;
  constraints: readonly Constraint[];
  graduated: boolean;
}

const fileSchema = z.object({ version: z.number().int(), links: z.array(entrySchema).min(1) });

/** Reads and checks a links file; locators are kept as written (`6.10` stays "6.10"). */
export function readPolicyLinks(file: string = policyLinksFile): PolicyLinkEntry[] {
  return readCareerFile(file, fileSchema, { verbatim: ['locator'] }).links;
}

/** Every entry of `policy-links.yaml`, in file order, read and checked on first use. */
export const policyLinkEntries = once((): readonly PolicyLinkEntry[] => readPolicyLinks());

/** Whether every key of a condition holds; `constraints` holds when the student has any of those listed. */
export function conditionHolds(condition: LinkCondition, situation: LinkSituation): boolean {
  return (
    (condition.school === undefined || condition.school.includes(situation.school)) &&
    (condition.intention === undefined || condition.intention.includes(situation.intention)) &&
    (condition.constraints === undefined || condition.constraints.some((value) => situation.constraints.includes(value))) &&
    (condition.graduated === undefined || condition.graduated === situation.graduated)
  );
}

/**
 * The links a plan cites for a student, in file order: an entry without `when` always, else when
 * any of its conditions holds.
 *
 * @example policyLinksFor({ school: '中职', intention: '就业', constraints: [], graduated: false })
 */
export function policyLinksFor(situation: LinkSituation): PolicyLink[] {
  return policyLinkEntries()
    .filter((entry) => entry.when === undefined || entry.when.some((condition) => conditionHolds(condition, situation)))
    .map(({ when: _when, ...link }) => link);
}
