import { Command, CommanderError, Option } from 'commander';
import type { Config } from '../config.ts';
import type { CommandHost, CommandIo } from './command-io.ts';
import { processIo } from './command-io.ts';
import { directHost } from './direct-host.ts';
import { registerKbCommands } from './kb-commands.ts';

// Only commander and the command definitions load at start: every action imports what it needs,
// so that `zhiyin --help` and `zhiyin users …` never load the retrieval stack.

/** The commands a running `serve` can run for another `zhiyin` process (over its admin socket). */
const relayedCommands = new Set(['ask', 'chat', 'eval', 'kb', 'report', 'users']);

/** Whether `args` (after `zhiyin`) is a command that goes to the running server when one holds the data directory. */
export function runsOnServer(args: readonly string[]): boolean {
  return relayedCommands.has(args[0] ?? '') && !args.includes('--help') && !args.includes('-h');
}

/** Builds the `zhiyin` command line; its output goes to `io`, its work to `host`. */
export function buildProgram(host: CommandHost, io: CommandIo): Command {
  const program = new Command('zhiyin')
    .description('职引 zhiyin — 依据政策文件作答、注明出处的职业指导助手 / career-guidance assistant answering from policy documents with citations')
    .helpOption('-h, --help', '显示帮助 / display help')
    .helpCommand('help [command]', '显示某个命令的帮助 / display help for a command')
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 80,
      getErrHelpWidth: () => io.stderr.columns ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      // commander's own messages ("error: unknown command …") with the Chinese word first
      outputError: (text, write) => write(text.replace(/^error: /u, '错误 / error: ')),
    })
    .exitOverride()
    .showHelpAfterError();

  program
    .command('ask')
    .description('回答一个政策问题（试运行：不建工单，不保存对话） / answer a policy question (a dry run: no ticket, no conversation stored)')
    .argument('[question...]', '问题 / the question')
    .option('--json', '以 JSON 输出结果 / print the result as JSON')
    .option('--jsonl', '从标准输入读 {"id","question"[,"session"]} 行，每行写一行结果 / read {"id","question"[,"session"]} lines on stdin, write one result line each')
    .action(async (words: string[], options: { json?: boolean; jsonl?: boolean }) => {
      const { dryRunAsk } = await import('../conversation/dry-run.ts');
      const { answerLines, toAskLine } = await import('./ask-lines.ts');
      await host.withAssistant(await host.config(), async (assistant) => {
        const ask = dryRunAsk(assistant);
        if (options.jsonl) {
          await answerLines(io.stdin, io.stdout, ask);
          return;
        }
        const result = await ask(words.join(' '), undefined);
        if (options.json) io.stdout.write(`${JSON.stringify(toAskLine(null, result), null, 2)}\n`);
        else io.stdout.write(`${result.answer}\n`);
      });
    });

  program
    .command('chat')
    .description('在终端里和职引对话（console 渠道；转人工会建工单，老师的回复显示在这里） / talk to zhiyin in this terminal (the console channel; 转人工 opens a ticket and the teacher\'s reply appears here)')
    .option('--plan-dir <dir>', '职业规划文件保存到这个目录（默认 <数据目录>/plans） / save written career plans here (default <data dir>/plans)')
    .action(async (options: { planDir?: string }) => {
      const { runChat } = await import('./chat-command.ts');
      await runChat(host, io, options);
    });

  program
    .command('serve')
    .description('启动网页服务（健康检查、API、老师工作台）和配置的渠道 / start the web server (health, API, teachers\' dashboard) and the configured channels')
    .option('--channels <names>', '只启动这些渠道，逗号分隔（如 telegram） / start only these channels, comma-separated (e.g. telegram)')
    .action(async (options: { channels?: string }) => {
      const config = await host.config();
      const { serve } = await import('../server/serve.ts');
      const { startChannels } = await import('../../bots/channels.ts');
      const only = options.channels?.split(',').map((name) => name.trim()).filter(Boolean);
      await serve(config, {
        startChannels,
        ...(only ? { channels: only } : {}),
        // With DATABASE_URL every command connects to the database itself.
        ...(config.DATABASE_URL ? {} : { startAdmin: startAdminSocketFor(config) }),
      });
    });

  registerKbCommands(program, host, io);

  program
    .command('eval')
    .description('跑评测数据集，输出准确率和耗时 / run the eval datasets and print accuracy and latency')
    .addOption(new Option('--dataset <file...>', '数据集文件（默认 eval/datasets/*.jsonl） / dataset files (default: eval/datasets/*.jsonl)'))
    .option('--json', '输出 JSON / print JSON')
    .option('--llm', '用配置的模型（LLM_*）作答，报告忠实度和生成次数 / answer with the configured model (LLM_*) and report faithfulness and generation counts')
    .action(async (options: { dataset?: string[]; json?: boolean; llm?: boolean }) => {
      const { runEvalCommand } = await import('./eval-command.ts');
      await runEvalCommand(host, io, options);
    });

  program
    .command('report')
    .description('周报：提问量、回答/反问/未答/转老师的占比、工单按时回复、评分、知识缺口 / the weekly report: questions, outcome shares, tickets, ratings, knowledge gaps')
    .option('--weeks <n>', '最近几周（含今天，中国时间，默认 1） / how many weeks back, today included (China time, default 1)')
    .option('--out <dir>', '写成 report.md 和两张 SVG 图，而不是输出到终端 / write report.md and two SVG charts there instead of printing')
    .action(async (options: { weeks?: string; out?: string }) => {
      const { runReportCommand } = await import('./report-command.ts');
      await runReportCommand(host, io, options);
    });

  const users = program.command('users').description('老师和管理员的工作台账号 / dashboard accounts for teachers and administrators');
  users
    .command('add')
    .description('添加工作台账号；密码从终端读（不回显）或取标准输入的第一行 / add a dashboard user; the password is read from the terminal (not echoed) or the first line of stdin')
    .argument('<username>', '3–32 个 a-z 0-9 _ . - / 3–32 of a-z 0-9 _ . -')
    .addOption(
      new Option('--role <role>', 'teacher 处理队列；admin 还能分派工单 / teacher works the queue; admin also assigns tickets').choices(['teacher', 'admin']).makeOptionMandatory(),
    )
    .option('--name <display name>', '学生和同事看到的名字（默认：用户名） / the name students and colleagues see (default: the username)')
    .action(async (username: string, options: { role: 'teacher' | 'admin'; name?: string }) => {
      const password = await io.readSecret(`${username} 的密码（至少 10 个字符） / password for ${username} (at least 10 characters): `);
      await host.withDatabase(async (db) => {
        const { addUser } = await import('../server/auth/users.ts');
        const user = await addUser(db, { username, displayName: options.name ?? username, role: options.role, password });
        io.stdout.write(`已添加 / added ${user.role} ${user.username} (${user.displayName})\n`);
      });
    });
  users
    .command('list')
    .description('列出工作台账号 / list dashboard users')
    .action(async () => {
      await host.withDatabase(async (db) => {
        const { UserStore } = await import('../server/auth/users.ts');
        for (const user of await new UserStore(db).list()) io.stdout.write(`${user.username}\t${user.role}\t${user.displayName}\n`);
      });
    });

  return program;
}

/** `serve`'s admin socket: other `zhiyin` processes' commands run inside the server (see src/server/admin-socket.ts). */
function startAdminSocketFor(config: Config): NonNullable<import('../server/serve.ts').ServeOptions['startAdmin']> {
  return async (server) => {
    const { startAdminSocket } = await import('../server/admin-socket.ts');
    const { serverHost } = await import('./server-host.ts');
    const host = serverHost(server);
    const started = startAdminSocket({
      dataDir: config.ZHIYIN_DATA_DIR,
      log: server.log,
      run: async (args, io) => {
        if (!runsOnServer(args)) {
          io.stderr.write(`zhiyin: 这个命令不能交给运行中的服务执行 / this command does not run through the server: ${args[0] ?? ''}\n`);
          return 2;
        }
        return runCommand(args, io, host);
      },
    });
    // the server runs without it (say, a data directory path too long for a socket): commands are then refused as before
    return started.catch((error: Error) => {
      server.log.warn({ code: (error as NodeJS.ErrnoException).code, reason: error.message }, 'admin socket not started: other zhiyin commands cannot use this data directory while serve runs');
      return { stop: async () => undefined };
    });
  };
}

/**
 * Runs one command line (`args` after `zhiyin`) to its end; resolves with its exit code. An error
 * is printed as one clear line on `io.stderr` (`zhiyin: …`) with exit code 1.
 *
 * @example process.exitCode = await runCommand(['kb', 'list'], processIo(), directHost(config));
 */
export async function runCommand(args: readonly string[], io: CommandIo, host: CommandHost): Promise<number> {
  try {
    await buildProgram(host, io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr.write(`zhiyin: ${(error as Error).message}\n`);
    return 1;
  }
}

/**
 * Runs the CLI. When a live `zhiyin serve` holds the data directory, the command runs inside it
 * (over its admin socket) with the same output and exit code; otherwise, or with DATABASE_URL,
 * in this process.
 */
export async function main(argv: string[]): Promise<void> {
  const args = argv.slice(2);
  let loaded: Promise<Config> | undefined;
  const config = (): Promise<Config> => (loaded ??= import('../config.ts').then(({ loadConfig }) => loadConfig()));
  if (runsOnServer(args)) {
    try {
      const settings = await config();
      if (!settings.DATABASE_URL) {
        const { runThroughServer } = await import('./admin-client.ts');
        const code = await runThroughServer(settings.ZHIYIN_DATA_DIR, args);
        if (code !== null) {
          process.exitCode = code;
          return;
        }
      }
    } catch (error) {
      process.stderr.write(`zhiyin: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
  }
  process.exitCode = await runCommand(args, processIo(), directHost(config));
}
