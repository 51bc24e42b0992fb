// A REAL stack for one test file: fresh database, private queue prefix, the Ollama simulator in-process, the built
// gateway / billing-worker / logger as child processes, and our own nginx in front. Build first (`npm run build`).
//
//   const stack = await startStack({ label: 'sdk' });
//   const { key } = await stack.createKey();
//   … drive stack.apiUrl with an SDK …
//   await stack.stop();
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { UsageEventsTable } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { type OllamaSim, type SimConfig, startOllamaSim } from '@ollama-gateway/ollama-sim';
import { Redis } from 'ioredis';
import type { Selectable } from 'kysely';
import { stringify } from 'yaml';
import { type RunningNginx, startNginx } from './nginx.js';
import { freePort, type ManagedProcess, spawnManaged, waitForHttpOk } from './processes.js';

const execFileAsync = promisify(execFile);

export const ROOT = resolve(import.meta.dirname, '../..');

const ENTRY_POINTS = {
  gateway: 'services/gateway/dist/main.js',
  'billing-worker': 'services/billing-worker/dist/main.js',
  logger: 'services/logger/dist/main.js',
  gatewayctl: 'packages/cli/dist/main.js',
  dashboard: 'services/dashboard/dist/server/main.js',
} as const;

export interface StackOptions {
  /** Short name for the database and temp dir (defaults to 'e2e'). */
  label?: string;
  /** Simulator settings (latency, token rate, models…). */
  sim?: Partial<SimConfig>;
  /**
   * Several simulators instead (one Ollama host each, in this order; `sim` is the first): the gateway's config file
   * lists them all. docs/routing.md.
   */
  sims?: Partial<SimConfig>[];
  /**
   * Sections of the gateway's config file (GATEWAY_CONFIG_FILE: aliases, modelOptions, queue, health, breaker…). By
   * default it lists one host per simulator (maxConcurrent 64) and checks their health every 10 minutes only (each
   * check is a request the simulator counts); give `hosts` or `health` to change that.
   */
  gatewayConfig?: Record<string, unknown>;
  /** Extra variables for every service (win over the defaults). */
  env?: Record<string, string>;
  /** Extra nginx template variables (MAX_BODY_SIZE, NGINX_KEY_RATE, …). */
  nginx?: Record<string, string>;
  /** How long to wait for every process to be ready. */
  readyTimeoutMs?: number;
  /**
   * How many gateway processes to start (default 1). They share the database, Redis and queue prefix; nginx balances
   * across all of them (GATEWAY_UPSTREAM lists every one). `gatewayUrl` is the first, `gatewayUrls` all of them.
   */
  gateways?: number;
  /** Also start the dashboard server (and its built SPA) on a free port: `dashboardUrl`. */
  dashboard?: boolean;
  /** The Postgres server for the fresh database (a private cluster a test restarts); default TEST_DATABASE_URL's. */
  databaseServerUrl?: string;
}

export interface CreatedKey {
  customerId: string;
  keyId: string;
  key: string;
}

type Db = TestDatabase['db'];
export type UsageRow = Selectable<UsageEventsTable>;

export interface Stack {
  /** The public entry point (nginx), e.g. http://127.0.0.1:40123 — OpenAI baseURL is apiUrl + '/v1'. */
  apiUrl: string;
  /** The gateway directly, bypassing nginx (the first one when there are several). */
  gatewayUrl: string;
  /** Every gateway process directly, in start order (one unless `gateways` was given). */
  gatewayUrls: string[];
  billingWorkerUrl: string;
  loggerUrl: string;
  /** The dashboard (only with `dashboard: true`), e.g. http://127.0.0.1:40125 — log in with env.ADMIN_TOKEN. */
  dashboardUrl: string;
  simUrl: string;
  sim: OllamaSim;
  /** Every simulator, in config order (one unless `sims` was given). */
  sims: OllamaSim[];
  /** The gateway's config file; rewrite it and send the gateways SIGHUP to reload. */
  gatewayConfigFile: string;
  db: Db;
  databaseUrl: string;
  /** The environment every service runs with (secrets, ports, URLs). */
  env: Record<string, string>;
  /** Temp directory holding logs, spool and the nginx prefix. */
  dir: string;
  processes: ManagedProcess[];
  nginx: RunningNginx;
  /** Runs the built gatewayctl with --json and the stack's env; resolves with the parsed JSON output. */
  gatewayctl<T = unknown>(args: readonly string[]): Promise<T>;
  /** A new customer and an API key for it. */
  createKey(options?: { name?: string; budget?: number }): Promise<CreatedKey>;
  /** Waits until usage_events holds at least `n` rows; resolves with all rows, oldest first. */
  waitForUsageRows(n: number, timeoutMs?: number): Promise<UsageRow[]>;
  /**
   * Starts a service process again (`gateway`, `billing-worker`, `logger`…) with the same environment and log file,
   * once the test has killed or stopped it; resolves when it is ready. It replaces the old one in `processes`.
   */
  restart(name: string): Promise<ManagedProcess>;
  /** Log tails of every process, for failure messages. */
  describe(): string;
  /** Stops every process and the simulator, drops the database, removes the temp dir. */
  stop(): Promise<void>;
}

/** Fails with a clear message when the stack has not been built. */
function requireBuilt(): void {
  const missing = Object.values(ENTRY_POINTS).filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0) {
    throw new Error(
      `Not built: ${missing.join(', ')} missing. Run \`npm run build\` (or \`make test\`) first.`,
    );
  }
}

/** Removes the queue keys a stack left behind (its prefix is random, so nothing else matches). */
async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  requireBuilt();
  const label = options.label ?? 'e2e';
  const dir = mkdtempSync(join(tmpdir(), `ogw-${label}-`));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  const processes: ManagedProcess[] = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`stack cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  };

  try {
    const database = await createTestDatabase(label, options.databaseServerUrl);
    cleanups.push(() => database.drop());
    const sims: OllamaSim[] = [];
    for (const config of options.sims ?? [options.sim ?? {}]) {
      const started = await startOllamaSim({ port: 0, ...config });
      sims.push(started);
      cleanups.push(() => started.close());
    }
    const sim = sims[0]!;
    const gatewayConfigFile = join(dir, 'gateway.yaml');
    writeFileSync(
      gatewayConfigFile,
      stringify({
        // An OLLAMA_URL(S) given in options.env (the benchmark's own simulator process) wins over the in-process ones.
        hosts: (
          options.env?.OLLAMA_URLS?.split(',') ??
          (options.env?.OLLAMA_URL ? [options.env.OLLAMA_URL] : sims.map((host) => host.url))
        ).map((url) => ({ url, maxConcurrent: 256 })),
        health: { intervalMs: 600_000 },
        ...options.gatewayConfig,
      }),
    );

    const [gatewayPort, billingPort, loggerPort, dashboardPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const extraGatewayPorts: number[] = [];
    for (let i = 1; i < (options.gateways ?? 1); i += 1) extraGatewayPorts.push(await freePort());
    const suffix = randomBytes(4).toString('hex');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? dir,
      NODE_ENV: 'test',
      ENV_FILE: 'none',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `ogw-test-${suffix}`,
      KEY_HASH_SECRET: `test-key-hash-secret-${suffix}`,
      INTERNAL_SECRET: `test-internal-secret-${suffix}`,
      ADMIN_TOKEN: `test-admin-token-${suffix}`,
      OLLAMA_URL: sim.url,
      GATEWAY_CONFIG_FILE: gatewayConfigFile,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(gatewayPort),
      BILLING_WORKER_HOST: '127.0.0.1',
      BILLING_WORKER_PORT: String(billingPort),
      LOGGER_HOST: '127.0.0.1',
      LOGGER_PORT: String(loggerPort),
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: String(dashboardPort),
      GATEWAY_ADMIN_URL: `http://127.0.0.1:${gatewayPort}`,
      SPOOL_DIR: join(dir, 'spool'),
      REQUEST_LOG_BODIES: 'true',
      ...options.env,
    };
    cleanups.push(() => deleteRedisKeys(env.REDIS_URL!, `${env.QUEUE_PREFIX}:*`));
    mkdirSync(env.SPOOL_DIR!, { recursive: true });
    mkdirSync(join(dir, 'logs'));

    const services = [
      { name: 'gateway', url: `http://127.0.0.1:${gatewayPort}` },
      { name: 'billing-worker', url: `http://127.0.0.1:${billingPort}` },
      { name: 'logger', url: `http://127.0.0.1:${loggerPort}` },
    ] as const;
    const extraGateways = extraGatewayPorts.map((port, i) => ({
      name: `gateway-${i + 2}`,
      entry: ENTRY_POINTS.gateway,
      url: `http://127.0.0.1:${port}`,
      env: { ...env, GATEWAY_PORT: String(port) },
    }));
    const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    const toStart = [
      ...services.map((service) => ({ ...service, entry: ENTRY_POINTS[service.name], env })),
      ...extraGateways,
      ...(options.dashboard
        ? [{ name: 'dashboard', entry: ENTRY_POINTS.dashboard, url: dashboardUrl, env }]
        : []),
    ];
    const spawnService = (service: (typeof toStart)[number]) => {
      const proc = spawnManaged(service.name, process.execPath, [join(ROOT, service.entry)], {
        env: service.env,
        cwd: ROOT,
        logFile: join(dir, 'logs', `${service.name}.log`),
      });
      cleanups.push(() => proc.stop());
      return proc;
    };
    for (const service of toStart) processes.push(spawnService(service));

    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    await Promise.all(
      toStart.map((service) =>
        waitForHttpOk(`${service.url}/ready`, {
          timeoutMs,
          watch: processes,
          what: `${service.name} /ready`,
        }),
      ),
    );

    const nginx = await startNginx({
      prefix: join(dir, 'nginx'),
      gatewayUpstream: [gatewayPort, ...extraGatewayPorts].map((port) => `127.0.0.1:${port}`).join(','),
      internalSecret: env.INTERNAL_SECRET!,
      vars: options.nginx,
    });
    processes.push(nginx.process);
    cleanups.push(() => nginx.stop());
    await waitForHttpOk(`${nginx.url}/ready`, {
      timeoutMs,
      watch: processes,
      what: 'nginx → gateway /ready',
    });

    const describe = () => processes.map((p) => p.describe()).join('\n');

    const gatewayctl = async <T>(args: readonly string[]): Promise<T> => {
      const argv = [join(ROOT, ENTRY_POINTS.gatewayctl), ...args, '--json'];
      let stdout: string;
      try {
        ({ stdout } = await execFileAsync(process.execPath, argv, { env, cwd: ROOT, timeout: 20_000 }));
      } catch (error) {
        const e = error as { stderr?: string; stdout?: string; message: string };
        throw new Error(`gatewayctl ${args.join(' ')} failed:\n${e.stderr || e.stdout || e.message}`);
      }
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`gatewayctl ${args.join(' ')} --json printed something that is not JSON:\n${stdout}`);
      }
    };

    let customers = 0;
    const stack: Stack = {
      apiUrl: nginx.url,
      gatewayUrl: services[0].url,
      gatewayUrls: [services[0].url, ...extraGateways.map((gateway) => gateway.url)],
      billingWorkerUrl: services[1].url,
      loggerUrl: services[2].url,
      dashboardUrl,
      simUrl: sim.url,
      sim,
      sims,
      gatewayConfigFile,
      db: database.db,
      databaseUrl: database.url,
      env,
      dir,
      processes,
      nginx,
      gatewayctl,
      async createKey(keyOptions = {}) {
        customers += 1;
        const name = keyOptions.name ?? `Customer ${customers} ${suffix}`;
        const customerArgs = ['create-customer', name, `customer${customers}-${suffix}@example.test`];
        if (keyOptions.budget !== undefined) customerArgs.push('--budget', String(keyOptions.budget));
        const customer = await gatewayctl<{ id: string }>(customerArgs);
        const key = await gatewayctl<{ id: string; key: string }>([
          'generate-key',
          customer.id,
          '--name',
          'e2e',
        ]);
        return { customerId: customer.id, keyId: key.id, key: key.key };
      },
      async waitForUsageRows(n, waitMs = 15_000) {
        const deadline = Date.now() + waitMs;
        for (;;) {
          const rows = await database.db.selectFrom('usage_events').selectAll().orderBy('id').execute();
          if (rows.length >= n) return rows;
          if (Date.now() > deadline) {
            throw new Error(
              `Timed out after ${waitMs} ms waiting for ${n} usage_events rows (have ${rows.length}).\n${describe()}`,
            );
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async restart(name) {
        const service = toStart.find((candidate) => candidate.name === name);
        const index = processes.findIndex((p) => p.name === name);
        if (!service || index < 0) throw new Error(`restart: no service ${name} in this stack`);
        if (!processes[index]!.exited)
          throw new Error(`restart: ${name} is still running; stop or kill it first`);
        const proc = spawnService(service);
        processes[index] = proc;
        await waitForHttpOk(`${service.url}/ready`, { timeoutMs, watch: [proc], what: `${name} /ready` });
        return proc;
      },
      describe,
      stop: runCleanups,
    };
    return stack;
  } catch (error) {
    const tails = processes.length > 0 ? `\n${processes.map((p) => p.describe()).join('\n')}` : '';
    await runCleanups();
    if (error instanceof Error && tails && !error.message.includes('--- ')) error.message += tails;
    throw error;
  }
}
