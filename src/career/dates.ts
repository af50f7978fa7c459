/** Calendar dates as ISO `YYYY-MM-DD` strings, counted in China's time zone (UTC+8, no daylight saving). */

import { chinaDay } from '../china-time.ts';

export { chinaDay };

const dayMs = 24 * 60 * 60 * 1000;

const parts = (iso: string): [number, number, number] => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(iso);
  if (!match) throw new Error(`not an ISO date: ${iso}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
};

const fromUtc = (milliseconds: number): string => new Date(milliseconds).toISOString().slice(0, 10);

/** @example addDays('2026-11-25', 14) // '2026-12-09' */
export function addDays(iso: string, days: number): string {
  const [year, month, day] = parts(iso);
  return fromUtc(Date.UTC(year, month - 1, day) + days * dayMs);
}

/** The same day n months later, or the month's last day when it is shorter. @example addMonths('2026-01-31', 1) // '2026-02-28' */
export function addMonths(iso: string, months: number): string {
  const [year, month, day] = parts(iso);
  const lastDay = new Date(Date.UTC(year, month - 1 + months + 1, 0)).getUTCDate();
  return fromUtc(Date.UTC(year, month - 1 + months, Math.min(day, lastDay)));
}

/** The first date after `iso` that falls on one of the given month-days. @example nextOf('2026-11-25', [[3, 1], [9, 1]]) // '2027-03-01' */
export function nextOf(iso: string, monthDays: readonly (readonly [number, number])[]): string {
  const [year] = parts(iso);
  const candidates = [year, year + 1].flatMap((y) => monthDays.map(([month, day]) => fromUtc(Date.UTC(y, month - 1, day))));
  return candidates.filter((candidate) => candidate > iso).sort()[0]!;
}

/** Year, month and day as numbers, for the `plan.date` template. */
export function dateParts(iso: string): { year: number; month: number; day: number } {
  const [year, month, day] = parts(iso);
  return { year, month, day };
}
