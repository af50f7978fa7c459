import type { ChannelSender } from '../../src/escalation/outbox.ts';

/** Live event streams one student may hold open (tabs), and all students together. */
const maxStreamsPerStudent = 5;
const maxStreams = 2_000;

/**
 * Teachers' replies to students whose chat page is open, pushed as they are delivered; in this
 * process's memory (an open page on another instance catches up when its stream is renewed).
 *
 * @example
 * const stop = live.subscribe(studentId, (text) => stream.writeSSE({ event: 'reply', data: text }));
 */
export class LiveReplies {
  readonly #listeners = new Map<string, Set<(text: string) => void>>();
  #count = 0;

  /** Listens for `studentId`'s replies until the returned function is called; null when too many streams are open. */
  subscribe(studentId: string, listener: (text: string) => void): (() => void) | null {
    const listeners = this.#listeners.get(studentId) ?? new Set();
    if (listeners.size >= maxStreamsPerStudent || this.#count >= maxStreams) return null;
    listeners.add(listener);
    this.#listeners.set(studentId, listeners);
    this.#count += 1;
    return () => {
      if (!listeners.delete(listener)) return;
      this.#count -= 1;
      if (listeners.size === 0) this.#listeners.delete(studentId);
    };
  }

  /** Hands `text` to every open page of the student; returns how many there were. */
  publish(studentId: string, text: string): number {
    const listeners = [...(this.#listeners.get(studentId) ?? [])];
    for (const listener of listeners) listener(text);
    return listeners.length;
  }
}

/**
 * The outbox's sender for the web chat. A teacher's reply is already in the student's web
 * conversation (the desk stores it with the reply), which the page shows when it is next opened:
 * that is delivery. This pushes it, too, to the pages the student has open right now.
 *
 * @example outbox.register(webChannel, webSender(live));
 */
export function webSender(live: LiveReplies): ChannelSender {
  return {
    async send(recipient: string, text: string): Promise<void> {
      live.publish(recipient, text);
    },
  };
}
