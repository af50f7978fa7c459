import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { knowledgeDir } from '../paths.ts';

/** China Standard Time, where schools keep their office hours (no daylight saving). */
const chinaOffsetMinutes = 8 * 60;
const closingMinutes = 17 * 60 + 30;

function localParts(instant: Date): { day: number; minutes: number; midnightUtc: number } {
  const local = new Date(instant.getTime() + chinaOffsetMinutes * 60_000);
  const midnightUtc = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - chinaOffsetMinutes * 60_000;
  return { day: local.getUTCDay(), minutes: local.getUTCHours() * 60 + local.getUTCMinutes(), midnightUtc };
}

/** Public holidays and make-up working days (调休), as ISO dates in China. */
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

const isoDate = z
  .union([z.string(), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value))
  .pipe(z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'a date is written YYYY-MM-DD'));
const calendarSchema = z.object({ holidays: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) });

export const calendarFile = path.join(knowledgeDir, 'support', 'calendar.yaml');

/** Reads `knowledge/support/calendar.yaml` (holidays and 调休 days the school fills in each year). */
export function loadWorkCalendar(file = calendarFile): WorkCalendar {
  const parsed = calendarSchema.safeParse(parseYaml(readFileSync(file, 'utf8')) ?? {});
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return { holidays: new Set(parsed.data.holidays), workdays: new Set(parsed.data.workdays) };
}

let defaultCalendar: WorkCalendar | null = null;

/** The calendar file, read once. */
export function workCalendar(): WorkCalendar {
  defaultCalendar ??= loadWorkCalendar();
  return defaultCalendar;
}

function isWorkingDay(midnightUtc: number, day: number, calendar: WorkCalendar): boolean {
  const date = new Date(midnightUtc + chinaOffsetMinutes * 60_000).toISOString().slice(0, 10);
  if (calendar.workdays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  return day >= 1 && day <= 5;
}

/**
 * The close of business (17:30 China time) of the n-th working day after an instant; the day
 * itself counts as day 0 when the instant falls on a working day before closing. Working days
 * are Monday–Friday, minus the calendar's holidays, plus its make-up working days.
 *
 * @example workingDaysAfter(new Date('2026-11-27T02:00:00Z'), 5) // Friday → the next Friday, 17:30 (09:30 UTC)
 */
export function workingDaysAfter(instant: Date, days: number, calendar: WorkCalendar = workCalendar()): Date {
  let { day, minutes, midnightUtc } = localParts(instant);
  let counted = isWorkingDay(midnightUtc, day, calendar) && minutes < closingMinutes ? 0 : -1;
  while (counted < days || !isWorkingDay(midnightUtc, day, calendar)) {
    midnightUtc += 24 * 60 * 60_000;
    day = (day + 1) % 7;
    minutes = 0;
    if (isWorkingDay(midnightUtc, day, calendar)) counted += 1;
  }
  return new Date(midnightUtc + closingMinutes * 60_000);
}

const weekdays = { zh: ['周日', '周一', '周二', '周三', '周四', '周五', '周六'], en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] };

/**
 * An instant as a student reads it, in China time: "11月27日（周五）17:30" or "Fri 27 Nov, 17:30".
 *
 * @example chinaTimeText(new Date('2026-11-27T09:30:00Z'), 'zh') // '11月27日（周五）17:30'
 */
export function chinaTimeText(instant: Date, language: 'zh' | 'en'): string {
  const local = new Date(instant.getTime() + chinaOffsetMinutes * 60_000);
  const time = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
  const day = weekdays[language][local.getUTCDay()]!;
  if (language === 'zh') return `${local.getUTCMonth() + 1}月${local.getUTCDate()}日（${day}）${time}`;
  const month = local.toLocaleString('en', { month: 'short', timeZone: 'UTC' });
  return `${day} ${local.getUTCDate()} ${month}, ${time}`;
}
