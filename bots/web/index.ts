import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Database } from '../../src/store/database.ts';
import type { ConversationCore } from '../../src/conversation/core.ts';
import type { ChannelSender } from '../../src/escalation/outbox.ts';
import { StudentIdentities, webChatSecret } from './identity.ts';
import { LiveReplies, webSender } from './live-replies.ts';
import { webChannel, webChatApp, type WebChatOptions } from './web-chat.ts';

export { identityCookie, StudentIdentities, webChatSecret } from './identity.ts';
export { RateLimiter, type RateRule } from './rate-limit.ts';
export { LiveReplies, webSender } from './live-replies.ts';
export { maxBodyBytes, webChannel, webChatApp, type WebChatOptions } from './web-chat.ts';

export interface StartWebChatOptions {
  core: ConversationCore;
  /** The outbox: its database holds the signing key; the web sender is registered on it. */
  outbox: { db: Database; register(channel: string, sender: ChannelSender): void };
  /** Where `/chat` is routed (outside the dashboard's sign-in). */
  app: Hono;
  log: Logger;
  /** WEB_CHAT_SECRET; without it the key kept in the database (made on first start). */
  secret?: string;
  trustProxy?: boolean;
  /** Other limits than the defaults (rate limits, the live streams' lifetime). */
  tuning?: Pick<WebChatOptions, 'perStudent' | 'perAddress' | 'streamLifetimeMs'>;
}

/**
 * Starts the student web chat: routes `/chat` on `app`, and registers the `web` sender with the
 * outbox, so that a teacher's reply reaches the student's open page at once (and is in their
 * conversation when they next open it).
 *
 * @example await startWebChat({ core, outbox, app: webhooks, log });
 */
export async function startWebChat(options: StartWebChatOptions): Promise<{ live: LiveReplies }> {
  const { core, outbox, app, log } = options;
  const identities = new StudentIdentities(await webChatSecret(outbox.db, options.secret));
  const live = new LiveReplies();
  outbox.register(webChannel, webSender(live));
  app.route('/', webChatApp({ ...options.tuning, core, db: outbox.db, identities, live, log, trustProxy: options.trustProxy ?? false }));
  return { live };
}
