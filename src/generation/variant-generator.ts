import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { VariantGenerator } from '../knowledge/variants.ts';
import { maxVariantLength } from '../knowledge/variants.ts';
import { promptsDir } from '../paths.ts';
import { OpenAIChatModel, type ChatModel } from './chat-client.ts';
import { fill } from './templates.ts';

const templateSchema = z.object({
  version: z.number().int().positive(),
  system: z.string().min(1),
  user: z.string().min(1),
});

/** The prompt that asks a model for a clause's question variants (`prompts/variants.zh.yaml`). */
export type VariantTemplate = z.infer<typeof templateSchema>;

/** Reads `prompts/variants.zh.yaml`, failing with the field named when one is missing. */
export function loadVariantTemplate(dir = promptsDir): VariantTemplate {
  const file = path.join(dir, 'variants.zh.yaml');
  const parsed = templateSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`prompts: ${path.basename(file)}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** Document text goes into the prompt between tags; angle brackets inside it become full-width. */
const asData = (text: string): string => text.replace(/</gu, '＜').replace(/>/gu, '＞');

/**
 * The questions in a model's reply: one per line, numbering, bullets and quotes taken off. A line
 * that is not a short question of the student's — a citation marker, an explanation, the clause
 * copied — is dropped.
 *
 * @example parseGeneratedVariants('1. 实习要交押金吗？\n2. 学校能扣我身份证吗？', '…') // ['实习要交押金吗？', '学校能扣我身份证吗？']
 */
export function parseGeneratedVariants(reply: string, clauseText: string): string[] {
  const clause = clauseText.replace(/\s+/gu, '');
  const questions: string[] = [];
  for (const raw of reply.split(/\r?\n/u)) {
    const line = raw
      .trim()
      .replace(/^(?:[-*•·]|\d+[.．、)）]|[（(]\d+[)）]|问题?\s*\d*[:：])\s*/u, '')
      .replace(/^["“'‘「]+|["”'’」]+$/gu, '')
      .trim();
    const length = [...line].length;
    if (length < 4 || length > maxVariantLength) continue;
    if (/\[\d+\]|<\/?\w+>/u.test(line)) continue;
    if (/^(?:好的|以下|下面|这些|注[:：])/u.test(line)) continue;
    if (length >= 12 && clause.includes(line.replace(/\s+/gu, ''))) continue;
    if (!questions.includes(line)) questions.push(line);
  }
  return questions;
}

/**
 * Question variants from a chat model (the configured LLM_* endpoint): `count` student-style
 * questions per clause, parsed one per line. Its `name` — model and prompt version — keys the cache.
 *
 * @example const generator = ChatVariantGenerator.fromConfig(config); await generator.generate({ title, locator: '第十五条', text, headingPath: [] })
 */
export class ChatVariantGenerator implements VariantGenerator {
  constructor(
    readonly chat: ChatModel,
    readonly template: VariantTemplate = loadVariantTemplate(),
    readonly count = 3,
  ) {}

  static fromConfig(config: Config, count = 3): ChatVariantGenerator {
    if (!config.LLM_BASE_URL || !config.LLM_MODEL) throw new Error('variant generation needs LLM_BASE_URL and LLM_MODEL');
    const chat = new OpenAIChatModel({
      baseURL: config.LLM_BASE_URL,
      model: config.LLM_MODEL,
      ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
      temperature: 0.7,
    });
    return new ChatVariantGenerator(chat, loadVariantTemplate(), count);
  }

  get name(): string {
    return `${this.chat.name}|variants-v${this.template.version}|${this.count}`;
  }

  async generate(clause: { title: string; locator: string; text: string; headingPath: string[] }): Promise<string[]> {
    const values = {
      count: this.count,
      title: asData(clause.title),
      heading: clause.headingPath.length > 0 ? `${asData(clause.headingPath.join(' › '))} › ` : '',
      locator: asData(clause.locator),
      text: asData(clause.text),
    };
    const { text } = await this.chat.complete([new SystemMessage(fill(this.template.system, values)), new HumanMessage(fill(this.template.user, values))]);
    return parseGeneratedVariants(text, clause.text).slice(0, this.count);
  }
}
