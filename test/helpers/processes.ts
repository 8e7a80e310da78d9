import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'bin/openfapiao.js');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An access token of the API app `app` from the server at `baseUrl` (POST /api/v1/auth/token over HTTP). */
export async function fetchToken(baseUrl: string, app: { appId: string; appSecret: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appId: app.appId, appSecret: app.appSecret }),
  });
  if (res.status !== 200)
    throw new Error(`POST ${baseUrl}/api/v1/auth/token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with the given environment (plus PATH/HOME). */
export function runCli(args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Served {
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `openfapiao serve` and resolves once `marker` appears on stdout. `umask` (octal, e.g. '022') starts it
 * through `sh -c 'umask …; exec node …'`, as an operator's shell would.
 */
export function startServer(
  args: string[],
  env: Record<string, string>,
  marker = 'OpenFapiao is running',
  options: { umask?: string } = {},
): Promise<Served> {
  return new Promise((resolve, reject) => {
    const command = [CLI, 'serve', ...args];
    // No load balancer to wait for after SIGTERM unless a test asks for one (SHUTDOWN_DRAIN_DELAY_MS).
    const spawnOptions = {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SHUTDOWN_DRAIN_DELAY_MS: '0', ...env },
    };
    const child = options.umask
      ? spawn('/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, ...command], spawnOptions)
      : spawn(process.execPath, command, spawnOptions);
    let out = '';
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes(marker)) {
        clearTimeout(timer);
        resolve({
          child,
          output: () => out,
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}
