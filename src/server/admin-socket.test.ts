/**
 * The admin socket on its own, with a stand-in command runner: frames in and out, stdin only when
 * asked, a password asked of the client, owner-only permissions, a stale socket replaced, and a
 * path that cannot be a socket refused (serve then runs without one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { runThroughServer } from '../cli/admin-client.ts';
import type { CommandIo } from '../cli/command-io.ts';
import { adminSocketPath, encodeFrame, type ClientFrame, type ServerFrame } from './admin-protocol.ts';
import { startAdminSocket } from './admin-socket.ts';

let scratch: string;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-admin-socket-'));
});
afterAll(async () => rm(scratch, { recursive: true, force: true }));

/** A stand-in for the CLI's commands: `echo` copies stdin to stdout, `secret` asks for a password, `fail` exits 3. */
async function standIn(argv: string[], io: CommandIo): Promise<number> {
  if (argv[0] === 'echo') {
    for await (const chunk of io.stdin) io.stdout.write(chunk as Buffer);
    io.stderr.write(`cwd ${io.cwd}\n`);
    return 0;
  }
  if (argv[0] === 'secret') {
    io.stdout.write(`got ${(await io.readSecret('password: ')).length} characters\n`);
    return 0;
  }
  io.stderr.write('zhiyin: no such thing\n');
  return 3;
}

/** Runs one command through the socket as the CLI does; resolves with what came back. */
function client(socketPath: string, argv: string[], stdin: string, secret = ''): Promise<{ frames: ServerFrame['t'][]; stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const send = (frame: ClientFrame): void => void socket.write(encodeFrame(frame));
    const seen: ServerFrame['t'][] = [];
    let stdout = '';
    let stderr = '';
    let code: number | null = null;
    socket.on('error', reject);
    createInterface({ input: socket }).on('line', (line) => {
      const frame = JSON.parse(line) as ServerFrame;
      seen.push(frame.t);
      if (frame.t === 'stdout') stdout += Buffer.from(frame.data, 'base64').toString('utf8');
      if (frame.t === 'stderr') stderr += Buffer.from(frame.data, 'base64').toString('utf8');
      if (frame.t === 'want-stdin') {
        send({ t: 'stdin', data: Buffer.from(stdin).toString('base64') });
        send({ t: 'stdin-end' });
      }
      if (frame.t === 'secret') send({ t: 'secret', text: secret });
      if (frame.t === 'exit') code = frame.code;
    });
    socket.on('close', () => resolve({ frames: seen, stdout, stderr, code }));
    send({ t: 'run', argv, cwd: '/somewhere/else', tty: { stdin: false, stdout: false, stderr: false }, columns: {} });
  });
}

describe('the admin socket', () => {
  it('runs a command with the client\'s stdin, stdout, stderr, directory and exit code, in a place only its user reaches', async () => {
    const dataDir = path.join(scratch, 'one');
    const admin = await startAdminSocket({ dataDir, run: standIn, log });
    try {
      expect(admin.path).toBe(adminSocketPath(dataDir));
      expect(statSync(admin.path).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(admin.path)).mode & 0o777).toBe(0o700);

      const echoed = await client(admin.path, ['echo'], '实习押金\n第二行\n');
      expect(echoed).toMatchObject({ stdout: '实习押金\n第二行\n', stderr: 'cwd /somewhere/else\n', code: 0 });
      expect(echoed.frames.at(-1)).toBe('exit');

      // a command that never reads stdin never asks for it
      const failed = await client(admin.path, ['fail'], 'not wanted');
      expect(failed).toMatchObject({ stdout: '', stderr: 'zhiyin: no such thing\n', code: 3 });
      expect(failed.frames).not.toContain('want-stdin');

      const secret = await client(admin.path, ['secret'], '', 'correct horse battery');
      expect(secret).toMatchObject({ stdout: 'got 21 characters\n', code: 0 });
      expect(secret.frames).toContain('secret');
    } finally {
      await admin.stop();
    }
    expect(() => statSync(adminSocketPath(dataDir))).toThrow();
  });

  it('replaces a socket a killed server left behind', async () => {
    const dataDir = path.join(scratch, 'stale');
    const socketPath = adminSocketPath(dataDir);
    mkdirSync(path.dirname(socketPath), { recursive: true });
    // a process listening there, killed with SIGKILL: its socket file stays, nobody listens
    const old = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`]);
    await new Promise((resolve) => old.stdout.once('data', resolve));
    old.kill('SIGKILL');
    await new Promise((resolve) => old.once('exit', resolve));
    expect(statSync(socketPath).isSocket()).toBe(true);
    // the CLI takes it for no server, and runs the command itself
    expect(await runThroughServer(dataDir, ['users', 'list'])).toBeNull();

    const admin = await startAdminSocket({ dataDir, run: standIn, log });
    try {
      expect((await client(admin.path, ['echo'], 'ok\n')).stdout).toBe('ok\n');
    } finally {
      await admin.stop();
    }
  });

  it('refuses to remove a file that is not a socket, and a path too long for one', async () => {
    const dataDir = path.join(scratch, 'file');
    mkdirSync(path.join(dataDir, 'run'), { recursive: true });
    writeFileSync(adminSocketPath(dataDir), 'not a socket');
    await expect(startAdminSocket({ dataDir, run: standIn, log })).rejects.toThrow('is not a socket');

    await expect(startAdminSocket({ dataDir: path.join(scratch, 'x'.repeat(120)), run: standIn, log })).rejects.toThrow();
  });
});
