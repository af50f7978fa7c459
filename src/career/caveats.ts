import { say } from './career-texts.ts';
import { milestoneById } from './milestones.ts';
import type { CareerPlan } from './plan.ts';
import type { LinkResolver, ResolvedClause } from './plan-render.ts';
import type { PolicyLink } from './policy-links.ts';
import { nationalRegion, regionSuffix } from './vocabulary.ts';

/** Whether the student wrote a place inside the region (辽宁省 → 辽宁沈阳 is). */
export function isWithin(region: string, location: string): boolean {
  const stem = region.replace(regionSuffix, '');
  return stem !== '' && location.includes(stem);
}

/** A link's caveat: its own (a draft standard), else the regional warning for another region's document; null when none. */
export function linkCaveat(link: PolicyLink, clause: ResolvedClause | null, location: string): string | null {
  if (link.caveat) return link.caveat;
  if (!clause || clause.region === nationalRegion || isWithin(clause.region, location)) return null;
  return say('plan', 'link_regional', { region: clause.region, location });
}

/**
 * Everything the student should be warned about, once each, in the order the plan reads: the
 * flat assessment, each direction's note for the school, the condition of each dated step that
 * has one (who may sit the exam and when, with the clause it comes from), and the caveats of the cited clauses (a draft
 * standard, another region's rules), clauses with the same caveat together. The chat message
 * and the Markdown file both render this one list.
 *
 * @example planCaveats(plan, resolveLink).forEach((caveat) => lines.push(`- ${caveat}`));
 */
export function planCaveats(careerPlan: CareerPlan, resolveLink: LinkResolver): string[] {
  const caveats: string[] = [];
  if (careerPlan.assessment.flat) caveats.push(say('plan', 'note_flat', { spread: careerPlan.assessment.spread }));
  for (const direction of careerPlan.directions) {
    if (direction.note) caveats.push(say('plan', 'caveat_direction', { name: direction.name, note: direction.note }));
  }
  for (const action of careerPlan.actions) {
    if (!action.milestone) continue;
    const milestone = milestoneById(action.milestone.id);
    // a condition that comes from a clause names it, when the knowledge base has it
    const clause = milestone.policy ? resolveLink({ ...milestone.policy, why: '' }) : null;
    caveats.push(
      clause
        ? say('plan', 'caveat_milestone_cited', { name: milestone.name, rule: milestone.rule, title: clause.title, locator: milestone.policy!.locator })
        : say('plan', 'caveat_milestone', { name: milestone.name, rule: milestone.rule }),
    );
  }
  const byCaveat = new Map<string, { source: string; locators: string[] }[]>();
  for (const link of careerPlan.links) {
    const clause = resolveLink(link);
    const caveat = linkCaveat(link, clause, careerPlan.profile.location);
    if (!caveat) continue;
    const sources = byCaveat.get(caveat) ?? [];
    const source = clause ? say('plan', 'caveat_source', { title: clause.title }) : link.doc;
    const same = sources.find((entry) => entry.source === source);
    if (same) same.locators.push(link.locator);
    else sources.push({ source, locators: [link.locator] });
    byCaveat.set(caveat, sources);
  }
  for (const [caveat, sources] of byCaveat) {
    const where = sources.map((entry) => `${entry.source}${entry.locators.join(say('text', 'list_separator'))}`).join(say('text', 'list_separator'));
    caveats.push(say('plan', 'caveat_link', { where, caveat }));
  }
  return [...new Set(caveats)];
}
