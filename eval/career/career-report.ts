import { displayWidth } from '../report.ts';
import { constraintKinds, type CareerEvalReport, type ConstraintKind } from './career-eval.ts';

/** What each kind of constraint checks, in words a teacher reads, with its id. */
const kindLabels: Record<ConstraintKind, string> = {
  'directions-allowed': '方向合乎专业和兴趣 directions-allowed',
  'directions-not-forbidden': '没有不该出现的方向 directions-not-forbidden',
  'directions-explained': '每个方向都说明了理由 directions-explained',
  'exam-eligibility': '考试和招聘不早于资格 exam-eligibility',
  'caveats-in-both': '聊天和文件提示相同 caveats-in-both',
  'file-location': '规划文件在数据目录下 file-location',
};

const percent = (held: number, checked: number): string => (checked === 0 ? 'n/a' : `${((held / checked) * 100).toFixed(1)}%`);

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, index) => {
          const pad = ' '.repeat(Math.max(0, (widths[index] ?? 0) - displayWidth(cell)));
          return index === 0 ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * The career-plan eval as its own section of `zhiyin eval`: one line per kind of constraint
 * (held / checked), the total, and the constraints that did not hold.
 *
 * @example process.stdout.write(formatCareerReport(await runCareerEval(profiles, resolveLink)));
 */
export function formatCareerReport(report: CareerEvalReport, options: { maxFailures?: number } = {}): string {
  const rows = [
    ['约束 constraint', '满足 held', '检查 checked', '比例 rate'],
    ...constraintKinds.map((kind) => {
      const { held, checked } = report.byKind[kind];
      return [kindLabels[kind], String(held), String(checked), percent(held, checked)];
    }),
    ['合计 total', String(report.overall.held), String(report.overall.checked), percent(report.overall.held, report.overall.checked)],
  ];
  const shown = report.failures.slice(0, options.maxFailures ?? 20);
  const failures =
    report.failures.length === 0
      ? ['全部约束都满足 / every constraint held']
      : [
          `未满足 / not held (${report.failures.length}):`,
          ...shown.map((failure) => `  ${failure.profile}  ${failure.kind}  ${failure.detail}`),
          ...(report.failures.length > shown.length ? [`  … ${report.failures.length - shown.length} more`] : []),
        ];
  return [`职业规划评测 career plans — ${report.profiles} 位学生 profiles`, table(rows), ...failures].join('\n');
}
