import pino, { type Logger } from 'pino';

/**
 * Field names whose values never reach a log: message text, names, contact details, tokens.
 * Log what happened (ids, counts, outcomes, durations), not what a student wrote.
 */
export const redactedPaths = [
  'text',
  'question',
  'answer',
  'message',
  'name',
  'phone',
  'email',
  'password',
  'token',
  '*.text',
  '*.question',
  '*.answer',
  '*.message',
  '*.name',
  '*.phone',
  '*.email',
  '*.password',
  '*.token',
];

/**
 * The process logger: JSON lines on standard error (standard output is for command results),
 * with personal data redacted.
 *
 * @example const log = createLogger('info'); log.info({ outcome: 'answer', ms: 3 }, 'answered');
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination(2));
}
