/**
 * Runs tasks one at a time per key and concurrently across keys: one student's messages are
 * handled in the order they came, while other students are not kept waiting.
 *
 * @example
 * const queue = new KeyedQueue();
 * await Promise.all([queue.run('alice', first), queue.run('alice', second), queue.run('bob', third)]);
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }

  /** Keys with work queued or running. */
  get busyKeys(): number {
    return this.#tails.size;
  }
}
