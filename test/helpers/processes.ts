import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

const readOr = (path: string, fallback = ''): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
};

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
};

/** A server the tests can kill, restart (same port, same data), pause (SIGSTOP: it hangs, connections stay open) and resume. */
export interface ServerUnderTest {
  readonly url: string;
  /** SIGKILL: gone at once, connections reset, nothing flushed. */
  stop(): void;
  /** Starts it again on the same port (and, for PostgreSQL, the same data); resolves once it answers. */
  restart(): Promise<void>;
  /** SIGSTOP: the port still accepts connections, nothing is answered. */
  pause(): void;
  resume(): void;
}

/**
 * A throwaway redis-server on loopback. No persistence: a restart loses every key, unless the test asked for a
 * snapshot (`cli('SAVE')`), which the restart then loads.
 */
export async function startRedis(): Promise<ServerUnderTest & { cli(...args: string[]): string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-redis-'));
  const cli = (...args: string[]) =>
    execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: 'ignore',
    });
    await waitFor(() => cli('ping') === 'PONG', 'redis-server');
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    cli,
    stop: () => child.kill('SIGKILL'),
    restart: launch,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
  };
}

/** A throwaway PostgreSQL cluster on loopback, trust authentication, run as the postgres user. */
export async function startPostgres(): Promise<ServerUnderTest> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rt-billing-pg-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  chownSync(dir, uid, gid);
  execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN!, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres'], {
    stdio: 'ignore',
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  const pidFile = join(dir, 'data', 'postmaster.pid');
  const postmaster = (): number | null => Number(readOr(pidFile).split('\n')[0]) || null;
  let child: ChildProcess;
  /**
   * Every process of the cluster: runuser and the postmaster (their group), and the postmaster's children (the
   * backends serving connections, the checkpointer...), which each run in a session of their own.
   */
  const signal = (name: NodeJS.Signals) => {
    const pid = postmaster();
    for (const target of [-child.pid!, ...(pid ? childrenOf(pid) : [])]) {
      try {
        process.kill(target, name);
      } catch {
        // already gone
      }
    }
  };
  const launch = async () => {
    // A postmaster killed a moment ago can still be a zombie waiting for init to reap it: postgres would take it
    // for a live server holding the data directory and the socket.
    const pid = postmaster();
    if (pid && /^\d+ \(.*\) Z/.test(readOr(`/proc/${pid}/stat`)))
      for (const lock of [pidFile, join(dir, `.s.PGSQL.${port}.lock`)]) rmSync(lock, { force: true });
    const log = openSync(join(dir, 'postgres.log'), 'a');
    child = spawn(
      'runuser',
      ['-u', 'postgres', '--', join(PG_BIN!, 'postgres'), '-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      { stdio: ['ignore', log, log], detached: true },
    );
    closeSync(log);
    await waitFor(async () => {
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      await client.end();
      return true;
    }, 'postgres');
  };
  await launch();
  return {
    url,
    stop: () => signal('SIGKILL'),
    restart: launch,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}
