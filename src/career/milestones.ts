import { z } from 'zod';
import { choiceList } from './career-texts.ts';
import { once, readCareerFile } from './career-file.ts';
import { dateParts, nextOf } from './dates.ts';
import { policyLinkEntries } from './policy-links.ts';
import { finalGrades, graduatedGrade, schools, type School } from './vocabulary.ts';

/** Exams, registrations and recruitment with conditions on who may take part and when. */
export const milestonesFile = 'knowledge/career/milestones.yaml';

/** The `grades` value that means the school's last year. */
export const finalYear = 'final';

const milestoneSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/u, 'an id is lower-case English words joined by "-"'),
  name: z.string().min(1),
  schools: z.array(z.enum(schools)).min(1),
  grades: z.array(z.string().min(1)).min(1),
  date: z.tuple([z.number().int().min(1).max(12), z.number().int().min(1).max(31)]),
  rule: z.string().min(1),
  policy: z.strictObject({ doc: z.string().min(1), locator: z.string().min(1) }).optional(),
});

/** One milestone of milestones.yaml. */
export type Milestone = z.infer<typeof milestoneSchema>;

const fileSchema = z.object({ version: z.number().int(), milestones: z.array(milestoneSchema).min(1) });

/** Reads and checks a milestones file: ids unique, every policy a clause of policy-links.yaml. */
export function readMilestones(file: string = milestonesFile): Milestone[] {
  const { milestones } = readCareerFile(
    file,
    fileSchema.superRefine(({ milestones: entries }, context) => {
      const ids = new Set<string>();
      entries.forEach((milestone, index) => {
        if (ids.has(milestone.id)) context.addIssue({ code: 'custom', path: ['milestones', index, 'id'], message: `id ${milestone.id} is used twice` });
        ids.add(milestone.id);
        const { policy } = milestone;
        if (policy && !policyLinkEntries().some((entry) => entry.doc === policy.doc && entry.locator === policy.locator)) {
          context.addIssue({ code: 'custom', path: ['milestones', index, 'policy'], message: `${policy.doc} ${policy.locator} is not in policy-links.yaml` });
        }
      });
    }),
    { verbatim: ['locator'] },
  );
  return milestones;
}

/** `milestones.yaml`, read and checked on first use. */
export const milestones = once((): readonly Milestone[] => readMilestones());

/** The milestone with this id; an unknown id is an error in the data files. */
export function milestoneById(id: string): Milestone {
  const found = milestones().find((milestone) => milestone.id === id);
  if (!found) throw new Error(`${milestonesFile}: no milestone ${id}`);
  return found;
}

/** The school years' grades of a school type, first to last (the `grade_*` choices without 已毕业). */
function gradesOf(school: School): string[] {
  return choiceList(`grade_${school}`)
    .map((option) => option.value)
    .filter((value) => value !== graduatedGrade);
}

/** The school year a day falls in, named by the year it starts: a final year ends on 30 June, the next starts in July for this count. */
function schoolYear(iso: string): number {
  const { year, month } = dateParts(iso);
  return month >= 7 ? year : year - 1;
}

/**
 * The grade a student will be in on a later day: one up for every school year begun, 已毕业 after
 * the last one. An unknown grade stays as it is.
 *
 * @example gradeOn('高职', '大二', '2026-12-02', '2027-10-31') // '大三'
 */
export function gradeOn(school: School, grade: string, today: string, day: string): string {
  if (grade === graduatedGrade) return grade;
  const grades = gradesOf(school);
  const index = grades.indexOf(grade);
  if (index === -1) return grade;
  return grades[index + schoolYear(day) - schoolYear(today)] ?? graduatedGrade;
}

/** Whether a grade of a school type may take part in a milestone. */
export function mayTakePart(milestone: Milestone, school: School, grade: string): boolean {
  if (!milestone.schools.includes(school)) return false;
  return milestone.grades.some((allowed) => (allowed === finalYear ? finalGrades[school] === grade : allowed === grade));
}

/** When a student can take part: now (the next date), later (a first date in a later year), or never again. */
export type MilestoneTiming = { stage: 'now'; date: string } | { stage: 'later'; date: string } | { stage: 'missed' };

/**
 * The next date on which the student may take part: `now` when they may at the milestone's next
 * date, `later` with the first date they may (within the school's years), `missed` when they no
 * longer may.
 *
 * @example milestoneTiming(milestoneById('zhuanshengben'), '高职', '大二', '2026-12-02') // { stage: 'later', date: '2028-05-31' }
 */
export function milestoneTiming(milestone: Milestone, school: School, grade: string, today: string): MilestoneTiming {
  let day = today;
  for (let year = 0; year <= gradesOf(school).length + 1; year += 1) {
    day = nextOf(day, [milestone.date]);
    if (mayTakePart(milestone, school, gradeOn(school, grade, today, day))) return year === 0 ? { stage: 'now', date: day } : { stage: 'later', date: day };
  }
  return { stage: 'missed' };
}
