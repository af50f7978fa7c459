import path from 'node:path';
import { z } from 'zod';
import { knowledgeDir } from './paths.ts';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Every environment variable zhiyin reads; README's configuration table lists the same. */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** A reverse proxy in front sets X-Forwarded-For: the login throttle counts its last entry as the client. */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  ZHIYIN_DATA_DIR: z.string().default('./data'),
  ZHIYIN_KNOWLEDGE_DIR: z.string().default(path.join(knowledgeDir, 'documents')),
  DATABASE_URL: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EMBEDDINGS_BASE_URL: optionalText,
  EMBEDDINGS_API_KEY: optionalText,
  EMBEDDINGS_MODEL: optionalText,
  LLM_BASE_URL: optionalText,
  LLM_API_KEY: optionalText,
  LLM_MODEL: optionalText,
  /** Per model call, in milliseconds; a streamed answer must finish within it too. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Retries of a failed model call (429, 5xx, timeouts), with the SDK's exponential backoff. */
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** Model tokens a day (China time) before answers fall back to extractive; 0: no limit. */
  LLM_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(2_000_000),
  /** Generated answers a minute per student before answers fall back to extractive; 0: no limit. */
  LLM_RATE_PER_MINUTE: z.coerce.number().int().min(0).default(6),
  TELEGRAM_BOT_TOKEN: optionalText,
  /** Another Bot API server (a self-hosted telegram-bot-api, or a test fake); default api.telegram.org. */
  TELEGRAM_API_ROOT: optionalText,
  /** Public HTTPS URL of `/telegram/webhook`; without it the bot long-polls. */
  TELEGRAM_WEBHOOK_URL: optionalText,
  TELEGRAM_WEBHOOK_SECRET: optionalText,
  WECHATY_PUPPET: optionalText,
  WECHATY_PUPPET_SERVICE_TOKEN: optionalText,
  /** Friend requests to the WeChat account: accept (and greet) or ignore. */
  WECHATY_FRIEND_POLICY: z.enum(['accept', 'ignore']).default('accept'),
  /** Keeps the WeChat login in `<name>.memory-card.json`, so a restart needs no new scan. */
  WECHATY_SESSION: optionalText,
  /** The Official Account (公众号) webhook at /wechat: Token, AppID, EncodingAESKey (safe mode). */
  WECHAT_OA_TOKEN: optionalText,
  WECHAT_OA_APPID: optionalText,
  WECHAT_OA_AES_KEY: optionalText,
  /** AppSecret: turns on the customer-service API (late answers, teachers' replies). */
  WECHAT_OA_SECRET: optionalText,
  /** How far a webhook request's timestamp may be from now, seconds; its nonce is remembered that long. */
  WECHAT_OA_MAX_SKEW_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  WECHAT_API_BASE_URL: optionalText,
  /** The student web chat at /chat: on unless `off`. */
  WEB_CHAT: z
    .enum(['on', 'off', 'true', 'false', '1', '0', ''])
    .default('on')
    .transform((value) => !['off', 'false', '0'].includes(value)),
  /** Signs the web chat's student cookies (at least 32 characters); without it a key kept in the database. */
  WEB_CHAT_SECRET: optionalText.refine((value) => value === undefined || value.length >= 32, 'WEB_CHAT_SECRET must be at least 32 characters'),
});

export type Config = z.infer<typeof environmentSchema>;

/**
 * Whether grounded generation is configured (LLM_BASE_URL and LLM_MODEL; LLM_API_KEY is optional
 * for local servers). It is configured apart from the embeddings endpoint: neither needs the other.
 */
export function generationConfigured(config: Config): boolean {
  return Boolean(config.LLM_BASE_URL && config.LLM_MODEL);
}

/**
 * Reads the configuration from the environment, failing with every problem named.
 *
 * @example const config = loadConfig({ ...process.env, PORT: '8080' });
 */
export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  if (config.EMBEDDINGS_BASE_URL && !config.EMBEDDINGS_MODEL) {
    throw new Error('configuration: EMBEDDINGS_MODEL is required when EMBEDDINGS_BASE_URL is set');
  }
  if (config.LLM_BASE_URL && !config.LLM_MODEL) {
    throw new Error('configuration: LLM_MODEL is required when LLM_BASE_URL is set');
  }
  return config;
}
