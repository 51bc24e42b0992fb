// The dashboard server (services/dashboard/dist/server/main.js) as a child process against the benchmark database,
// logged in once; `get` times one API call end to end over HTTP (keep-alive, as a browser would).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type ManagedProcess, spawnManaged, waitForHttpOk } from '../test/support/processes.js';
import { ROOT } from '../test/support/stack.js';

export const DASHBOARD_MAIN = join(ROOT, 'services/dashboard/dist/server/main.js');

export interface DashboardServer {
  url: string;
  process: ManagedProcess;
  /** GET an API path with the session cookie; resolves with the time it took (ms) and the parsed body. */
  get(path: string): Promise<{ ms: number; body: unknown }>;
  stop(): Promise<void>;
}

export async function startDashboard(databaseUrl: string, logDir: string): Promise<DashboardServer> {
  if (!existsSync(DASHBOARD_MAIN))
    throw new Error(`${DASHBOARD_MAIN} is missing: build the dashboard first (npm run build).`);
  mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const adminToken = randomBytes(24).toString('hex');
  const proc = spawnManaged('dashboard', process.execPath, [DASHBOARD_MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ENV_FILE: 'none',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: String(port),
      ADMIN_TOKEN: adminToken,
      // Nothing is forwarded to a gateway in this benchmark (read-only panels).
      GATEWAY_ADMIN_URL: 'http://127.0.0.1:9',
      BILLING_TIME_ZONE: 'UTC',
    },
    logFile: join(logDir, 'dashboard-server.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttpOk(`${url}/health`, { timeoutMs: 20_000, watch: [proc], what: 'dashboard /health' });
  } catch (error) {
    await proc.stop();
    throw error;
  }
  const login = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret: adminToken }),
  });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (!login.ok || !cookie) {
    await proc.stop();
    throw new Error(`dashboard login failed: ${login.status} ${await login.text()}`);
  }
  return {
    url,
    process: proc,
    async get(path) {
      const started = performance.now();
      const res = await fetch(`${url}${path}`, { headers: { cookie } });
      const text = await res.text();
      const ms = performance.now() - started;
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
      return { ms, body: JSON.parse(text) as unknown };
    },
    stop: () => proc.stop(),
  };
}
