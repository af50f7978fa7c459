import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { CommandIo } from '../cli/command-io.ts';
import { adminSocketPath, encodeFrame, readFrames, type ClientFrame, type ServerFrame } from './admin-protocol.ts';

export interface AdminSocketOptions {
  /** The data directory `serve` holds; the socket is `<dataDir>/run/admin.sock`. */
  dataDir: string;
  /** Runs one command line with the client's relayed streams; resolves with its exit code. */
  run: (argv: string[], io: CommandIo) => Promise<number>;
  log: Logger;
}

/** Commands whose second word names what they do (`kb ingest`); the others' arguments are the student's words and stay out of the log. */
const withSubcommand = new Set(['kb', 'users']);

/**
 * `serve`'s admin socket: a Unix domain socket in the data directory, in a directory only this
 * user may enter (0700) and itself 0600, so that only the server's own user reaches it. Each
 * connection runs one command line inside the server (`run`) with the client's stdin, stdout and
 * stderr relayed byte for byte, and ends with its exit code. A socket left by a server that was
 * killed is removed first (the data directory's lock, held by now, says no live server owns it).
 *
 * @example const admin = await startAdminSocket({ dataDir, run, log }); … await admin.stop();
 */
export async function startAdminSocket(options: AdminSocketOptions): Promise<{ path: string; stop(): Promise<void> }> {
  const socketPath = adminSocketPath(options.dataDir);
  const dir = path.dirname(socketPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner = lstatSync(dir);
  if (!owner.isDirectory() || (process.getuid && owner.uid !== process.getuid())) {
    throw new Error(`${dir} 不是当前用户的目录，不在这里开管理套接字 / ${dir} is not a directory of this user: no admin socket there`);
  }
  chmodSync(dir, 0o700);
  removeStaleSocket(socketPath);

  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  options.log.info({ socket: socketPath }, 'admin socket listening');

  return {
    path: socketPath,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of connections) socket.destroy();
      await closed;
      removeStaleSocket(socketPath);
    },
  };
}

function removeStaleSocket(socketPath: string): void {
  let found;
  try {
    found = lstatSync(socketPath);
  } catch {
    return;
  }
  if (!found.isSocket()) throw new Error(`${socketPath} 不是套接字，不删除 / ${socketPath} is not a socket: left alone`);
  rmSync(socketPath, { force: true });
}

function serveConnection(socket: Socket, options: AdminSocketOptions): void {
  let closed = false;
  let stdin: Readable | null = null;
  const secrets: { resolve: (text: string) => void; reject: (error: Error) => void }[] = [];
  const send = (frame: ServerFrame): void => {
    if (!closed) socket.write(encodeFrame(frame));
  };
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    // the client went away: a command reading stdin sees its end, one waiting for a password fails
    if (stdin && !stdin.readableEnded) stdin.push(null);
    for (const secret of secrets.splice(0)) secret.reject(new Error('the client closed the connection'));
  });

  readFrames<ClientFrame>(socket, (frame) => {
    if (frame.t === 'run') {
      if (stdin) return;
      let wanted = false;
      stdin = new Readable({
        read() {
          if (wanted) return;
          wanted = true;
          send({ t: 'want-stdin' });
        },
      });
      void run(frame, stdin);
    } else if (frame.t === 'stdin') stdin?.push(Buffer.from(frame.data, 'base64'));
    else if (frame.t === 'stdin-end') stdin?.push(null);
    else if (frame.t === 'secret') secrets.shift()?.resolve(frame.text);
  });

  const output = (t: 'stdout' | 'stderr', isTTY: boolean, columns: number | undefined): CommandIo['stdout'] =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          send({ t, data: chunk.toString('base64') });
          done();
        },
      }),
      { isTTY, ...(columns ? { columns } : {}) },
    );

  const run = async (frame: Extract<ClientFrame, { t: 'run' }>, input: Readable): Promise<void> => {
    const started = performance.now();
    const command = frame.argv.slice(0, withSubcommand.has(frame.argv[0] ?? '') ? 2 : 1).join(' ');
    const io: CommandIo = {
      stdin: Object.assign(input, { isTTY: frame.tty.stdin }),
      stdout: output('stdout', frame.tty.stdout, frame.columns.stdout),
      stderr: output('stderr', frame.tty.stderr, frame.columns.stderr),
      cwd: path.resolve(frame.cwd),
      readSecret: (prompt) =>
        new Promise((resolve, reject) => {
          if (closed) return reject(new Error('the client closed the connection'));
          secrets.push({ resolve, reject });
          send({ t: 'secret', prompt });
        }),
    };
    let code: number;
    try {
      code = await options.run(frame.argv, io);
    } catch (error) {
      io.stderr.write(`zhiyin: ${(error as Error).message}\n`);
      code = 1;
    }
    // the command's last writes are on the socket before the exit code
    await new Promise((resolve) => setImmediate(resolve));
    send({ t: 'exit', code });
    socket.end();
    options.log.info({ command, code, ms: Math.round(performance.now() - started) }, 'admin command');
  };
}
