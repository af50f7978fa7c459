/**
 * The values the career dialogue works with. They are identifiers shared with the data files —
 * `value:` of the choices in `prompts/career.zh.yaml`, `schools:` / `when:` in `knowledge/career/`,
 * and the keys built from them (`grade_中职`, `step2.高职_就业`, `priority_收入`) — not text shown
 * to students, so they are spelled once here and nowhere else in the code.
 */

/** RIASEC interest types, in the fixed tie-break order R > I > A > S > E > C. */
export const letters = ['R', 'I', 'A', 'S', 'E', 'C'] as const;
/** One of the values above. */
export type Letter = (typeof letters)[number];

/** School types (choice values of `school`). */
export const schools = ['中职', '高职', '本科'] as const;
/** One of the values above. */
export type School = (typeof schools)[number];

/** Plans after graduation (choice values of `intention`). */
export const intentions = ['升学', '就业', '未定'] as const;
/** One of the values above. */
export type Intention = (typeof intentions)[number];

/** Things to take into account (choice values of `constraints`), without the exclusive "none". */
export const constraints = ['家庭经济压力', '想继续升学', '想尽快工作', '离家近'] as const;
/** One of the values above. */
export type Constraint = (typeof constraints)[number];

/** The `constraints` choice that means "nothing to consider"; it cannot be combined with others. */
export const noConstraint = '无特别限制';

/** What matters most when choosing a job (choice values of `priority`). */
export const priorities = ['收入', '稳定', '兴趣', '成长', '离家近'] as const;
/** One of the values above. */
export type Priority = (typeof priorities)[number];

/** Direction traits in `occupation-families.yaml`. */
export const traits = ['quick', 'stable', 'local', 'income', 'growth'] as const;
/** One of the values above. */
export type Trait = (typeof traits)[number];

/** The grade value (in every `grade_*` choice list) of a student who has already graduated. */
export const graduatedGrade = '已毕业';

/** The last school year of each school type (its graduation year). */
export const finalGrades: Readonly<Record<School, string>> = { 中职: '三年级', 高职: '大三', 本科: '大四' };

/** The `region` of a national document. */
export const nationalRegion = '全国';

/** Named constraint values the rules use. */
export const constraint = {
  pressure: '家庭经济压力',
  furtherStudy: '想继续升学',
  quickJob: '想尽快工作',
  nearHome: '离家近',
} as const satisfies Record<string, Constraint>;

/** The priority that multiplies the interest score (occupation-families.yaml header). */
export const interestPriority = '兴趣' satisfies Priority;

/** The trait each priority rewards (occupation-families.yaml header); 兴趣 works on the interest score instead. */
export const priorityTrait: Readonly<Record<Priority, Trait | null>> = {
  收入: 'income',
  稳定: 'stable',
  兴趣: null,
  成长: 'growth',
  离家近: 'local',
};

/** The school key of the higher-education `extra_pressure_*` action text. */
export const higherEducationKey = '高校';

/** The administrative suffix of a region name, dropped to find the region in what a student wrote (辽宁省 → 辽宁). */
export const regionSuffix = /(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|自治州|地区|省|市)$/u;
