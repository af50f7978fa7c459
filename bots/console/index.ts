import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** What the console channel needs from the core: an answer for a line of text. */
export interface ConsoleCore {
  ask(text: string): Promise<{ answer: string }>;
}

const farewell = /^(?:退出|再见|exit|quit|bye|:q)$/iu;
const prompt = '\n你 › ';

/**
 * The console channel: reads lines (typed or piped), hands each to the core in order, prints the
 * reply. Ends on 退出 or at the end of the input, always with 再见.
 *
 * @example await runConsole(assistant, process.stdin, process.stdout);
 */
export async function runConsole(core: ConsoleCore, input: Readable, output: Writable): Promise<void> {
  const reader = createInterface({ input, crlfDelay: Infinity, terminal: false });
  output.write('职引 zhiyin — 职业指导小助手。直接输入问题；输入「退出」结束。\n');
  output.write(prompt);
  try {
    for await (const line of reader) {
      if (farewell.test(line.trim())) break;
      const { answer } = await core.ask(line);
      output.write(`\n职引 › ${answer.replace(/\n/gu, '\n       ')}\n`);
      output.write(prompt);
    }
  } finally {
    reader.close();
  }
  output.write('\n再见！\n');
}
