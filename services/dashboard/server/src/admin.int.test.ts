import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createdKeySchema, sessionSchema } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGatewayAdminClient } from './clients/gateway-admin.client.js';
import { createAdminService } from './services/admin.service.js';
import {
  type Dashboard,
  type DashboardClient,
  startDashboard,
  TEST_ADMIN_TOKEN,
} from './testing/dashboard-harness.js';

const CUSTOMER = '11111111-1111-4111-8111-111111111111';
const KEY = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaa1';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** A tiny stand-in for the gateway's admin API: records each call and answers from `reply`. */
let seen: Seen[] = [];
let reply: (call: Seen) => { status: number; body?: unknown; delayMs?: number } = () => ({
  status: 200,
  body: {},
});
let gateway: Server;
let gatewayUrl: string;

let database: TestDatabase;
let dashboard: Dashboard;
let client: DashboardClient;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

beforeAll(async () => {
  gateway = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const call: Seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body: await readBody(req),
    };
    if (call.url !== '/admin/plans' || call.method !== 'GET') seen.push(call);
    const answer =
      call.url === '/admin/plans' && call.method === 'GET' ? { status: 200, body: {} } : reply(call);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  }).listen(0, '127.0.0.1');
  await once(gateway, 'listening');
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  database = await createTestDatabase('dashadmin');
  dashboard = await startDashboard({
    db: database.db,
    gatewayAdmin: createGatewayAdminClient({ baseUrl: gatewayUrl, token: TEST_ADMIN_TOKEN, timeoutMs: 500 }),
  });
  client = await dashboard.login();
});

afterAll(async () => {
  await dashboard?.close();
  gateway?.closeAllConnections();
  await new Promise((resolve) => gateway?.close(resolve));
  await database?.drop();
});

beforeEach(() => {
  seen = [];
  reply = () => ({ status: 200, body: {} });
});

const gatewayError = (status: number, message: string, code: string) => ({
  status,
  body: { error: { message, type: 'invalid_request_error', param: null, code } },
});

describe('admin mutations are forwarded to the gateway admin API', () => {
  it('config.adminEnabled is true when the gateway admin API answers', async () => {
    expect(sessionSchema.parse((await client.get('/api/session')).body).config?.adminEnabled).toBe(true);
  });

  it('every route: contract-validated body, method and path, Bearer ADMIN_TOKEN, answer passed back', async () => {
    const cases: Array<[string, string, unknown, string, string]> = [
      ['POST', '/api/customers', { name: ' Acme ', budget: 10 }, 'POST', '/admin/customers'],
      [
        'PATCH',
        `/api/customers/${CUSTOMER}`,
        { status: 'suspended' },
        'PATCH',
        `/admin/customers/${CUSTOMER}`,
      ],
      ['PATCH', `/api/keys/${KEY}`, { rpm: 60, models: null }, 'PATCH', `/admin/keys/${KEY}`],
      ['DELETE', `/api/keys/${KEY}`, undefined, 'DELETE', `/admin/keys/${KEY}`],
      ['PATCH', '/api/plans/Pro%20Plus', { monthlyPrice: 19.5 }, 'PATCH', '/admin/plans/Pro%20Plus'],
      [
        'PUT',
        '/api/pricing',
        { model: 'llama3*', inputPerMillion: 0.1, outputPerMillion: 0.2 },
        'PUT',
        '/admin/pricing',
      ],
      [
        'PUT',
        '/api/reference-prices/gpt-4o',
        { inputPerMillion: 2.5, outputPerMillion: 10, isDefault: true },
        'PUT',
        '/admin/reference-prices/gpt-4o',
      ],
      [
        'PUT',
        '/api/settings/electricity',
        { gpuWatts: 300, pricePerKwh: 0.2 },
        'PUT',
        '/admin/settings/electricity',
      ],
    ];
    reply = (call) => ({ status: call.method === 'POST' ? 201 : 200, body: { echoed: call.url } });
    for (const [method, path, body, gatewayMethod, gatewayPath] of cases) {
      seen = [];
      const answer = await client.send(method, path, body);
      expect(answer.status, path).toBe(method === 'POST' ? 201 : 200);
      expect(answer.body).toEqual({ echoed: gatewayPath });
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(seen).toEqual([
        {
          method: gatewayMethod,
          url: gatewayPath,
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          // The validated body (strings trimmed by the contract), unchanged otherwise.
          body: path === '/api/customers' ? { name: 'Acme', budget: 10 } : body,
        },
      ]);
    }
  });

  it('a new key is answered in the CreatedKey shape, secret included once, never cached', async () => {
    reply = () => ({
      status: 201,
      body: {
        id: KEY,
        customerId: CUSTOMER,
        name: 'prod',
        prefix: 'sk-og-AbCd1234',
        isAdmin: false,
        allowedModels: null,
        rpmLimit: 60,
        createdAt: '2026-03-15T10:00:00.000Z',
        key: 'sk-og-AbCd1234-the-secret',
      },
    });
    const answer = await client.send('POST', `/api/customers/${CUSTOMER}/keys`, { name: 'prod', rpm: 60 });
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(createdKeySchema.strict().parse(answer.body)).toEqual({
      id: KEY,
      customerId: CUSTOMER,
      name: 'prod',
      prefix: 'sk-og-AbCd1234',
      key: 'sk-og-AbCd1234-the-secret',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: `/admin/customers/${CUSTOMER}/keys`,
      body: { name: 'prod', rpm: 60 },
    });
  });

  it('gateway errors keep their status, message and code', async () => {
    reply = () => gatewayError(404, `No customer with id ${CUSTOMER}`, 'customer_not_found');
    const missing = await client.send('PATCH', `/api/customers/${CUSTOMER}`, { name: 'B' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { message: `No customer with id ${CUSTOMER}`, code: 'customer_not_found' },
    });
    reply = () => gatewayError(400, 'email: not an email address', 'invalid_request_body');
    const invalid = await client.send('POST', '/api/customers', { name: 'A', email: 'nope' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      error: { message: 'email: not an email address', code: 'invalid_request_body' },
    });
    reply = () => ({ status: 500, body: 'not json' });
    const broken = await client.send('DELETE', `/api/keys/${KEY}`);
    expect(broken.status).toBe(500);
    expect(broken.body).toMatchObject({ error: { code: 'gateway_error' } });
  });

  it('the gateway refusing ADMIN_TOKEN is a 502 (never a 401 that would log the browser out)', async () => {
    reply = () => gatewayError(401, 'Admin API: send Authorization', 'missing_admin_token');
    const answer = await client.send('DELETE', `/api/keys/${KEY}`);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: { code: 'admin_token_rejected' } });
  });

  it('an invalid body is a 400 naming the field, and never reaches the gateway', async () => {
    const answer = await client.send('PUT', '/api/settings/electricity', { gpuWatts: -1, pricePerKwh: 0.2 });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringMatching(/^gpuWatts: /) },
    });
    const extra = await client.send('PATCH', `/api/keys/${KEY}`, { rpm: 5, admin: true });
    expect(extra.status).toBe(400);
    const badId = await client.send('DELETE', '/api/keys/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(seen).toEqual([]);
  });

  it('a slow gateway is a 504, an unreachable one a 502', async () => {
    reply = () => ({ status: 200, body: {}, delayMs: 1500 });
    const slow = await client.send('DELETE', `/api/keys/${KEY}`);
    expect(slow.status).toBe(504);
    expect(slow.body).toMatchObject({ error: { code: 'gateway_timeout' } });

    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const admin = createAdminService({
      client: createGatewayAdminClient({
        baseUrl: `http://127.0.0.1:${deadPort}`,
        token: TEST_ADMIN_TOKEN,
        timeoutMs: 500,
      }),
    });
    const offline = await startDashboard({ db: database.db, admin });
    try {
      const c = await offline.login();
      expect(sessionSchema.parse((await c.get('/api/session')).body).config?.adminEnabled).toBe(false);
      const answer = await c.send('DELETE', `/api/keys/${KEY}`);
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ error: { code: 'gateway_unreachable' } });
    } finally {
      await offline.close();
    }
  });

  it('without ADMIN_TOKEN: 503 admin_disabled and adminEnabled false', async () => {
    const readOnly = await startDashboard({ db: database.db, gatewayAdmin: null });
    try {
      const c = await readOnly.login();
      expect(sessionSchema.parse((await c.get('/api/session')).body).config?.adminEnabled).toBe(false);
      for (const [method, path] of [
        ['POST', '/api/customers'],
        ['POST', `/api/customers/${CUSTOMER}/keys`],
        ['PUT', '/api/pricing'],
        ['DELETE', `/api/keys/${KEY}`],
      ] as const) {
        const answer = await c.send(method, path, { name: 'x' });
        expect(answer.status, `${path} ${answer.text}`).toBe(503);
        expect(answer.body).toMatchObject({
          error: { code: 'admin_disabled', message: expect.stringMatching(/ADMIN_TOKEN/) },
        });
      }
      expect(seen).toEqual([]);
    } finally {
      await readOnly.close();
    }
  });
});
