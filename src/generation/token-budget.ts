import { chinaDay } from '../china-time.ts';
/**
 * The model tokens zhiyin may spend a day, counted from the usage each response reports. Once
 * spent, answers are extractive until the next day (China time). A call in flight may overshoot
 * by one answer.
 *
 * @example
 * const budget = new DailyTokenBudget(2_000_000);
 * if (budget.exhausted()) return extractive;
 * budget.record(response.usage.total_tokens);
 */
export class DailyTokenBudget {
  #day: string;
  #used = 0;

  /** @param limit tokens a day; 0 means no limit. */
  constructor(
    readonly limit: number,
    readonly now: () => number = Date.now,
  ) {
    this.#day = chinaDay(now());
  }

  #roll(): void {
    const today = chinaDay(this.now());
    if (today !== this.#day) {
      this.#day = today;
      this.#used = 0;
    }
  }

  /** Tokens used today. */
  used(): number {
    this.#roll();
    return this.#used;
  }

  exhausted(): boolean {
    return this.limit > 0 && this.used() >= this.limit;
  }

  record(tokens: number): void {
    this.#roll();
    if (Number.isFinite(tokens) && tokens > 0) this.#used += Math.round(tokens);
  }
}
