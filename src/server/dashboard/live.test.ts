import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlConversationStore } from '../../conversation/conversation-store.ts';
import { TicketDesk, type TicketEvent } from '../../escalation/tickets.ts';
import type { Database } from '../../store/database.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { LiveTickets } from './live.ts';

describe('LiveTickets', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
  });
  afterAll(() => db.close());

  it('announces a ticket another process opened right after a watcher connected (before the first poll tick)', async () => {
    const live = new LiveTickets(new TicketDesk(db), db, 50);
    const events: TicketEvent[] = [];
    const arrived = new Promise<void>((resolve) => {
      const stop = live.subscribe((event) => {
        events.push(event);
        stop();
        resolve();
      });
    });
    // Another process's desk: this process's desk hears nothing of it.
    const conversation = await new SqlConversationStore(db).open('telegram', '777');
    await new TicketDesk(db).openOrJoin({ conversationId: conversation.id, channel: 'telegram', studentId: '777', reason: 'person', summary: '想找老师' });
    await arrived;
    expect(events[0]).toEqual(expect.objectContaining({ type: 'ticket', action: 'changed' }));
  });
});
