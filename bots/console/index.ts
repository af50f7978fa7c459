import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { savePlanFile } from '../../src/career/plan-file.ts';

/** The parts of a reply the console shows. */
export interface ConsoleReply {
  text: string;
  choices?: { label: string; value: string }[];
  document?: { fileName: string; content: string };
}

/** What the console channel needs from the core: the replies to a line of text. */
export interface ConsoleCore {
  say(text: string): Promise<ConsoleReply[]>;
}

export interface ConsoleOptions {
  /**
   * Where documents (a written plan) are saved: the plans directory under the data directory, or
   * the one the person asked for (`planDirectory` in src/career/plan-file.ts) — never simply the
   * current directory.
   */
  saveDir: string;
}

const farewell = /^(?:退出聊天|再见|exit|quit|bye|:q)$/iu;
const prompt = '\n你 › ';

/**
 * The console channel: reads lines (typed or piped), hands each to the core in order, prints the
 * replies. Choices are shown numbered, and a number picks one; documents are saved as files.
 * Ends on 再见/exit or at the end of the input.
 *
 * @example await runConsole(core, process.stdin, process.stdout, { saveDir: planDirectory(config.ZHIYIN_DATA_DIR) });
 */
export async function runConsole(core: ConsoleCore, input: Readable, output: Writable, options: ConsoleOptions): Promise<void> {
  const reader = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let offered: { label: string; value: string }[] = [];
  output.write('职引 zhiyin — 职业指导小助手。直接输入问题；输入「帮助」看看我能做什么，「再见」结束。\n');
  output.write(prompt);
  try {
    for await (const line of reader) {
      if (farewell.test(line.trim())) break;
      const picked = /^\s*(\d{1,2})\s*$/u.exec(line);
      const choice = picked ? offered[Number(picked[1]) - 1] : undefined;
      const replies = await core.say(choice ? choice.value : line);
      offered = [];
      for (const reply of replies) {
        output.write(`\n职引 › ${reply.text.replace(/\n/gu, '\n       ')}\n`);
        if (reply.choices && reply.choices.length > 0) {
          offered = reply.choices;
          // choices that are their own numbers (a 1–5 rating) fit on one line
          const numbered = reply.choices.every((item, index) => item.label === String(index + 1));
          output.write(
            numbered
              ? `       ${reply.choices.map((item) => `[${item.label}]`).join(' ')}\n`
              : reply.choices.map((item, index) => `       ${index + 1}. ${item.label}`).join('\n') + '\n',
          );
        }
        if (reply.document) {
          const file = await savePlanFile(options.saveDir, reply.document.fileName, reply.document.content);
          output.write(`       （已保存文件：${file}）\n`);
        }
      }
      output.write(prompt);
    }
  } finally {
    reader.close();
  }
  output.write('\n再见！\n');
}
