import { describe, expect, it } from 'vitest';
import { StudentRateLimiter } from './rate-limit.ts';
import { DailyTokenBudget } from './token-budget.ts';
import { fetchWithRetryAfterCap, retryAfterMs } from './chat-client.ts';

describe('StudentRateLimiter', () => {
  it('lets each student ask perMinute answers, then refills over the minute', () => {
    let now = 0;
    const limiter = new StudentRateLimiter(2, () => now);
    expect([limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, true, false]);
    expect(limiter.tryTake('b')).toBe(true);
    now += 30_000; // half a minute: one answer back
    expect([limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, false]);
  });

  it('has no limit at 0, and keeps at most maxKeys students', () => {
    const unlimited = new StudentRateLimiter(0);
    expect(Array.from({ length: 50 }, () => unlimited.tryTake('a')).every(Boolean)).toBe(true);
    const small = new StudentRateLimiter(1, () => 0, 2);
    for (const key of ['a', 'b', 'c']) small.tryTake(key);
    expect(small.tryTake('a')).toBe(true); // 'a' was dropped as the oldest, so it starts full
  });
});

describe('DailyTokenBudget', () => {
  it('is exhausted once the day’s tokens are spent, and resets at midnight China time', () => {
    let now = Date.parse('2025-03-01T15:00:00Z'); // 23:00 in China
    const budget = new DailyTokenBudget(100, () => now);
    budget.record(60);
    expect(budget.exhausted()).toBe(false);
    budget.record(40);
    expect(budget.exhausted()).toBe(true);
    now = Date.parse('2025-03-01T16:00:01Z'); // just past midnight in China
    expect(budget.exhausted()).toBe(false);
    expect(budget.used()).toBe(0);
  });

  it('has no limit at 0', () => {
    const budget = new DailyTokenBudget(0);
    budget.record(1e9);
    expect(budget.exhausted()).toBe(false);
  });
});

describe('retry-after', () => {
  it('reads retry-after-ms, retry-after in seconds and as an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2025-03-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sat, 01 Mar 2025 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(new Headers())).toBeNull();
  });

  it('marks a 429 that asks for a long wait as not to be retried, and leaves a short one alone', async () => {
    const respond = (headers: Record<string, string>): typeof fetch => async () => new Response('{}', { status: 429, headers });
    const long = await fetchWithRetryAfterCap(5_000, respond({ 'retry-after': '3600' }))('http://x');
    expect(long.headers.get('x-should-retry')).toBe('false');
    expect(long.status).toBe(429);
    const short = await fetchWithRetryAfterCap(5_000, respond({ 'retry-after': '1' }))('http://x');
    expect(short.headers.get('x-should-retry')).toBeNull();
  });
});
