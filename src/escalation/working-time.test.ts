import { describe, expect, it } from 'vitest';
import { chinaTimeText, loadWorkCalendar, workingDaysAfter } from './working-time.ts';

// 2026-11-27 is a Friday. 17:30 China time is 09:30 UTC.
describe('workingDaysAfter', () => {
  it('counts a working morning as day 0', () => {
    expect(workingDaysAfter(new Date('2026-11-27T02:00:00Z'), 0).toISOString()).toBe('2026-11-27T09:30:00.000Z');
  });

  it('skips the weekend: Friday + 1 working day is Monday', () => {
    expect(workingDaysAfter(new Date('2026-11-27T02:00:00Z'), 1).toISOString()).toBe('2026-11-30T09:30:00.000Z');
  });

  it('gives a complaint on Friday morning five working days: the next Friday', () => {
    expect(workingDaysAfter(new Date('2026-11-27T02:00:00Z'), 5).toISOString()).toBe('2026-12-04T09:30:00.000Z');
  });

  it('starts counting on the next working day after closing time or at the weekend', () => {
    expect(workingDaysAfter(new Date('2026-11-27T10:00:00Z'), 0).toISOString()).toBe('2026-11-30T09:30:00.000Z');
    expect(workingDaysAfter(new Date('2026-11-28T03:00:00Z'), 1).toISOString()).toBe('2026-12-01T09:30:00.000Z');
  });
});

describe('chinaTimeText', () => {
  it('shows an instant in China time, in Chinese and English', () => {
    expect(chinaTimeText(new Date('2026-11-27T09:30:00Z'), 'zh')).toBe('11月27日（周五）17:30');
    expect(chinaTimeText(new Date('2026-11-27T17:05:00Z'), 'zh')).toBe('11月28日（周六）01:05');
    expect(chinaTimeText(new Date('2026-11-27T09:30:00Z'), 'en')).toBe('Fri 27 Nov, 17:30');
  });
});

describe('the work calendar', () => {
  const calendar = { holidays: new Set(['2026-10-01', '2026-10-02', '2026-10-05']), workdays: new Set(['2026-09-27', '2026-10-10']) };

  it('skips public holidays and counts make-up working days (调休)', () => {
    // Wed 30 Sep 2026, 10:00 China time; 1 working day later: Thu 1 Oct and Fri 2 Oct are holidays,
    // Mon 5 Oct too, so the next working day is Tue 6 Oct.
    expect(workingDaysAfter(new Date('2026-09-30T02:00:00Z'), 1, calendar).toISOString()).toBe('2026-10-06T09:30:00.000Z');
    // Fri 9 Oct after closing: the next working day is Sat 10 Oct, a make-up working day; the one after, Mon 12.
    expect(workingDaysAfter(new Date('2026-10-09T10:00:00Z'), 0, calendar).toISOString()).toBe('2026-10-10T09:30:00.000Z');
    expect(workingDaysAfter(new Date('2026-10-09T10:00:00Z'), 1, calendar).toISOString()).toBe('2026-10-12T09:30:00.000Z');
  });

  it('reads the school’s calendar file (empty as shipped)', () => {
    const shipped = loadWorkCalendar();
    expect(shipped.holidays.size + shipped.workdays.size).toBe(0);
  });
});
