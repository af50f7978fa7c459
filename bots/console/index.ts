import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';

/** What the console channel needs from the core: an answer for a line of text. */
export interface ConsoleCore {
  ask(text: string): Promise<{ answer: string }>;
}

const farewell = /^(?:退出|再见|exit|quit|bye|:q)$/iu;

/**
 * The console channel: reads a line, hands it to the core, prints the reply. Ends on EOF or 退出.
 *
 * @example await runConsole(assistant, process.stdin, process.stdout);
 */
export async function runConsole(core: ConsoleCore, input: Readable, output: Writable): Promise<void> {
  const terminal = Boolean((input as { isTTY?: boolean }).isTTY);
  const reader = createInterface({ input, output, terminal });
  output.write('职引 zhiyin — 职业指导小助手。直接输入问题；输入「退出」结束。\n');
  try {
    while (true) {
      let line: string;
      try {
        line = await reader.question('\n你 › ');
      } catch {
        break;
      }
      if (farewell.test(line.trim())) break;
      const { answer } = await core.ask(line);
      output.write(`\n职引 › ${answer.replace(/\n/gu, '\n       ')}\n`);
    }
  } finally {
    reader.close();
  }
  output.write('\n再见！\n');
}
