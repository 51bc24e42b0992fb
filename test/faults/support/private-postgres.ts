// A private Postgres cluster for tests that restart Postgres: initdb into a temp dir (as the `postgres` user: initdb
// refuses to run as root), its own port and socket dir, never the system instance. `stop()` is a fast shutdown
// (SIGINT: what `docker stop` sends the official image: clients are cut, open transactions roll back).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, type ManagedProcess, spawnManaged, waitUntil } from '../../support/processes.js';

const BIN_DIRS = ['/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/17/bin'];

export interface PrivatePostgres {
  /** Server URL (database `postgres`), e.g. for createTestDatabase(label, url). */
  url: string;
  port: number;
  readonly running: boolean;
  /** Fast shutdown; resolves when the server is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts queries. */
  start(): Promise<void>;
  destroy(): Promise<void>;
  describe(): string;
}

/** Where initdb and postgres live, or null (the test skips). */
export function postgresBinDir(): string | null {
  return BIN_DIRS.find((dir) => existsSync(join(dir, 'initdb'))) ?? null;
}

function userIds(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** argv that runs `command` as `user` when we are root (setpriv execs, so signals reach the server itself). */
function asUser(user: string | null, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args];
  return ['setpriv', ['--reuid', user, '--regid', user, '--init-groups', '--', command, ...args]];
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPrivatePostgres(label = 'faults'): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('Postgres server binaries not found (looked in /usr/lib/postgresql/*/bin).');
  const root = mkdtempSync(join(tmpdir(), `ogw-pg-${label}-`));
  const data = join(root, 'data');
  const user = process.getuid?.() === 0 ? 'postgres' : null;
  if (user) {
    const { uid, gid } = userIds(user);
    chownSync(root, uid, gid);
  }
  const [initCmd, initArgs] = asUser(user, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let proc: ManagedProcess | null = null;
  let starts = 0;

  const start = async () => {
    if (proc && !proc.exited) return;
    starts += 1;
    const [cmd, args] = asUser(user, join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      root,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'shared_buffers=32MB',
      '-c',
      'max_connections=60',
    ]);
    proc = spawnManaged('postgres', cmd, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      logFile: join(root, `postgres-${starts}.log`),
    });
    const started = proc;
    await waitUntil(() => accepts(url), { timeoutMs: 20_000, watch: [started], what: `postgres on ${port}` });
  };

  const stop = async () => {
    const current = proc;
    if (!current || current.exited) return;
    const gone = new Promise<void>((resolve) => current.child.once('exit', () => resolve()));
    current.child.kill('SIGINT');
    const timer = setTimeout(() => current.child.kill('SIGQUIT'), 10_000);
    await gone;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    port,
    get running() {
      return proc !== null && !proc.exited;
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
    describe: () => proc?.describe() ?? '(postgres never started)',
  };
}
