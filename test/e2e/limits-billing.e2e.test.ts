// Limits and billing against the REAL stack, through nginx, with TWO gateway processes sharing Redis (issue 4's
// "tests that must exist"): a budget that fits 10 requests under 50 concurrent ones, RPM and TPM exact across both
// processes, revocation seen by both within a second, expired keys, the model allow-list on every endpoint family,
// streamed and abandoned requests billed with their real tokens, usage-report and invoice equal to the ledger to the
// cent, and no Redis key of the stack left without a TTL. Customers, keys, prices and budgets are set up with gatewayctl.
import { readFileSync } from 'node:fs';
import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.js';

const MODEL = 'llama3.2:latest';
const OTHER_MODEL = 'qwen3:0.6b';
const EMBED_MODEL = 'all-minilm:latest';

let stack: Stack;
let suffix = 0;

interface Customer {
  id: string;
}
interface Key {
  id: string;
  key: string;
  customerId: string;
  revokedAt?: string;
}

async function customer(): Promise<string> {
  suffix += 1;
  const created = await stack.gatewayctl<Customer>([
    'create-customer',
    `Limits ${suffix}`,
    `limits${suffix}-${Date.now()}@example.test`,
  ]);
  return created.id;
}

async function key(customerId: string, ...options: string[]): Promise<Key> {
  return stack.gatewayctl<Key>(['generate-key', customerId, '--name', 'e2e', ...options]);
}

/** Exact decimal string ("0.012000000") → nano-units as a BigInt (no float ever touches money). */
function nano(value: string | number): bigint {
  const text = String(value);
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const n = BigInt(whole) * 1_000_000_000n + BigInt(`${fraction}000000000`.slice(0, 9));
  return negative ? -n : n;
}
const cents = (n: bigint) => (n + 5_000_000n) / 10_000_000n;

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
  requestId: string | null;
}

async function send(
  apiKey: string,
  method: string,
  path: string,
  body?: unknown,
  base: string = stack.apiUrl,
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(path === '/v1/messages' ? { 'anthropic-version': '2023-06-01' } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return {
    status: response.status,
    headers: response.headers,
    body: parsed,
    requestId: response.headers.get('x-request-id'),
  };
}

const chatBody = (content = 'Say hello', maxTokens = 5) => ({
  model: MODEL,
  messages: [{ role: 'user', content }],
  max_tokens: maxTokens,
});
const show = (reply: Reply) => `${reply.status} ${JSON.stringify(reply.body)}`;
const chatCalls = () => stack.sim.stats().byPath['/api/chat'] ?? 0;

/** The ledger rows of a customer once there are `n` of them (the billing worker batches inserts). */
async function customerRows(customerId: string, n: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await stack.db
      .selectFrom('usage_events')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('id')
      .execute();
    if (rows.length >= n) return rows;
    if (Date.now() > deadline)
      throw new Error(`customer ${customerId}: ${rows.length} of ${n} usage rows.\n${stack.describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ledgerSum(customerId: string): Promise<bigint> {
  const { rows } = await sql<{ total: string | null }>`
    SELECT sum(total_cost)::text AS total FROM usage_events WHERE customer_id = ${customerId}`.execute(
    stack.db,
  );
  return nano(rows[0]?.total ?? '0');
}

// Customers whose prices and budgets are set before any request (the gateway caches prices and customer limits).
const ids = { budget: '', billing: '', rpm: '', rpmDirect: '', tpm: '', revoke: '', expire: '', models: '' };
const keys: Record<keyof typeof ids, Key> = {} as never;
const BUDGET_PER_REQUEST = '0.01';
const BUDGET = '0.1';
const TPM = 120;
const PRICE = { input: '2', output: '6' }; // per million tokens

beforeAll(async () => {
  stack = await startStack({
    label: 'limits',
    gateways: 2,
    // The longest key cache allowed: within a test a revocation can only be seen through pub/sub.
    env: { KEY_CACHE_TTL_MS: '60000' },
    sim: { ttftMs: 30, slowTtftMs: 100, slowTokensPerSecond: 20 },
  });
  for (const name of Object.keys(ids) as (keyof typeof ids)[]) ids[name] = await customer();

  // (a) A flat price per request and a budget of exactly ten of them: the reservation equals the real cost.
  await stack.gatewayctl([
    'set-pricing',
    MODEL,
    '--input-per-1m',
    '0',
    '--output-per-1m',
    '0',
    '--per-request',
    BUDGET_PER_REQUEST,
    '--customer',
    ids.budget,
  ]);
  await stack.gatewayctl(['update-customer', ids.budget, '--budget', BUDGET, '--budget-period', 'one_off']);
  // (g, h) Token prices.
  await stack.gatewayctl([
    'set-pricing',
    MODEL,
    '--input-per-1m',
    PRICE.input,
    '--output-per-1m',
    PRICE.output,
    '--customer',
    ids.billing,
  ]);

  keys.budget = await key(ids.budget);
  keys.billing = await key(ids.billing);
  keys.rpm = await key(ids.rpm, '--rpm', '5');
  keys.rpmDirect = await key(ids.rpmDirect, '--rpm', '5');
  keys.tpm = await key(ids.tpm, '--tpm', String(TPM));
  keys.revoke = await key(ids.revoke);
  keys.models = await key(ids.models, '--models', 'llama3*');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('limits and billing through nginx, two gateway processes', () => {
  it('(a) 50 concurrent requests against a budget that fits 10: 10 reach Ollama, 40 get insufficient_quota, spend ≤ budget', async () => {
    const before = chatCalls();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        send(keys.budget.key, 'POST', '/v1/chat/completions', chatBody(`hi ${i}`)),
      ),
    );
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status !== 200 && r.status !== 429).map(show)).toEqual([]);
    expect(chatCalls() - before, 'requests that reached the simulator').toBeLessThanOrEqual(10);
    expect(ok.length, 'a budget of exactly ten flat-priced requests').toBe(10);
    expect(chatCalls() - before).toBe(ok.length);
    for (const reply of refused) {
      const error = (reply.body as { error: { type: string; code: string } }).error;
      expect(error, show(reply)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    }

    // Once the worker has written all 50 rows: the ledger never exceeds the budget (and here spends all of it).
    const rows = await customerRows(ids.budget, 50);
    expect(rows).toHaveLength(50);
    expect(rows.filter((r) => r.status === 200)).toHaveLength(10);
    const spent = await ledgerSum(ids.budget);
    expect(spent).toBeLessThanOrEqual(nano(BUDGET));
    expect(spent).toBe(nano(BUDGET));
    const spend = await stack.db
      .selectFrom('customer_spend')
      .select(sql<string>`sum(total_cost)::text`.as('total'))
      .where('customer_id', '=', ids.budget)
      .executeTakeFirst();
    expect(nano(spend?.total ?? '0'), 'customer_spend in step with the ledger').toBe(spent);
  });

  it('(b) RPM 5 across both gateways through nginx: exactly 5 of 12 succeed, 429s carry retry-after and x-ratelimit-*', async () => {
    // nginx balances over both processes.
    const conf = readFileSync(stack.nginx.confPath, 'utf8');
    for (const url of stack.gatewayUrls) expect(conf).toContain(`server ${new URL(url).host};`);
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => send(keys.rpm.key, 'POST', '/v1/chat/completions', chatBody())),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    for (const reply of refused) {
      expect(Number(reply.headers.get('retry-after')), show(reply)).toBeGreaterThanOrEqual(1);
      expect(reply.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(reply.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(reply.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m[\d.]+s$/);
      expect((reply.body as { error: { type: string } }).error.type).toBe('requests');
    }
    for (const reply of replies.filter((r) => r.status === 200)) {
      expect(reply.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(reply.headers.get('x-ratelimit-remaining-requests')).toMatch(/^[0-4]$/);
    }
  });

  it('(b) RPM 5 with requests sent straight to each gateway process in turn: still exactly 5 of 12', async () => {
    const [first, second] = stack.gatewayUrls;
    expect(stack.gatewayUrls).toHaveLength(2);
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        send(keys.rpmDirect.key, 'POST', '/v1/chat/completions', chatBody(), i % 2 === 0 ? first : second),
      ),
    );
    expect(replies.map((r) => r.status).filter((s) => s === 200)).toHaveLength(5);
    expect(replies.map((r) => r.status).filter((s) => s === 429)).toHaveLength(7);
  });

  it('(c) TPM: requests are admitted while the real tokens of the last minute plus the hold fit, then refused', async () => {
    let used = 0;
    let refusal: Reply | undefined;
    for (let i = 0; i < 40 && !refusal; i += 1) {
      const reply = await send(
        keys.tpm.key,
        'POST',
        '/v1/chat/completions',
        chatBody('[[sim:tokens=10]] hi', 10),
      );
      if (reply.status === 429) refusal = reply;
      else {
        expect(reply.status, show(reply)).toBe(200);
        // Admitted only if what was used plus at least max_tokens fitted.
        expect(used + 10, `request ${i} admitted with ${used} tokens used`).toBeLessThanOrEqual(TPM);
        used += (reply.body as { usage: { total_tokens: number } }).usage.total_tokens;
      }
    }
    expect(refusal, 'a request was refused before 40').toBeDefined();
    const reply = refusal!;
    const message = (reply.body as { error: { message: string; type: string } }).error.message;
    expect((reply.body as { error: { type: string } }).error.type).toBe('tokens');
    // The counter holds exactly the real tokens booked by both processes, and the request did not fit.
    expect(message, show(reply)).toContain(`Limit ${TPM}, Used ${used},`);
    const requested = Number(/Requested (\d+)/.exec(message)?.[1]);
    expect(requested).toBeGreaterThanOrEqual(10);
    expect(used + requested).toBeGreaterThan(TPM);
    expect(reply.headers.get('x-ratelimit-limit-tokens')).toBe(String(TPM));
    expect(reply.headers.get('x-ratelimit-remaining-tokens')).toBe(String(Math.max(0, TPM - used)));
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('(d) revoke-key: both gateway processes refuse the key within one second', async () => {
    // Warm both processes' key caches (they would otherwise keep the key for KEY_CACHE_TTL_MS = 60 s).
    for (const url of stack.gatewayUrls)
      expect((await send(keys.revoke.key, 'GET', '/v1/models', undefined, url)).status).toBe(200);
    expect((await send(keys.revoke.key, 'GET', '/v1/models')).status).toBe(200);

    // Poll both processes while the revocation runs; the first 401 of each is timed against revoked_at.
    const polls = stack.gatewayUrls.map(() => [] as { sentAt: number; status: number }[]);
    let polling = true;
    const pollers = stack.gatewayUrls.map(async (url, i) => {
      while (polling) {
        const sentAt = Date.now();
        const reply = await send(keys.revoke.key, 'GET', '/v1/models', undefined, url);
        polls[i]!.push({ sentAt, status: reply.status });
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const revoked = await stack.gatewayctl<{ revokedAt: string }>(['revoke-key', keys.revoke.id]);
    const revokedAt = new Date(revoked.revokedAt).getTime();
    await new Promise((r) => setTimeout(r, 1_500));
    polling = false;
    await Promise.all(pollers);

    for (const [i, log] of polls.entries()) {
      const firstRefused = log.find((p) => p.status === 401);
      expect(firstRefused, `gateway ${i + 1} refused the key`).toBeDefined();
      expect(
        firstRefused!.sentAt - revokedAt,
        `gateway ${i + 1}: ms from revoked_at to refusal`,
      ).toBeLessThanOrEqual(1_000);
      expect(log.filter((p) => p.sentAt >= firstRefused!.sentAt).every((p) => p.status === 401)).toBe(true);
      expect(log.every((p) => p.status === 200 || p.status === 401)).toBe(true);
    }
    const viaNginx = await send(keys.revoke.key, 'POST', '/v1/chat/completions', chatBody());
    expect(viaNginx.status).toBe(401);
    expect((viaNginx.body as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_api_key',
    });
    expect(show(viaNginx)).toContain('revoked');
  });

  it('(e) an expired key is refused by nginx and by both processes', async () => {
    // Far enough ahead that gatewayctl (a node start-up) accepts it on a loaded machine.
    const expires = new Date(Date.now() + 5_000);
    keys.expire = await key(ids.expire, '--expires', expires.toISOString());
    const wait = expires.getTime() - Date.now();
    if (wait > 200) expect((await send(keys.expire.key, 'GET', '/v1/models')).status).toBe(200);
    await new Promise((r) => setTimeout(r, Math.max(0, expires.getTime() - Date.now()) + 50));
    const before = chatCalls();
    const viaNginx = await send(keys.expire.key, 'POST', '/v1/chat/completions', chatBody());
    expect(viaNginx.status, show(viaNginx)).toBe(401);
    expect(show(viaNginx)).toContain('expired');
    for (const url of stack.gatewayUrls)
      expect((await send(keys.expire.key, 'POST', '/v1/chat/completions', chatBody(), url)).status).toBe(401);
    expect(chatCalls()).toBe(before);
  });

  it('(f) the model allow-list holds on every endpoint family, and the model lists are filtered', async () => {
    const k = keys.models.key;
    const before = stack.sim.stats().requests;
    const refusedCalls: [string, string, unknown][] = [
      ['POST', '/v1/chat/completions', { ...chatBody(), model: OTHER_MODEL }],
      ['POST', '/v1/completions', { model: OTHER_MODEL, prompt: 'hi', max_tokens: 5 }],
      ['POST', '/v1/embeddings', { model: EMBED_MODEL, input: 'hi' }],
      [
        'POST',
        '/v1/messages',
        { model: OTHER_MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      ],
      [
        'POST',
        '/api/chat',
        { model: OTHER_MODEL, messages: [{ role: 'user', content: 'hi' }], stream: false },
      ],
      ['POST', '/api/generate', { model: OTHER_MODEL, prompt: 'hi', stream: false }],
      ['POST', '/api/embed', { model: EMBED_MODEL, input: 'hi' }],
      ['POST', '/api/show', { model: OTHER_MODEL }],
    ];
    const wrong: string[] = [];
    for (const [method, path, body] of refusedCalls) {
      const reply = await send(k, method, path, body);
      if (reply.status !== 403 && reply.status !== 404) wrong.push(`${method} ${path} → ${show(reply)}`);
    }
    const single = await send(k, 'GET', `/v1/models/${OTHER_MODEL}`);
    if (single.status !== 404 && single.status !== 403)
      wrong.push(`GET /v1/models/${OTHER_MODEL} → ${show(single)}`);
    expect(wrong, 'calls with a model outside the allow-list').toEqual([]);
    expect(stack.sim.stats().requests - before, 'nothing refused reached Ollama').toBe(0);

    // The allowed model works on each family.
    expect((await send(k, 'POST', '/v1/chat/completions', chatBody())).status).toBe(200);
    expect(
      (
        await send(k, 'POST', '/v1/messages', {
          model: MODEL,
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hi' }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send(k, 'POST', '/api/chat', {
          model: MODEL,
          messages: [{ role: 'user', content: 'hi' }],
          stream: false,
        })
      ).status,
    ).toBe(200);

    const models = await send(k, 'GET', '/v1/models');
    expect(models.status).toBe(200);
    const ids_ = (models.body as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids_.length).toBeGreaterThan(0);
    expect(
      ids_.every((id) => id.startsWith('llama3')),
      ids_.join(', '),
    ).toBe(true);
    const tags = await send(k, 'GET', '/api/tags');
    expect(tags.status).toBe(200);
    const names = (tags.body as { models: { name: string }[] }).models.map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    expect(
      names.every((name) => name.startsWith('llama3')),
      names.join(', '),
    ).toBe(true);
  });

  it('(g) a streamed and a client-disconnected request are billed with their real tokens', async () => {
    // Streamed to the end, with usage in the last chunk.
    const response = await fetch(`${stack.apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.billing.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...chatBody('[[sim:tokens=20]] stream please', 50),
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(response.status).toBe(200);
    const streamedId = response.headers.get('x-request-id')!;
    const text = await response.text();
    const usageChunk = text
      .split('\n')
      .filter((line) => line.startsWith('data: {'))
      .map(
        (line) =>
          JSON.parse(line.slice(6)) as { usage?: { prompt_tokens: number; completion_tokens: number } },
      )
      .find((chunk) => chunk.usage);
    expect(usageChunk?.usage?.completion_tokens).toBe(20);

    // A slow stream (20 tokens/s) the client abandons after a few chunks.
    const controller = new AbortController();
    const slow = await fetch(`${stack.apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.billing.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...chatBody('[[sim:slow]] [[sim:tokens=400]] go on', 500), stream: true }),
      signal: controller.signal,
    });
    expect(slow.status).toBe(200);
    const abandonedId = slow.headers.get('x-request-id')!;
    const reader = slow.body!.getReader();
    let received = '';
    while ((received.match(/"content":"/g) ?? []).length < 5) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});

    const rows = await customerRows(ids.billing, 2);
    const streamed = rows.find((r) => r.request_id === streamedId)!;
    const abandoned = rows.find((r) => r.request_id === abandonedId)!;
    expect(streamed, 'streamed request recorded').toBeDefined();
    expect(abandoned, 'abandoned request recorded').toBeDefined();
    expect(streamed).toMatchObject({ status: 200, stream: true, completion_tokens: 20 });
    expect(streamed.prompt_tokens).toBe(usageChunk!.usage!.prompt_tokens);
    expect(abandoned).toMatchObject({ status: 499, stream: true });
    expect(abandoned.completion_tokens).toBeGreaterThan(0);
    expect(abandoned.completion_tokens).toBeLessThan(400);
    for (const row of [streamed, abandoned]) {
      const expected =
        (BigInt(row.prompt_tokens) * nano(PRICE.input) + BigInt(row.completion_tokens) * nano(PRICE.output)) /
        1_000_000n;
      expect(nano(row.total_cost), `${row.request_id}: total_cost = tokens × price`).toBe(expected);
      expect(nano(row.input_price_per_million)).toBe(nano(PRICE.input));
      expect(nano(row.output_price_per_million)).toBe(nano(PRICE.output));
    }
  });

  it('(h) usage-report and invoice totals equal SUM(total_cost) of usage_events, to the cent', async () => {
    // A few more priced, non-streamed requests so the totals are not trivial.
    for (let i = 0; i < 3; i += 1)
      expect(
        (
          await send(
            keys.billing.key,
            'POST',
            '/v1/chat/completions',
            chatBody(`[[sim:tokens=${7 + i}]] x`, 20),
          )
        ).status,
      ).toBe(200);
    await customerRows(ids.billing, 5);
    await new Promise((r) => setTimeout(r, 500));
    const month = new Date().toISOString().slice(0, 7);
    for (const customerId of [ids.billing, ids.budget]) {
      const sum = await ledgerSum(customerId);
      expect(sum).toBeGreaterThan(0n);
      const report = await stack.gatewayctl<{ totals: { totalCost: string } }>(['usage-report', customerId]);
      const invoice = await stack.gatewayctl<{ usageAmount: string; totalAmount: string; plan: unknown }>([
        'invoice',
        customerId,
        '--month',
        month,
      ]);
      expect(cents(nano(report.totals.totalCost)), 'usage-report total').toBe(cents(sum));
      expect(nano(report.totals.totalCost), 'usage-report total, exact').toBe(sum);
      expect(cents(nano(invoice.usageAmount)), 'invoice usage amount').toBe(cents(sum));
      expect(invoice.plan).toBeNull();
      expect(nano(invoice.totalAmount), 'invoice total (no plan)').toBe(sum);
    }
  });

  it('(i) after the run, every Redis key under the stack prefix has a TTL (BullMQ queue keys aside)', async () => {
    const prefix = stack.env.QUEUE_PREFIX!;
    // BullMQ's own keys (`<prefix>:usage:*`, `<prefix>:request-log:*`: id counter, meta, events stream, job hashes,
    // wait/completed lists) are the queues themselves: their size is bounded by BullMQ's removeOnComplete/Fail, not
    // by TTLs, and they do not grow per key or per customer. Everything else — rate-limit logs, budget and quota
    // counters, soft-limit markers — must expire.
    const queueKeys = Object.values(QUEUE_NAMES).map((name) => `${prefix}:${name}:`);
    const redis = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    try {
      const all: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        all.push(...found);
        cursor = next;
      } while (cursor !== '0');
      const ours = all.filter((k) => !queueKeys.some((q) => k.startsWith(q)));
      expect(
        ours.some((k) => k.includes(':ratelimit:')),
        `limit keys exist: ${ours.join(', ')}`,
      ).toBe(true);
      const withoutTtl: string[] = [];
      for (const k of ours) if ((await redis.ttl(k)) === -1) withoutTtl.push(k);
      expect(withoutTtl, 'keys without a TTL').toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
