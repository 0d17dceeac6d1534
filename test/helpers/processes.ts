import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../dist/src/server.js', import.meta.url));

export interface Spawned {
  readonly process: ChildProcess;
  readonly url: string;
  readonly exit: Promise<number | null>;
  output(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `node dist/src/server.js` (as `npm start` does) with the environment given; resolves once it listens. */
export function spawnService(env: Record<string, string>): Promise<Spawned> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start: ${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1]!, exit, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}): ${output}`));
    });
  });
}

const which = (name: string): string | null => {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
};

export const REDIS_SERVER = which('redis-server');
const PG_ROOT = '/usr/lib/postgresql';
export const PG_BIN = existsSync(PG_ROOT)
  ? (readdirSync(PG_ROOT)
      .sort()
      .reverse()
      .map((v) => join(PG_ROOT, v, 'bin'))
      .find((dir) => existsSync(join(dir, 'initdb'))) ?? null)
  : null;
const isRoot = process.getuid?.() === 0;
export const servicesAvailable = REDIS_SERVER !== null && PG_BIN !== null && isRoot;
/** CI sets this: missing Redis or PostgreSQL then fails the run instead of skipping. */
export const servicesRequired = process.env.RT_BILLING_REQUIRE_SERVICES === '1';

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A throwaway redis-server on loopback (no persistence). */
export async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor(() => execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG', 'redis-server');
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

/** A throwaway PostgreSQL cluster on loopback, trust authentication, run as the postgres user. */
export async function startPostgres(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN!, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres'], {
    stdio: 'ignore',
  });
  const child = spawn(
    'runuser',
    ['-u', 'postgres', '--', join(PG_BIN!, 'postgres'), '-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
    { stdio: 'ignore', detached: true },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  await waitFor(async () => {
    const client = new pg.default.Client({ connectionString: url });
    await client.connect();
    await client.end();
    return true;
  }, 'postgres');
  return {
    url,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the whole group: runuser and postgres with its workers
      } catch {
        // already gone
      }
    },
  };
}
