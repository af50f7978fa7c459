import type { ChannelSender } from '../escalation/outbox.ts';

/** The outbox channel of `zhiyin chat`: tickets opened in the console are answered into it. */
export const consoleChannel = 'console';

/**
 * The outbox's sender for the console channel: delivers a teacher's reply to the `zhiyin chat`
 * of that user that is running now. With none running the delivery fails, so the outbox retries
 * it (and the ticket shows it undelivered), as for any channel that cannot be reached.
 *
 * @example
 * const consoles = new ConsoleRecipients();
 * outbox.register(consoleChannel, consoles);
 * const detach = consoles.attach('li', async (_, text) => void output.write(text));
 */
export class ConsoleRecipients implements ChannelSender {
  readonly #live = new Map<string, ChannelSender['send'][]>();

  /** Delivers replies to `userId` through `deliver` until the returned function is called; the latest chat of a user gets them. */
  attach(userId: string, deliver: ChannelSender['send']): () => void {
    const chats = this.#live.get(userId) ?? [];
    chats.push(deliver);
    this.#live.set(userId, chats);
    return () => {
      const left = (this.#live.get(userId) ?? []).filter((chat) => chat !== deliver);
      if (left.length > 0) this.#live.set(userId, left);
      else this.#live.delete(userId);
    };
  }

  async send(recipient: string, text: string): Promise<void> {
    const chats = this.#live.get(recipient);
    if (!chats || chats.length === 0) throw new Error('no zhiyin chat of this user is running');
    await chats[chats.length - 1]!(recipient, text);
  }
}
