import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { withAssistant } from './with-assistant.ts';
import { answerLines, toAskLine } from './ask-lines.ts';
import { registerKbCommands } from './kb-commands.ts';
import { ConversationCore } from '../conversation/core.ts';
import { SqlConversationStore } from '../conversation/conversation-store.ts';
import { dryRunAsk } from '../conversation/dry-run.ts';
import { userInfo } from 'node:os';


/** Builds the `zhiyin` command line. */
export function buildProgram(config: () => Config): Command {
  const program = new Command('zhiyin')
    .description('职引 zhiyin — career-guidance assistant answering from policy documents with citations')
    .showHelpAfterError();

  program
    .command('ask')
    .description('answer a policy question (a dry run: no ticket, no conversation stored)')
    .argument('[question...]', 'the question')
    .option('--json', 'print the result as JSON')
    .option('--jsonl', 'read {"id","question"[,"session"]} lines on stdin, write one result line each')
    .action(async (words: string[], options: { json?: boolean; jsonl?: boolean }) => {
      await withAssistant(config(), async (assistant) => {
        const ask = dryRunAsk(assistant);
        if (options.jsonl) {
          await answerLines(process.stdin, process.stdout, ask);
          return;
        }
        const result = await ask(words.join(' '), undefined);
        if (options.json) process.stdout.write(`${JSON.stringify(toAskLine(null, result), null, 2)}\n`);
        else process.stdout.write(`${result.answer}\n`);
      });
    });

  program
    .command('chat')
    .description('talk to zhiyin in this terminal (the console channel)')
    .action(async () => {
      const { runConsole } = await import('../../bots/console/index.ts');
      await withAssistant(config(), async (assistant) => {
        const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db));
        const userId = userInfo().username || 'local';
        await runConsole(
          { say: async (text) => (await core.handle({ channel: 'console', userId, kind: 'text', text })).replies },
          process.stdin,
          process.stdout,
        );
      });
    });

  program
    .command('serve')
    .description('start the web server (health, API, teachers\' dashboard) and the configured channels')
    .option('--channels <names>', 'start only these channels, comma-separated (e.g. telegram)')
    .action(async (options: { channels?: string }) => {
      const { serve } = await import('../server/serve.ts');
      const { startChannels } = await import('../../bots/channels.ts');
      const only = options.channels?.split(',').map((name) => name.trim()).filter(Boolean);
      await serve(config(), { startChannels, ...(only ? { channels: only } : {}) });
    });

  registerKbCommands(program, config);

  program
    .command('eval')
    .description('run the eval datasets and print accuracy and latency')
    .addOption(new Option('--dataset <file...>', 'dataset files (default: eval/datasets/*.jsonl)'))
    .option('--json', 'print JSON')
    .option('--llm', 'answer with the configured model (LLM_*) and report faithfulness and generation counts')
    .action(async (options: { dataset?: string[]; json?: boolean; llm?: boolean }) => {
      const { defaultDatasets, runDatasets } = await import('../../eval/suite.ts');
      const { formatGenerationStats, formatRun, toJson } = await import('../../eval/report.ts');
      const { evalConfig, faithfulnessFor } = await import('../../eval/llm.ts');
      const llm = options.llm === true;
      const runConfig = evalConfig(config(), llm);
      const files = options.dataset ?? (await defaultDatasets());
      await withAssistant(runConfig, async (assistant) => {
        const ask = dryRunAsk(assistant);
        const runOptions = llm ? { faithfulness: await faithfulnessFor(assistant) } : {};
        const results = await runDatasets(files, (question, session) => ask(question, session), runOptions);
        const generation = llm ? assistant.generation?.stats() : undefined;
        if (options.json) {
          const json = Object.fromEntries(results.map(({ name, report }) => [name, JSON.parse(toJson(report))]));
          process.stdout.write(`${JSON.stringify(generation ? { ...json, generation } : json, null, 2)}\n`);
        } else {
          process.stdout.write(`${formatRun(results)}\n\n`);
          // the router's classifier on its held-out messages (confusion matrix, crisis recall)
          const { formatRouterHeldOut, routerHeldOut } = await import('../../eval/router-report.ts');
          const router = routerHeldOut();
          if (router) process.stdout.write(`${formatRouterHeldOut(router, { maxErrors: 5 })}\n`);
          if (generation) process.stdout.write(`${formatGenerationStats(generation)}\n`);
        }
      });
    });

  const users = program.command('users').description('dashboard accounts for teachers and administrators');
  users
    .command('add')
    .description('add a dashboard user; the password is read from the terminal (not echoed) or the first line of stdin')
    .argument('<username>', '3–32 of a-z 0-9 _ . -')
    .addOption(new Option('--role <role>', 'teacher works the queue; admin also assigns tickets').choices(['teacher', 'admin']).makeOptionMandatory())
    .option('--name <display name>', 'the name students and colleagues see (default: the username)')
    .action(async (username: string, options: { role: 'teacher' | 'admin'; name?: string }) => {
      const { readSecret } = await import('./read-secret.ts');
      const password = process.env.ZHIYIN_USER_PASSWORD ?? (await readSecret(`password for ${username} (at least 10 characters): `));
      await withAssistant(
        config(),
        async (assistant) => {
          const { addUser } = await import('../server/auth/users.ts');
          const user = await addUser(assistant.db, { username, displayName: options.name ?? username, role: options.role, password });
          process.stdout.write(`added ${user.role} ${user.username} (${user.displayName})\n`);
        },
        true,
      );
    });
  users
    .command('list')
    .description('list dashboard users')
    .action(async () => {
      await withAssistant(
        config(),
        async (assistant) => {
          const { UserStore } = await import('../server/auth/users.ts');
          for (const user of await new UserStore(assistant.db).list()) {
            process.stdout.write(`${user.username}\t${user.role}\t${user.displayName}\n`);
          }
        },
        true,
      );
    });

  return program;
}

/** Runs the CLI; errors are printed as one clear line on stderr with exit code 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram(() => loadConfig()).parseAsync(argv);
  } catch (error) {
    process.stderr.write(`zhiyin: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
