/**
 * China's calendar day. Schools, deadlines, effective dates and budgets run on China time (UTC+8,
 * no daylight saving), not on the server's zone or UTC: at 07:00 in Beijing it is still yesterday
 * in UTC.
 */

/** China's offset from UTC. */
export const chinaOffsetMs = 8 * 60 * 60 * 1000;

/**
 * The date it is in China at an instant (default: now), `YYYY-MM-DD`.
 *
 * @example chinaDay(new Date('2026-11-25T20:00:00Z')) // '2026-11-26'
 */
export function chinaDay(at: Date | number = new Date()): string {
  return new Date((typeof at === 'number' ? at : at.getTime()) + chinaOffsetMs).toISOString().slice(0, 10);
}
