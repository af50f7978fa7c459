import type { Database } from '../store/database.ts';
import { chinaDay } from '../china-time.ts';
import { knowledgeGaps, type GapGroup, type GapOptions } from '../knowledge/gaps.ts';

/**
 * The weekly report for administrators (stats page and `zhiyin report`): how many questions
 * students asked, what share was answered, asked back or abstained, handed to a teacher, the
 * biggest knowledge gaps, whether teachers met the reply deadline, and the ratings — counts only,
 * nothing of who asked. Charts are SVG drawn here, on the server; no external service.
 */

export interface WeeklyReport {
  since: Date;
  until: Date;
  /** Student messages (turns) and the distinct students who sent them. */
  questions: number;
  students: number;
  outcomes: { answer: number; clarify: number; abstain: number; escalate: number };
  /** Turns per China-time day, oldest first. */
  days: { day: string; answer: number; clarify: number; abstain: number; escalate: number }[];
  tickets: { opened: number; byReason: Record<string, number>; answered: number; slaMet: number | null; medianFirstResponseMinutes: number | null };
  ratings: { count: number; average: number | null; byScore: [number, number, number, number, number] };
  gaps: GapGroup[];
}

type Outcome = keyof WeeklyReport['outcomes'];
const outcomeOrder: Outcome[] = ['answer', 'clarify', 'abstain', 'escalate'];
export const outcomeLabels: Record<Outcome, string> = { answer: '已回答', clarify: '反问', abstain: '未回答', escalate: '转老师' };
const outcomeColours: Record<Outcome, string> = { answer: '#0f766e', clarify: '#ca8a04', abstain: '#9ca3af', escalate: '#c2410c' };
export const reasonLabels: Record<string, string> = { crisis: '危机', complaint: '投诉', person: '要找老师', 'low-confidence': '没把握' };

export { chinaDay };

/**
 * The last `weeks` whole weeks of China-time days up to and including today: `until` is the next
 * China midnight, `since` 7 × `weeks` days before it.
 *
 * @example const { since, until } = reportPeriod(new Date(), 1);
 */
export function reportPeriod(now: Date, weeks = 1): { since: Date; until: Date } {
  const chinaMidnight = Date.parse(`${chinaDay(now)}T00:00:00+08:00`);
  const until = new Date(chinaMidnight + 86_400_000);
  return { since: new Date(until.getTime() - weeks * 7 * 86_400_000), until };
}

/**
 * Reads the report of `[since, until)` from the database.
 *
 * @example const report = await weeklyReport(db, { since, until, words: (t) => tokenizer.words(t) });
 */
export async function weeklyReport(db: Database, options: GapOptions & { until: Date }): Promise<WeeklyReport> {
  const { since, until } = options;
  const turns = (
    await db.query<{ conversation_id: number; at: Date; outcome: string | null; clarify: boolean | null }>(
      `select s.conversation_id, s.created_at as at, a.meta->>'outcome' as outcome, (a.meta->>'clarify')::boolean as clarify
         from conversation_messages s
         join lateral (select meta from conversation_messages a
                             where a.conversation_id = s.conversation_id and a.id > s.id and a.role = 'assistant'
                             order by a.id limit 1) a on true
        where s.role = 'student' and s.created_at >= $1 and s.created_at < $2
          -- questions and requests: not ratings, menu picks or commands
          and a.meta->>'handledAs' in ('policy', 'follow-up', 'escalation')`,
      [since, until],
    )
  ).rows;
  const outcomes = { answer: 0, clarify: 0, abstain: 0, escalate: 0 };
  const days = new Map<string, WeeklyReport['days'][number]>();
  for (let day = new Date(since); day < until; day = new Date(day.getTime() + 86_400_000)) {
    days.set(chinaDay(day), { day: chinaDay(day), answer: 0, clarify: 0, abstain: 0, escalate: 0 });
  }
  for (const turn of turns) {
    const outcome: Outcome = turn.outcome === 'answer' ? 'answer' : turn.outcome === 'escalate' ? 'escalate' : turn.clarify ? 'clarify' : 'abstain';
    outcomes[outcome] += 1;
    const day = chinaDay(new Date(turn.at));
    const row = days.get(day) ?? { day, answer: 0, clarify: 0, abstain: 0, escalate: 0 };
    row[outcome] += 1;
    days.set(day, row);
  }
  const ticketRows = (
    await db.query<{ reason: string; count: number; answered: number; met: number; median: number | null }>(
      `select reason, count(*)::int as count,
              count(*) filter (where first_response_at is not null)::int as answered,
              count(*) filter (where first_response_at is not null and first_response_at <= due_at)::int as met,
              (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at) / 60)
                 filter (where first_response_at is not null))::float8 as median
         from tickets where created_at >= $1 and created_at < $2 group by reason`,
      [since, until],
    )
  ).rows;
  const overallMedian = (
    await db.query<{ median: number | null }>(
      `select (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at) / 60))::float8 as median
         from tickets where created_at >= $1 and created_at < $2 and first_response_at is not null`,
      [since, until],
    )
  ).rows[0]?.median;
  const answeredTickets = ticketRows.reduce((sum, row) => sum + row.answered, 0);
  const met = ticketRows.reduce((sum, row) => sum + row.met, 0);
  const ratingRows = (
    await db.query<{ score: number; count: number }>(
      `select score, count(*)::int as count from ratings where created_at >= $1 and created_at < $2 group by score`,
      [since, until],
    )
  ).rows;
  const byScore: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const row of ratingRows) byScore[row.score - 1] = row.count;
  const ratingCount = byScore.reduce((sum, count) => sum + count, 0);
  return {
    since,
    until,
    questions: turns.length,
    students: new Set(turns.map((turn) => turn.conversation_id)).size,
    outcomes,
    days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    tickets: {
      opened: ticketRows.reduce((sum, row) => sum + row.count, 0),
      byReason: Object.fromEntries(ticketRows.map((row) => [row.reason, row.count])),
      answered: answeredTickets,
      slaMet: answeredTickets > 0 ? met / answeredTickets : null,
      medianFirstResponseMinutes: overallMedian ?? null,
    },
    ratings: { count: ratingCount, average: ratingCount > 0 ? byScore.reduce((sum, count, i) => sum + count * (i + 1), 0) / ratingCount : null, byScore },
    gaps: (await knowledgeGaps(db, options)).slice(0, 5),
  };
}

export const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${Math.round((part / whole) * 1000) / 10}%`);

/** Questions per day, stacked by outcome (SVG). */
export function dailyChart(report: WeeklyReport): string {
  const width = 560;
  const height = 200;
  const left = 32;
  const bottom = 36;
  const max = Math.max(1, ...report.days.map((day) => outcomeOrder.reduce((sum, outcome) => sum + day[outcome], 0)));
  const slot = (width - left) / Math.max(1, report.days.length);
  const bar = Math.min(40, slot * 0.7);
  const scale = (height - bottom - 12) / max;
  const bars = report.days
    .map((day, i) => {
      let y = height - bottom;
      const x = left + i * slot + (slot - bar) / 2;
      const parts = outcomeOrder
        .filter((outcome) => day[outcome] > 0)
        .map((outcome) => {
          const h = day[outcome] * scale;
          y -= h;
          return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${outcomeColours[outcome]}"><title>${day.day} ${outcomeLabels[outcome]} ${day[outcome]}</title></rect>`;
        })
        .join('');
      return `${parts}<text x="${(x + bar / 2).toFixed(1)}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${day.day.slice(5)}</text>`;
    })
    .join('');
  const legend = outcomeOrder
    .map((outcome, i) => `<rect x="${left + i * 90}" y="${height - 12}" width="10" height="10" fill="${outcomeColours[outcome]}"/><text x="${left + i * 90 + 14}" y="${height - 3}" font-size="11">${outcomeLabels[outcome]}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="每天的提问，按结果分色" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#9ca3af"/><text x="${left - 6}" y="16" font-size="11" text-anchor="end">${max}</text><text x="${left - 6}" y="${height - bottom}" font-size="11" text-anchor="end">0</text>${bars}${legend}</svg>`;
}

/** Ratings 1–5 as horizontal bars (SVG). */
export function ratingsChart(report: WeeklyReport): string {
  const width = 320;
  const row = 22;
  const height = row * 5 + 6;
  const max = Math.max(1, ...report.ratings.byScore);
  const bars = report.ratings.byScore
    .map((count, i) => {
      const y = 4 + i * row;
      const w = (count / max) * (width - 90);
      return `<text x="0" y="${y + 14}" font-size="12">${i + 1} 分</text><rect x="36" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" fill="${i < 2 ? '#c2410c' : '#0f766e'}"/><text x="${(40 + w).toFixed(1)}" y="${y + 14}" font-size="12">${count}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="评分分布" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">${bars}</svg>`;
}

/** The report as Markdown (China dates; charts as separate SVG files when `charts` names them). */
export function reportMarkdown(report: WeeklyReport, charts?: { daily: string; ratings: string }, titles: ReadonlyMap<string, string> = new Map()): string {
  const { outcomes, tickets, ratings } = report;
  const lastDay = chinaDay(new Date(report.until.getTime() - 1));
  const lines = [
    `# 职引周报 ${chinaDay(report.since)} — ${lastDay}`,
    '',
    `学生提问 ${report.questions} 次，来自 ${report.students} 位学生（不含评分、菜单选择和命令）。`,
    '',
    '| 结果 | 次数 | 占比 |',
    '|---|---:|---:|',
    ...outcomeOrder.map((outcome) => `| ${outcomeLabels[outcome]} | ${outcomes[outcome]} | ${percent(outcomes[outcome], report.questions)} |`),
    '',
    ...(charts ? [`![每天的提问](${charts.daily})`, ''] : []),
    '## 老师工单',
    '',
    `新开工单 ${tickets.opened} 张（${Object.entries(tickets.byReason).map(([reason, count]) => `${reasonLabels[reason] ?? reason} ${count}`).join('，') || '无'}）；已首次回复 ${tickets.answered} 张，按时回复 ${tickets.slaMet === null ? '—' : percent(tickets.slaMet, 1)}，首次回复用时中位数 ${tickets.medianFirstResponseMinutes === null ? '—' : `${Math.round(tickets.medianFirstResponseMinutes)} 分钟`}。`,
    '',
    '## 评分',
    '',
    ratings.count === 0 ? '本周没有评分。' : `${ratings.count} 个评分，平均 ${ratings.average!.toFixed(2)} 分；1–2 分 ${ratings.byScore[0] + ratings.byScore[1]} 个。`,
    '',
    ...(charts && ratings.count > 0 ? [`![评分分布](${charts.ratings})`, ''] : []),
    '## 知识缺口（前 5 组）',
    '',
    ...(report.gaps.length === 0
      ? ['本周没有缺口。']
      : ['| 组 | 次数 | 例句 |', '|---|---:|---|', ...report.gaps.map((group) => `| ${group.nearest ? `${titles.has(group.nearest.doc) ? `《${titles.get(group.nearest.doc)}》` : group.nearest.doc}${group.nearest.locator}` : `关键词：${group.terms.join('、') || group.key.replace(/^terms:/u, '')}`} | ${group.count} | ${(group.examples[0]?.text ?? '').replace(/\|/gu, '｜')} |`)]),
    '',
  ];
  return lines.join('\n');
}
