import type { Readable, Writable } from 'node:stream';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import type { ChannelSender } from '../escalation/outbox.ts';
import type { Database } from '../store/database.ts';

/** A terminal-aware output stream: what a command writes to, here or relayed from the server. */
export type CommandOutput = Writable & { isTTY?: boolean; columns?: number };

/**
 * The streams and place of one command: the process's own when run directly, the relayed ones
 * of the `zhiyin` process that asked when it runs inside the server (src/server/admin-socket.ts).
 * Commands touch `process.stdin/stdout/stderr/cwd` never, only these.
 */
export interface CommandIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: CommandOutput;
  stderr: CommandOutput;
  /** The directory relative paths are read from (the caller's, not the server's). */
  cwd: string;
  /** Reads a password where the person typing is: not echoed at a terminal, else the first line of stdin (or `ZHIYIN_USER_PASSWORD`). */
  readSecret(prompt: string): Promise<string>;
}

/**
 * Where a command's work happens: a store opened for the one command (direct), or the running
 * server's (the admin socket). Commands open nothing themselves.
 */
export interface CommandHost {
  /** The configuration of this run (the environment, or the server's). */
  config(): Promise<Config>;
  /** Runs with the assistant; `skipInitialIngest` for commands that manage the knowledge base themselves. */
  withAssistant<T>(config: Config, run: (assistant: Assistant) => Promise<T>, skipInitialIngest?: boolean): Promise<T>;
  /**
   * Runs with an assistant no one else uses meanwhile (the eval: its generation counts and rate
   * limits are its own, not the live server's); the same as `withAssistant` when run directly.
   */
  withOwnAssistant<T>(config: Config, run: (assistant: Assistant) => Promise<T>): Promise<T>;
  /** Runs with the migrated store only (accounts): no retrieval stack is loaded. */
  withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T>;
  /**
   * Delivers teachers' replies for the console user `userId` through `deliver` while the chat
   * runs (the outbox's `console` channel); resolves with the function that stops it.
   */
  relayConsole(assistant: Assistant, userId: string, deliver: ChannelSender['send']): Promise<() => Promise<void>>;
}

/** The process's own streams and directory. */
export function processIo(): CommandIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    async readSecret(prompt) {
      if (process.env.ZHIYIN_USER_PASSWORD !== undefined) return process.env.ZHIYIN_USER_PASSWORD;
      const { readSecret } = await import('./read-secret.ts');
      return readSecret(prompt, process.stdin, process.stderr);
    },
  };
}
