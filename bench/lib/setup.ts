// Starts the real stack for a benchmark: the simulator as its own process (so the load generator never shares an
// event loop with the upstream), then test/support's startStack (fresh database, private queue prefix, gateway,
// billing worker and logger from dist, our own nginx) pointed at it, with full accounting on and a key that goes
// through every gate: per-key RPM/TPM/concurrency limits, a plan quota, a budget reservation, usage and request-log
// events. nginx's per-key/per-IP flood guard stays in the config but is raised so the load itself is not refused.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import {
  freePort,
  type ManagedProcess,
  spawnManaged,
  waitForHttpOk,
  waitUntil,
} from '../../test/support/processes.js';
import { ROOT, type Stack, startStack } from '../../test/support/stack.js';
import { childPids } from './proc.js';

export interface BenchStack {
  stack: Stack;
  sim: ManagedProcess;
  simUrl: string;
  key: string;
  customerId: string;
  keyId: string;
  gatewayPid(): number;
  nginxWorkerPids(): number[];
  /**
   * Every process of the stack by role, for a CPU breakdown: gateway, nginx workers, billing worker, logger,
   * simulator, redis-server (unless BENCH_REDIS_URL) and the Postgres backends serving the bench database.
   */
  pidsByRole(): Promise<Record<string, number[]>>;
  /** Replaces the gateway process (same port, same env) with one started with extra node flags, e.g. --cpu-prof. */
  restartGateway(nodeFlags: string[]): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

export const SIM_DEFAULTS = { replyTokens: 32, tokensPerSecond: 0, ttftMs: 0 };

export async function setSimConfig(simUrl: string, config: Record<string, number>): Promise<void> {
  const res = await fetch(`${simUrl}/_sim/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`sim config ${JSON.stringify(config)}: ${res.status} ${await res.text()}`);
}

/** A private redis-server (no persistence) so the counts are ours alone and other work's keys cannot interfere. */
async function startRedis(dir: string): Promise<{ url: string; proc: ManagedProcess }> {
  const port = await freePort();
  const proc = spawnManaged(
    'redis',
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    { env: { PATH: process.env.PATH ?? '' }, logFile: join(dir, 'redis.log') },
  );
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {}); // refused until redis-server listens: waitUntil retries
  try {
    await waitUntil(
      async () => {
        if (redis.status !== 'ready') await redis.connect().catch(() => undefined);
        return (await redis.ping()) === 'PONG';
      },
      { timeoutMs: 10_000, watch: [proc], what: 'redis-server' },
    );
  } catch (error) {
    await proc.stop();
    throw error;
  } finally {
    redis.disconnect();
  }
  return { url, proc };
}

export async function startBenchStack(): Promise<BenchStack> {
  const simPort = await freePort();
  const simDir = join(ROOT, 'bench', 'results');
  mkdirSync(simDir, { recursive: true });
  const redis = process.env.BENCH_REDIS_URL ? undefined : await startRedis(simDir);
  const redisUrl = process.env.BENCH_REDIS_URL ?? redis!.url;
  const sim = spawnManaged(
    'ollama-sim',
    process.execPath,
    [
      join(ROOT, 'tools/ollama-sim/dist/main.js'),
      '--port',
      String(simPort),
      '--reply-tokens',
      String(SIM_DEFAULTS.replyTokens),
    ],
    { env: { PATH: process.env.PATH ?? '' }, logFile: join(simDir, 'ollama-sim.log') },
  );
  const simUrl = `http://127.0.0.1:${simPort}`;
  try {
    await waitForHttpOk(`${simUrl}/api/version`, { timeoutMs: 15_000, watch: [sim], what: 'ollama-sim' });
  } catch (error) {
    await sim.stop();
    await redis?.proc.stop();
    throw error;
  }

  let stack: Stack;
  try {
    stack = await startStack({
      label: 'bench',
      env: {
        OLLAMA_URL: simUrl,
        REDIS_URL: redisUrl,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        REQUEST_LOG_BODIES: 'true',
      },
      nginx: {
        NGINX_KEY_RATE: '1000000r/s',
        NGINX_KEY_BURST: '100000',
        NGINX_IP_RATE: '1000000r/s',
        NGINX_IP_BURST: '100000',
      },
    });
  } catch (error) {
    await sim.stop();
    await redis?.proc.stop();
    throw error;
  }

  try {
    await stack.gatewayctl(['set-price', '*', '--input-per-1m', '0.10', '--output-per-1m', '0.40']);
    const customer = await stack.gatewayctl<{ id: string }>([
      'create-customer',
      'Bench',
      'bench@example.test',
      '--budget',
      '1000000',
      '--plan',
      'Business',
    ]);
    const created = await stack.gatewayctl<{ id: string; key: string }>([
      'generate-key',
      customer.id,
      '--name',
      'bench',
      '--rpm',
      '10000000',
      '--tpm',
      '1000000000',
      '--concurrency',
      '10000',
    ]);
    const processes = stack.processes;
    let gateway = processes.find((p) => p.name === 'gateway')!;
    const nginx = processes.find((p) => p.name === 'nginx')!;
    return {
      stack,
      sim,
      simUrl,
      key: created.key,
      keyId: created.id,
      customerId: customer.id,
      gatewayPid: () => gateway.child.pid!,
      nginxWorkerPids: () => childPids(nginx.child.pid!),
      async pidsByRole() {
        const pidOf = (name: string) =>
          stack.processes.filter((p) => p.name === name).map((p) => p.child.pid!);
        const backends = await sql<{
          pid: number;
        }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(stack.db);
        return {
          gateway: [gateway.child.pid!],
          'nginx workers': childPids(nginx.child.pid!),
          'billing-worker': pidOf('billing-worker'),
          logger: pidOf('logger'),
          'ollama-sim': [sim.child.pid!],
          ...(redis ? { 'redis-server': [redis.proc.child.pid!] } : {}),
          'postgres backends': backends.rows.map((row) => row.pid),
        };
      },
      async restartGateway(nodeFlags) {
        await gateway.stop();
        const next = spawnManaged(
          'gateway',
          process.execPath,
          [...nodeFlags, join(ROOT, 'services/gateway/dist/main.js')],
          { env: stack.env, cwd: ROOT, logFile: join(stack.dir, 'logs', 'gateway-restarted.log') },
        );
        await waitForHttpOk(`${stack.gatewayUrl}/ready`, {
          timeoutMs: 30_000,
          watch: [next],
          what: 'gateway',
        });
        gateway = next;
        return next;
      },
      async stop() {
        await gateway.stop();
        await stack.stop();
        await sim.stop();
        await redis?.proc.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    await sim.stop();
    await redis?.proc.stop();
    throw error;
  }
}
