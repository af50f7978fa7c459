import { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';

/**
 * Opens the assistant for one CLI command and closes it (releasing the data directory) however
 * the command ends. `skipInitialIngest` for commands that manage the knowledge base themselves.
 *
 * @example await withAssistant(config, (assistant) => assistant.knowledge.list());
 */
export async function withAssistant<T>(config: Config, run: (assistant: Assistant) => Promise<T>, skipInitialIngest = false): Promise<T> {
  const assistant = await Assistant.open(config, { log: createLogger(config.LOG_LEVEL), skipInitialIngest });
  try {
    return await run(assistant);
  } finally {
    await assistant.close();
  }
}
