import path from 'node:path';
import type { CommandHost, CommandIo } from './command-io.ts';

/**
 * `zhiyin eval`: the datasets through the dry-run conversation core; accuracy, latency and the
 * router's held-out report; and the career-plan eval (eval/career/: its own table, and the
 * `career` key of `--json`).
 */
export async function runEvalCommand(host: CommandHost, io: CommandIo, options: { dataset?: string[]; json?: boolean; llm?: boolean }): Promise<void> {
  const { defaultDatasets, runDatasets } = await import('../../eval/suite.ts');
  const { formatGenerationStats, formatRun, toJson } = await import('../../eval/report.ts');
  const { evalConfig, faithfulnessFor } = await import('../../eval/llm.ts');
  const { dryRunAsk } = await import('../conversation/dry-run.ts');
  const llm = options.llm === true;
  const runConfig = evalConfig(await host.config(), llm);
  const files = options.dataset?.map((file) => path.resolve(io.cwd, file)) ?? (await defaultDatasets());
  // its own assistant inside a running server: the generation counts are the eval's alone
  await host.withOwnAssistant(runConfig, async (assistant) => {
    const ask = dryRunAsk(assistant);
    const runOptions = llm ? { faithfulness: await faithfulnessFor(assistant) } : {};
    const results = await runDatasets(files, (question, session) => ask(question, session), runOptions);
    const generation = llm ? assistant.generation?.stats() : undefined;
    const { careerEvalOn } = await import('../../eval/career/career-eval.ts');
    const career = await careerEvalOn((await assistant.answerer()).search.snapshot);
    if (options.json) {
      const json = Object.fromEntries(results.map(({ name, report }) => [name, JSON.parse(toJson(report))]));
      io.stdout.write(`${JSON.stringify({ ...json, ...(generation ? { generation } : {}), career }, null, 2)}\n`);
    } else {
      io.stdout.write(`${formatRun(results)}\n\n`);
      const { formatCareerReport } = await import('../../eval/career/career-report.ts');
      io.stdout.write(`${formatCareerReport(career)}\n\n`);
      // the router's classifier on its held-out messages (confusion matrix, crisis recall)
      const { formatRouterHeldOut, routerHeldOut } = await import('../../eval/router-report.ts');
      const router = routerHeldOut();
      if (router) io.stdout.write(`${formatRouterHeldOut(router, { maxErrors: 5 })}\n`);
      if (generation) io.stdout.write(`${formatGenerationStats(generation)}\n`);
    }
  });
}
