import { userInfo } from 'node:os';
import path from 'node:path';
import { planDirectory } from '../career/plan-file.ts';
import type { CommandHost, CommandIo } from './command-io.ts';

/**
 * `zhiyin chat`: the console channel over the real conversation core, with the teachers' queue:
 * 转人工 opens a ticket, and a teacher's reply is printed here while the chat runs (the outbox's
 * `console` channel; see src/cli/console-relay.ts). A written plan is saved under the data
 * directory (`<data>/plans`), or in `--plan-dir` (relative to the caller's directory).
 */
export async function runChat(host: CommandHost, io: CommandIo, options: { planDir?: string } = {}): Promise<void> {
  const { runConsole } = await import('../../bots/console/index.ts');
  const { ConversationCore } = await import('../conversation/core.ts');
  const { SqlConversationStore } = await import('../conversation/conversation-store.ts');
  const { TicketDesk } = await import('../escalation/tickets.ts');
  const config = await host.config();
  const saveDir = planDirectory(config.ZHIYIN_DATA_DIR, options.planDir === undefined ? undefined : path.resolve(io.cwd, options.planDir));
  await host.withAssistant(config, async (assistant) => {
    const store = new SqlConversationStore(assistant.db);
    const desk = new TicketDesk(assistant.db);
    const core = new ConversationCore(assistant, store, { tickets: desk });
    const userId = userInfo().username || 'local';
    const stopRelay = await host.relayConsole(assistant, userId, async (_recipient, text) => {
      // a teacher's reply arrives between the student's lines: shown like a reply, then the prompt again
      io.stdout.write(`\n职引 › ${text.replace(/\n/gu, '\n       ')}\n\n你 › `);
    });
    try {
      await runConsole(
        { say: async (text) => (await core.handle({ channel: 'console', userId, kind: 'text', text })).replies },
        io.stdin,
        io.stdout,
        { saveDir },
      );
    } finally {
      await stopRelay();
    }
    // said as it is: nothing shows a reply once the chat is closed
    const open = await desk.openTicketOf((await store.open('console', userId)).id);
    if (open) {
      io.stdout.write('你的工单还开着：老师的回复只会显示在正在运行的 zhiyin chat 里，请稍后再打开看看。 / Your ticket is still open: a teacher\'s reply shows only in a running zhiyin chat, so open it again later.\n');
    }
  });
}
