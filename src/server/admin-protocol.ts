import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Socket } from 'node:net';

/**
 * The admin socket's frames, one JSON object per line. A client sends `run` first, then its
 * stdin when asked (`want-stdin`: only commands that read it get it) and the answer to a `secret`
 * question; the server sends the command's stdout and stderr bytes and, last, its exit code.
 */
export type ClientFrame =
  | {
      t: 'run';
      argv: string[];
      /** The client's working directory: relative paths in the command are read from it. */
      cwd: string;
      tty: { stdin: boolean; stdout: boolean; stderr: boolean };
      columns: { stdout?: number; stderr?: number };
    }
  | { t: 'stdin'; data: string }
  | { t: 'stdin-end' }
  | { t: 'secret'; text: string };

export type ServerFrame =
  | { t: 'stdout' | 'stderr'; data: string }
  | { t: 'want-stdin' }
  | { t: 'secret'; prompt: string }
  | { t: 'exit'; code: number };

/** Where `serve` listens for commands: `<dataDir>/run/admin.sock`, in a directory only its owner may enter. */
export function adminSocketPath(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'run', 'admin.sock');
}

/** One frame as a line (byte payloads are base64 inside). */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return `${JSON.stringify(frame)}\n`;
}

/** Calls `onFrame` for each frame read from `socket`; a line that is not JSON ends the connection. */
export function readFrames<T>(socket: Socket, onFrame: (frame: T) => void): void {
  const lines = createInterface({ input: socket, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line === '') return;
    let frame: T;
    try {
      frame = JSON.parse(line) as T;
    } catch {
      socket.destroy();
      return;
    }
    onFrame(frame);
  });
}
