/**
 * A token bucket per student: each may ask `perMinute` generated answers a minute, in bursts up
 * to that many; past it, answers are extractive until the bucket refills. Keys are whatever the
 * caller uses to tell students apart (`telegram:123`); nothing else about them is kept.
 *
 * @example
 * const limiter = new StudentRateLimiter(6);
 * if (!limiter.tryTake('telegram:123')) return extractive;
 */
export class StudentRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /**
   * @param perMinute answers a minute per student; 0 means no limit.
   * @param maxKeys buckets kept at most; full ones are dropped first, then the oldest.
   */
  constructor(
    readonly perMinute: number,
    readonly now: () => number = Date.now,
    readonly maxKeys = 10_000,
  ) {}

  /** Takes one answer from the student's bucket; false when it is empty. */
  tryTake(key: string): boolean {
    if (this.perMinute <= 0) return true;
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket); // most recent last
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    this.#prune(now);
    return true;
  }

  #prune(now: number): void {
    if (this.#buckets.size <= this.maxKeys) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute >= this.perMinute) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}
