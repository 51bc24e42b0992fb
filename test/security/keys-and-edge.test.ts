// Security checks against the real stack (issue 9, part 3): nobody reaches Ollama without a valid key, through nginx
// or straight at the gateway port (the simulator's request counter must not move); forged identity headers are
// ignored; the admin API is not at the edge and refuses customer keys; revoked, expired and suspended keys are refused;
// no secret ends up in a log file, a response, usage_events or request_logs; no CORS header is ever sent.
// README.md beside this file maps each requirement to the test that covers it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateApiKey } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET_ENDPOINTS, POST_ENDPOINTS } from '../hostile/support/endpoints.js';
import { dialectErrorMessage } from '../hostile/support/expect-error.js';
import { type CreatedKey, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let valid: CreatedKey;
let victim: CreatedKey;
let revoked: CreatedKey;
let expired: CreatedKey;
let suspended: CreatedKey;
/** A well-formed key that does not exist: the gateway must not echo it whole either. */
const wrong = generateApiKey().key;
/** Every response body the tests saw: none may contain a secret. */
const seen: string[] = [];

beforeAll(async () => {
  stack = await startStack({ label: 'security', dashboard: true, env: { LOG_LEVEL: 'debug' } });
  [valid, victim, revoked, expired, suspended] = await Promise.all([
    stack.createKey(),
    stack.createKey(),
    stack.createKey(),
    stack.createKey(),
    stack.createKey(),
  ]);
  await stack.gatewayctl(['revoke-key', revoked.keyId]);
  await stack.gatewayctl(['update-customer', suspended.customerId, '--status', 'suspended']);
  await sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${expired.keyId}`.execute(
    stack.db,
  );
  // The gateways cache keys for KEY_CACHE_TTL_MS (1 s); revoke and suspend are published, the expiry edit is not.
  await new Promise((r) => setTimeout(r, 1500));
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

type Target = 'nginx' | 'gateway';
const base = (to: Target) => (to === 'nginx' ? stack.apiUrl : stack.gatewayUrl);

async function call(
  to: Target,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
) {
  const response = await fetch(`${base(to)}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  seen.push(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

const endpoints = [
  ...POST_ENDPOINTS.map((e) => ({
    method: 'POST',
    path: e.path,
    dialect: e.dialect,
    body: JSON.stringify(e.valid()),
  })),
  ...GET_ENDPOINTS.map((e) => ({ method: 'GET', path: e.path, dialect: e.dialect, body: undefined })),
];

describe('no valid key, no upstream call', () => {
  it('every endpoint, both ports: missing, wrong, malformed, revoked, expired, suspended and forged credentials are refused before Ollama', async () => {
    const credentials: Record<string, () => Record<string, string>> = {
      'no key': () => ({}),
      'wrong key': () => ({ authorization: `Bearer ${wrong}` }),
      'wrong x-api-key': () => ({ 'x-api-key': wrong }),
      'malformed key': () => ({ authorization: 'Bearer ../../etc/passwd' }),
      'Basic auth': () => ({ authorization: `Basic ${Buffer.from(`user:${valid.key}`).toString('base64')}` }),
      'revoked key': () => ({ authorization: `Bearer ${revoked.key}` }),
      'expired key': () => ({ authorization: `Bearer ${expired.key}` }),
      'suspended customer': () => ({ authorization: `Bearer ${suspended.key}` }),
      // What nginx adds, guessed by a client: a real key id with a wrong or no internal secret.
      'forged identity': () => ({
        'x-gateway-internal': 'guess-the-internal-secret',
        'x-gateway-key-id': valid.keyId,
        'x-gateway-customer-id': valid.customerId,
      }),
      'forged identity, empty secret': () => ({ 'x-gateway-internal': '', 'x-gateway-key-id': valid.keyId }),
    };
    const before = stack.sim.stats().requests;
    let refused = 0;
    for (const to of ['nginx', 'gateway'] as const)
      for (const [name, headers] of Object.entries(credentials))
        for (const e of endpoints) {
          const answer = await call(to, e.method, e.path, headers(), e.body);
          const what = `${to} ${e.method} ${e.path} with ${name}: ${answer.status} ${answer.text.slice(0, 200)}`;
          expect([401, 403], what).toContain(answer.status);
          expect(dialectErrorMessage(e.dialect, answer.json), what).not.toBeNull();
          refused++;
        }
    expect(refused).toBe(2 * Object.keys(credentials).length * endpoints.length);
    expect(stack.sim.stats().requests, 'requests that reached the simulator').toBe(before);
    // The same calls with the valid key do reach it (the counter works).
    const ok = await call(
      'nginx',
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${valid.key}` },
      endpoints[0]!.body,
    );
    expect(ok.status).toBe(200);
    expect(stack.sim.stats().requests).toBeGreaterThan(before);
  });

  it('a customer key cannot manage Ollama models (pull, create, copy, delete, push, blobs): 403, nothing forwarded', async () => {
    const before = stack.sim.stats().requests;
    const manage = [
      ['POST', '/api/pull', '{"model":"evil"}'],
      ['POST', '/api/create', '{"model":"evil","from":"llama3.2"}'],
      ['POST', '/api/copy', '{"source":"llama3.2","destination":"evil"}'],
      ['POST', '/api/push', '{"model":"llama3.2"}'],
      ['DELETE', '/api/delete', '{"model":"llama3.2"}'],
      ['POST', `/api/blobs/sha256:${'0'.repeat(64)}`, 'x'],
    ] as const;
    for (const to of ['nginx', 'gateway'] as const)
      for (const [method, path, body] of manage) {
        const answer = await call(to, method, path, { authorization: `Bearer ${valid.key}` }, body);
        expect(answer.status, `${to} ${method} ${path}: ${answer.text}`).toBe(403);
        expect(dialectErrorMessage('ollama', answer.json)).not.toBeNull();
      }
    expect(stack.sim.stats().requests).toBe(before);
  });
});

describe('identity headers', () => {
  it('through nginx, a valid key with another customer’s forged ids is billed to its own customer only', async () => {
    const answer = await call(
      'nginx',
      'POST',
      '/v1/chat/completions',
      {
        authorization: `Bearer ${valid.key}`,
        'x-gateway-internal': stack.env.INTERNAL_SECRET!,
        'x-gateway-key-id': victim.keyId,
        'x-gateway-customer-id': victim.customerId,
        'x-request-id': 'client-chosen-request-id-0001',
      },
      endpoints[0]!.body,
    );
    expect(answer.status).toBe(200);
    const requestId = answer.headers.get('x-request-id')!;
    expect(requestId, 'nginx picks the request id').not.toBe('client-chosen-request-id-0001');
    const rows = await waitForRow('usage_events', requestId).then(() =>
      stack.db.selectFrom('usage_events').selectAll().execute(),
    );
    const row = rows.find((r) => r.request_id === requestId);
    expect(row).toMatchObject({ api_key_id: valid.keyId, customer_id: valid.customerId });
    expect(rows.filter((r) => r.customer_id === victim.customerId)).toEqual([]);
  });
});

describe('admin API', () => {
  const adminPaths = ['/admin/customers', '/admin/keys', '/admin/pricing', '/admin/plans'];

  it('is not reachable through nginx, even with ADMIN_TOKEN', async () => {
    for (const path of adminPaths) {
      const answer = await call('nginx', 'GET', path, { authorization: `Bearer ${stack.env.ADMIN_TOKEN}` });
      expect(answer.status, path).toBe(404);
      expect(answer.text).not.toContain(valid.customerId);
    }
  });

  it('refuses customer keys (403) and no or wrong tokens (401) on the gateway port; ADMIN_TOKEN works', async () => {
    for (const path of adminPaths) {
      const customer = await call('gateway', 'GET', path, { authorization: `Bearer ${valid.key}` });
      expect(customer.status, path).toBe(403);
      const none = await call('gateway', 'GET', path, {});
      expect(none.status, path).toBe(401);
      const wrong = await call('gateway', 'GET', path, { authorization: `Bearer ${stack.env.ADMIN_TOKEN}x` });
      expect(wrong.status, path).toBe(401);
      const forged = await call('gateway', 'GET', path, {
        'x-gateway-internal': stack.env.INTERNAL_SECRET!,
        'x-gateway-key-id': valid.keyId,
      });
      expect(forged.status, `${path}: nginx's identity headers are not admin credentials`).toBe(401);
    }
    const admin = await call('gateway', 'GET', '/admin/customers', {
      authorization: `Bearer ${stack.env.ADMIN_TOKEN}`,
    });
    expect(admin.status).toBe(200);
  });
});

describe('CORS', () => {
  it('no Access-Control-Allow-* header anywhere: public API, admin API, dashboard API, preflights included', async () => {
    const origin = 'https://evil.example';
    const targets = [
      `${stack.apiUrl}/v1/chat/completions`,
      `${stack.apiUrl}/v1/models`,
      `${stack.gatewayUrl}/v1/models`,
      `${stack.gatewayUrl}/admin/customers`,
      `${stack.dashboardUrl}/api/session`,
      `${stack.dashboardUrl}/api/overview`,
    ];
    for (const url of targets) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      const simple = await fetch(url, {
        headers: { origin, authorization: `Bearer ${stack.env.ADMIN_TOKEN}` },
      });
      for (const response of [preflight, simple])
        for (const name of response.headers.keys())
          expect(name, `${url} answered ${name}`).not.toMatch(/^access-control-allow-/);
      await preflight.text();
      await simple.text();
    }
  });
});

describe('secrets stay secret', () => {
  it('no key, token or secret appears in any log file, response body, usage_events or request_logs row', async () => {
    // A user pastes their key into a prompt, and sends it the Anthropic way; both are logged with bodies on.
    const pasted = await call(
      'nginx',
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${valid.key}` },
      JSON.stringify({
        model: 'llama3.2',
        messages: [{ role: 'user', content: `my key ${valid.key} leaks?` }],
      }),
    );
    expect(pasted.status).toBe(200);
    const anthropic = await call(
      'gateway',
      'POST',
      '/v1/messages',
      { 'x-api-key': valid.key, 'anthropic-version': '2023-06-01' },
      JSON.stringify({ model: 'llama3.2', max_tokens: 5, messages: [{ role: 'user', content: valid.key }] }),
    );
    expect(anthropic.status).toBe(200);
    const pastedId = pasted.headers.get('x-request-id')!;
    await waitForRow('request_logs', pastedId);
    await waitForRow('request_logs', anthropic.headers.get('x-request-id')!);
    const logRow = await stack.db
      .selectFrom('request_logs')
      .select(sql<string>`request_body::text`.as('body'))
      .where('request_id', '=', pastedId)
      .executeTakeFirstOrThrow();
    expect(logRow.body, 'the pasted key is kept as its visible prefix').toContain(
      `${valid.key.slice(0, 14)}…[redacted]`,
    );

    const secrets = {
      'valid key': valid.key,
      'unknown key': wrong,
      'revoked key': revoked.key,
      'expired key': expired.key,
      'suspended key': suspended.key,
      ADMIN_TOKEN: stack.env.ADMIN_TOKEN!,
      INTERNAL_SECRET: stack.env.INTERNAL_SECRET!,
      KEY_HASH_SECRET: stack.env.KEY_HASH_SECRET!,
    };
    // What the client itself sent is its own business: only the key secrets (past the visible prefix) count there.
    const secretParts = Object.entries(secrets).map(
      ([name, value]) => [name, value.startsWith('sk-og-') ? value.slice(14) : value] as const,
    );
    const files = [...listFiles(join(stack.dir, 'logs')), stack.nginx.accessLog, stack.nginx.errorLog];
    expect(files.length).toBeGreaterThanOrEqual(5);
    const usage = await sql<{ row: string }>`select row_to_json(u)::text as row from usage_events u`.execute(
      stack.db,
    );
    const logs = await sql<{ row: string }>`select row_to_json(l)::text as row from request_logs l`.execute(
      stack.db,
    );
    expect(usage.rows.length).toBeGreaterThan(100);
    const haystacks: [string, string][] = [
      ...files.map((file) => [file, readFileSync(file, 'utf8')] as [string, string]),
      ['usage_events', usage.rows.map((r) => r.row).join('\n')],
      ['request_logs', logs.rows.map((r) => r.row).join('\n')],
      ['responses', seen.join('\n')],
    ];
    for (const [where, text] of haystacks)
      for (const [name, part] of secretParts)
        expect(text.includes(part), `${name} found in ${where}`).toBe(false);
  });
});

/** Waits until the worker has written the row of a request (15 s at most). */
async function waitForRow(table: 'usage_events' | 'request_logs', requestId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const row = await stack.db
      .selectFrom(table)
      .select('request_id')
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    if (row) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${table} row for ${requestId}\n${stack.describe()}`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}
