import { describe, expect, it } from 'vitest';
import { chinaDay } from './china-time.ts';

describe('chinaDay', () => {
  it('is the next day in China from 16:00 UTC on, the same day before', () => {
    expect(chinaDay(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
    expect(chinaDay(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(chinaDay(Date.parse('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });
});
