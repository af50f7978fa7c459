/** How many messages a key may send within a window. */
export interface RateRule {
  limit: number;
  windowMs: number;
}

/** Allowed, or refused with how long to wait. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A sliding-window message counter per key (a student's identity, a client address), in this
 * process's memory: enough for one server; keys idle for a window are dropped, and at most
 * `maxKeys` are tracked (the least recently seen go first).
 *
 * @example
 * const perStudent = new RateLimiter({ limit: 20, windowMs: 60_000 });
 * const decision = perStudent.take(studentId);
 * if (!decision.allowed) return tooMany(decision.retryAfterMs);
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();

  constructor(
    readonly rule: RateRule,
    readonly now: () => number = Date.now,
    readonly maxKeys = 50_000,
  ) {}

  /** Counts one message for `key`, unless the key is over its limit (then nothing is counted). */
  take(key: string): RateDecision {
    const now = this.now();
    const since = now - this.rule.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((at) => at > since);
    this.#hits.delete(key);
    if (hits.length >= this.rule.limit) {
      this.#hits.set(key, hits);
      return { allowed: false, retryAfterMs: Math.max(1, hits[0]! + this.rule.windowMs - now) };
    }
    hits.push(now);
    this.#hits.set(key, hits);
    if (this.#hits.size > this.maxKeys) this.#hits.delete(this.#hits.keys().next().value!);
    return { allowed: true };
  }
}
