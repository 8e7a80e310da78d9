import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Loopback only: every server under test listens here and autocannon targets only this host. */
export const HOST = '127.0.0.1';

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 8_000;

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerProcess<Info> {
  readonly name: string;
  readonly child: ChildProcess;
  /** The JSON line the server printed once listening. */
  readonly info: Info;
  readonly baseUrl: string;
  /** Recent stdout/stderr, for error reports. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (synchronous: safe in an 'exit' handler). */
export function killAllNow(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

/**
 * Spawns `node --import tsx <script>` with exactly `env` (plus PATH/HOME) and resolves with the first stdout line
 * that parses as a JSON object holding a numeric `port`. The child's stdin is a pipe: when this process dies, the
 * pipe closes and the server exits on its own.
 */
export function startServer<Info extends { port: number }>(
  name: string,
  script: string,
  env: Record<string, string>,
): Promise<ServerProcess<Info>> {
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers under test (docs/benchmarks.md).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let pending = '';
  const append = (chunk: string) => {
    out = (out + chunk).slice(-OUTPUT_TAIL_CHARS);
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name}: ${message}\n--- output ---\n${out}`));
    };
    const timer = setTimeout(() => fail(`not listening after ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`could not start: ${err.message}`));
    void exited.then(() => fail(`exited early (code ${child.exitCode}, signal ${child.signalCode})`));
    child.stderr?.setEncoding('utf8').on('data', append);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      append(chunk);
      if (settled) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const info = parseInfo<Info>(line);
        if (!info) continue;
        settled = true;
        clearTimeout(timer);
        resolve({
          name,
          child,
          info,
          baseUrl: `http://${HOST}:${info.port}`,
          output: () => out,
          exited: () => child.exitCode !== null || child.signalCode !== null,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
            await exited;
            clearTimeout(kill);
          },
        });
        return;
      }
    });
  });
}

function parseInfo<Info>(line: string): Info | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    const value = JSON.parse(trimmed) as unknown;
    const v = value as { ready?: unknown; port?: unknown } | null;
    if (v && typeof v === 'object' && v.ready === true && typeof v.port === 'number') return value as Info;
  } catch {
    // a log line, not the ready line
  }
  return null;
}
