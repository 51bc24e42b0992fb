// A private redis-server for tests that stop or restart Redis: its own port and data directory, the same persistence
// as docker-compose (appendonly yes), never the system instance. `stop()` is a clean shutdown (SIGTERM: Redis writes
// its append-only file and exits), `start()` brings it back on the same port with the same data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, type ManagedProcess, spawnManaged, waitUntil } from '../../support/processes.js';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Whether it runs now. */
  readonly running: boolean;
  /** Clean shutdown (SIGTERM, the append-only file is flushed); resolves when the process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its data directory. */
  destroy(): Promise<void>;
  describe(): string;
}

async function pong(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export async function startPrivateRedis(label = 'faults'): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), `ogw-redis-${label}-`));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ManagedProcess | null = null;
  let starts = 0;

  const start = async () => {
    if (proc && !proc.exited) return;
    starts += 1;
    proc = spawnManaged(
      'redis',
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--save',
        '',
        '--logfile',
        '',
      ],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, logFile: join(dir, `redis-${starts}.log`) },
    );
    const started = proc;
    await waitUntil(() => pong(url), { timeoutMs: 15_000, watch: [started], what: `redis on ${port}` });
  };

  await start();
  return {
    url,
    port,
    get running() {
      return proc !== null && !proc.exited;
    },
    async stop() {
      await proc?.stop(10_000);
    },
    start,
    async destroy() {
      await proc?.stop(2_000);
      rmSync(dir, { recursive: true, force: true });
    },
    describe: () => proc?.describe() ?? '(redis never started)',
  };
}
