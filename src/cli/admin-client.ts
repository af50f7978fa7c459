import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { adminSocketPath, encodeFrame, readFrames, type ClientFrame, type ServerFrame } from '../server/admin-protocol.ts';

/**
 * Runs `args` inside the `zhiyin serve` that holds `dataDir`, over its admin socket, relaying this
 * process's stdin, stdout and stderr; resolves with the command's exit code. Resolves with null
 * when no server is listening (no socket, or one left by a server that was killed): the caller
 * then runs the command itself. A socket of another user is refused.
 *
 * @example const code = await runThroughServer('./data', ['kb', 'list']); if (code === null) runHere();
 */
export async function runThroughServer(dataDir: string, args: string[]): Promise<number | null> {
  const socketPath = adminSocketPath(dataDir);
  let found;
  try {
    found = lstatSync(socketPath);
  } catch {
    return null;
  }
  if (!found.isSocket()) return null;
  if (process.getuid && found.uid !== process.getuid()) {
    throw new Error(`${socketPath} 属于另一个用户（uid ${found.uid}），不连接 / ${socketPath} belongs to another user (uid ${found.uid}): not connecting`);
  }
  const socket = await connectTo(socketPath);
  if (!socket) return null;
  return relay(socket, args);
}

/** The connected socket, or null when nothing listens there (a stale socket). */
function connectTo(socketPath: string): Promise<Socket | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'ECONNREFUSED' || error.code === 'ENOENT') resolve(null);
      else reject(error);
    };
    socket.once('error', onError);
  });
}

function relay(socket: Socket, args: string[]): Promise<number> {
  const send = (frame: ClientFrame): void => void socket.write(encodeFrame(frame));
  return new Promise((resolve, reject) => {
    let exitCode: number | null = null;
    let readingStdin = false;
    const onStdin = (chunk: Buffer): void => send({ t: 'stdin', data: chunk.toString('base64') });
    const onStdinEnd = (): void => send({ t: 'stdin-end' });
    const stopStdin = (): void => {
      if (!readingStdin) return;
      process.stdin.off('data', onStdin).off('end', onStdinEnd);
      process.stdin.destroy();
    };
    socket.on('error', (error) => {
      stopStdin();
      reject(error);
    });
    socket.on('close', () => {
      stopStdin();
      if (exitCode !== null) resolve(exitCode);
      else reject(new Error('运行中的 zhiyin serve 断开了连接，命令可能没有做完 / the running zhiyin serve closed the connection; the command may not have finished'));
    });
    readFrames<ServerFrame>(socket, (frame) => {
      switch (frame.t) {
        case 'stdout':
          process.stdout.write(Buffer.from(frame.data, 'base64'));
          break;
        case 'stderr':
          process.stderr.write(Buffer.from(frame.data, 'base64'));
          break;
        case 'want-stdin':
          if (readingStdin) break;
          readingStdin = true;
          process.stdin.on('data', onStdin).on('end', onStdinEnd);
          break;
        case 'secret':
          void readSecretHere(frame.prompt).then(
            (text) => send({ t: 'secret', text }),
            () => socket.destroy(),
          );
          break;
        case 'exit':
          exitCode = frame.code;
          break;
      }
    });
    send({
      t: 'run',
      argv: args,
      cwd: process.cwd(),
      tty: { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
      columns: { ...(process.stdout.columns ? { stdout: process.stdout.columns } : {}), ...(process.stderr.columns ? { stderr: process.stderr.columns } : {}) },
    });
  });
}

/** A password is typed here, where the person is, and only then sent to the server. */
async function readSecretHere(prompt: string): Promise<string> {
  if (process.env.ZHIYIN_USER_PASSWORD !== undefined) return process.env.ZHIYIN_USER_PASSWORD;
  const { readSecret } = await import('./read-secret.ts');
  return readSecret(prompt, process.stdin, process.stderr);
}
