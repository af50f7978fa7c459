import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/**
 * Reads one line that should not be shown: at a terminal the prompt goes to `output` and the
 * typing is not echoed; from a pipe the first line of `input` is taken (`echo … | zhiyin users add`).
 */
export async function readSecret(prompt: string, input: Readable & { isTTY?: boolean } = process.stdin, output: Writable = process.stderr): Promise<string> {
  const terminal = input.isTTY === true;
  const reader = createInterface({ input, output, terminal });
  if (terminal) {
    output.write(prompt);
    // echo nothing of what is typed
    (reader as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => {};
  }
  try {
    for await (const line of reader) return line;
    return '';
  } finally {
    if (terminal) output.write('\n');
    reader.close();
  }
}
