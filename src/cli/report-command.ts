import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandHost, CommandIo } from './command-io.ts';

/**
 * `zhiyin report`: the weekly report (src/conversation/weekly-report.ts) as Markdown on stdout,
 * or with `--out <dir>` as report.md with its two SVG charts beside it.
 */
export async function runReportCommand(host: CommandHost, io: CommandIo, options: { weeks?: string; out?: string }): Promise<void> {
  const weeks = Number(options.weeks ?? '1');
  if (!Number.isInteger(weeks) || weeks < 1 || weeks > 52) throw new Error('--weeks 是 1–52 的整数 / --weeks must be a whole number from 1 to 52');
  const { dailyChart, ratingsChart, reportMarkdown, reportPeriod, weeklyReport } = await import('../conversation/weekly-report.ts');
  await host.withAssistant(await host.config(), async (assistant) => {
    const index = (await assistant.answerer()).search.lexicalIndex;
    const report = await weeklyReport(assistant.db, {
      ...reportPeriod(new Date(), weeks),
      words: (text) => assistant.tokenizer.words(text),
      rarity: (word) => (index.has(word) ? index.idf(word) : 0),
    });
    const titles = new Map((await assistant.knowledge.list()).map((document) => [document.id, document.title]));
    if (!options.out) {
      io.stdout.write(reportMarkdown(report, undefined, titles));
      return;
    }
    const dir = path.resolve(io.cwd, options.out);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'daily.svg'), dailyChart(report));
    await writeFile(path.join(dir, 'ratings.svg'), ratingsChart(report));
    await writeFile(path.join(dir, 'report.md'), reportMarkdown(report, { daily: 'daily.svg', ratings: 'ratings.svg' }, titles));
    io.stdout.write(`已写入 / written: ${path.join(dir, 'report.md')}\n`);
  });
}
