import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '@ollama-gateway/db';
import { createLogger } from '@ollama-gateway/runtime';
import { type AppDeps, createApp } from '../app.js';
import { createLoginGuard, type LoginGuard } from '../auth/login-guard.js';
import { createSessionService } from '../auth/session.service.js';
import type { GatewayAdminClient } from '../clients/gateway-admin.client.js';

/** Test-only: the dashboard app on a free loopback port, and a small HTTP client that keeps the session cookie. */

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_PASSWORD = 'test-dashboard-password';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body (undefined when not JSON). */
  body: unknown;
}

export interface Dashboard {
  url: string;
  port: number;
  server: Server;
  /** A raw request (full control of headers). */
  fetch(
    method: string,
    path: string,
    options?: { headers?: Record<string, string>; body?: unknown },
  ): Promise<HttpAnswer>;
  /** A logged-in client: sends the cookie, the CSRF token on mutations and a same-origin Origin. */
  login(): Promise<DashboardClient>;
  close(): Promise<void>;
}

export interface DashboardClient {
  cookie: string;
  csrfToken: string;
  get(path: string): Promise<HttpAnswer>;
  send(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
}

export async function startDashboard(
  options: Partial<AppDeps> & { db: Db; now?: () => Date; loginGuard?: LoginGuard },
): Promise<Dashboard> {
  const app = createApp({
    logger: createLogger('dashboard-test', 'silent'),
    sessions: createSessionService({ secret: Buffer.from('test-session-secret-0123456789') }),
    loginGuard: options.loginGuard ?? createLoginGuard(),
    secrets: { adminToken: TEST_ADMIN_TOKEN, password: TEST_PASSWORD },
    cookieSecure: false,
    gatewayAdmin: null as GatewayAdminClient | null,
    currency: 'USD',
    timeZone: 'UTC',
    billingTimeZone: 'UTC',
    electricityDefaults: { gpuWatts: 350, pricePerKwh: 0.15 },
    version: '0.0.0-test',
    staticDir: '/nonexistent-dashboard-static-dir',
    ...options,
  });
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const doFetch: Dashboard['fetch'] = (method, path, init = {}) =>
    new Promise((resolve, reject) => {
      const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: {
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
              : {}),
            ...init.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  return {
    url,
    port,
    server,
    fetch: doFetch,
    async login() {
      const answer = await doFetch('POST', '/api/session', { body: { secret: TEST_PASSWORD } });
      if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
      const setCookie = answer.headers['set-cookie'];
      const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie)?.split(';')[0] ?? '';
      const csrfToken = (answer.body as { csrfToken: string }).csrfToken;
      return {
        cookie,
        csrfToken,
        get: (path) => doFetch('GET', path, { headers: { cookie } }),
        send: (method, path, body, headers = {}) =>
          doFetch(method, path, {
            body,
            headers: { cookie, 'x-csrf-token': csrfToken, origin: url, ...headers },
          }),
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
