import { createApiKeysRepository } from '@ollama-gateway/db';
import { createRedis, publishKeyChanged } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing/app-harness.js';
import { createRateLimitGate } from './rate-limit.gate.js';

// Two gateway replicas over one Postgres database and one Redis prefix, both with the real rate-limit gate.
let a: TestGateway;
let b: TestGateway;
const gate = ({ redis, prefix, logger }: Parameters<typeof createRateLimitGate>[0]) =>
  createRateLimitGate({ redis, prefix, logger });

beforeAll(async () => {
  a = await startTestGateway({
    label: 'ratelimit',
    admission: gate,
    keyCacheTtlMs: 60_000,
    subscribeKeyChanges: true,
  });
  b = await startTestGateway({
    shared: { database: a.database, prefix: a.prefix },
    admission: gate,
    keyCacheTtlMs: 60_000,
    subscribeKeyChanges: true,
  });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** The JSON bodies these tests read: an error (any dialect) or a chat completion's usage. */
interface Body {
  error: { message: string; type?: string; code?: string };
  usage: { total_tokens: number };
}
const json = async (res: Response): Promise<Body> => (await res.json()) as Body;

const post = (base: string, path: string, key: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const chat = (base: string, key: string, content: string, extra: Record<string, unknown> = {}) =>
  post(base, '/v1/chat/completions', key, {
    model: 'llama3.2',
    messages: [{ role: 'user', content }],
    ...extra,
  });

/** Sends until the answer has the wanted status (settling runs as the response closes, a moment after the client has read it). */
async function until(status: number, send: () => Promise<Response>, tries = 100): Promise<Response> {
  for (let i = 0; ; i++) {
    const res = await send();
    if (res.status === status || i >= tries) return res;
    await res.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('rate limits across two gateway processes sharing Redis', () => {
  it('RPM 5: exactly 5 of 12 mixed requests pass; the rest are 429 in their dialect with retry-after', async () => {
    const { key } = await a.createKey({ rpmLimit: 5 });
    const calls = Array.from({ length: 12 }, (_, i) => {
      const base = i % 2 === 0 ? a.url : b.url;
      switch (i % 4) {
        case 0:
          return chat(base, key, 'hi').then((res) => ({ res, dialect: 'openai' }));
        case 1:
          return post(base, '/v1/messages', key, {
            model: 'llama3.2',
            max_tokens: 16,
            messages: [{ role: 'user', content: 'hi' }],
          }).then((res) => ({ res, dialect: 'anthropic' }));
        case 2:
          return post(base, '/v1/embeddings', key, { model: 'all-minilm', input: 'hi' }).then((res) => ({
            res,
            dialect: 'openai',
          }));
        default:
          return post(base, '/api/chat', key, {
            model: 'llama3.2',
            stream: false,
            messages: [{ role: 'user', content: 'hi' }],
          }).then((res) => ({ res, dialect: 'ollama' }));
      }
    });
    const results = await Promise.all(calls);
    const statuses = results.map(({ res }) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    for (const { res, dialect } of results) {
      const body = await json(res);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('5');
      if (res.status === 200) continue;
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      if (dialect === 'openai')
        expect(body).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
      else if (dialect === 'anthropic')
        expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
      else expect(typeof body.error).toBe('string');
    }
    // A 13th, on either replica, is still refused: the window is shared.
    const again = await post(b.url, '/v1/messages', key, {
      model: 'llama3.2',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(again.status).toBe(429);
    expect(await json(again)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('TPM counts the real usage: the estimate held in flight is replaced by the real tokens', async () => {
    const { key } = await a.createKey({ tpmLimit: 200 });
    // Holds ~12 prompt + 150 max tokens while in flight, but really uses only a few tokens.
    const first = await chat(a.url, key, 'hi [[sim:tokens=5]]', { max_tokens: 150 });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('200');
    expect(first.headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m[\d.]+s$/);
    const u1 = (await json(first)).usage.total_tokens as number;
    // Fits only because the first request's estimate was replaced by its real count.
    const second = await until(200, () => chat(b.url, key, 'hi [[sim:tokens=150]]', { max_tokens: 150 }));
    expect(second.status).toBe(200);
    const u2 = (await json(second)).usage.total_tokens as number;
    const third = await until(429, () => chat(a.url, key, 'hi', { max_tokens: 50 }));
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = await json(third);
    expect(body).toMatchObject({ error: { type: 'tokens', code: 'rate_limit_exceeded' } });
    expect(body.error.message).toContain(`Limit 200, Used ${u1 + u2},`);
  });

  it('max concurrency 2: a third request while two slow streams run is a 429; a slot frees when one ends', async () => {
    const { key } = await a.createKey({ maxConcurrency: 2 });
    const slow = { stream: true, max_tokens: 20 };
    const s1 = await chat(a.url, key, '[[sim:slow]] [[sim:tokens=10]]', slow);
    const s2 = await chat(b.url, key, '[[sim:slow]] [[sim:tokens=10]]', slow);
    expect([s1.status, s2.status]).toEqual([200, 200]);
    const third = await chat(b.url, key, 'hi');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json(third)).error.message).toContain('concurrent');
    const anthropic = await post(a.url, '/v1/messages', key, {
      model: 'llama3.2',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(anthropic.status).toBe(429);
    expect(await json(anthropic)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(await s1.text()).toContain('[DONE]');
    const after = await until(200, () => chat(a.url, key, 'hi'));
    expect(after.status).toBe(200);
    await s2.text();
    // Both slots are back: two plain requests at once pass.
    await until(200, async () => {
      const pair = await Promise.all([chat(a.url, key, 'hi'), chat(b.url, key, 'hi')]);
      return pair.every((r) => r.status === 200) ? pair[0]! : pair.find((r) => r.status !== 200)!;
    });
  });

  it('a client that disconnects mid-stream gives its slot back', async () => {
    const { key } = await a.createKey({ maxConcurrency: 1 });
    const controller = new AbortController();
    const stream = await fetch(`${a.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llama3.2',
        stream: true,
        messages: [{ role: 'user', content: '[[sim:slow]] [[sim:tokens=200]]' }],
      }),
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect((await chat(b.url, key, 'hi')).status).toBe(429);
    controller.abort();
    expect((await until(200, () => chat(b.url, key, 'hi'))).status).toBe(200);
  });

  it('keys without limits get no rate-limit headers', async () => {
    const res = await chat(a.url, a.key, 'hi');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect(res.headers.get('x-ratelimit-limit-tokens')).toBeNull();
  });

  it('leaves no Redis key without a TTL', async () => {
    const { key } = await a.createKey({ rpmLimit: 100, tpmLimit: 100_000, maxConcurrency: 4 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => chat(i % 2 ? a.url : b.url, key, 'hi').then((r) => r.text())),
    );
    const redis = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'client', 'ttl-check');
    try {
      let cursor = '0';
      const found: string[] = [];
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${a.prefix}:ratelimit:*`, 'COUNT', 500);
        cursor = next;
        found.push(...keys);
      } while (cursor !== '0');
      expect(found.length).toBeGreaterThan(0);
      for (const name of found) expect(await redis.pttl(name), name).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('revocation', () => {
  it('a revoked key is refused by both replicas within one second of the publish (cache TTL 60 s)', async () => {
    const { key, keyId } = await a.createKey();
    expect((await chat(a.url, key, 'hi')).status).toBe(200);
    expect((await chat(b.url, key, 'hi')).status).toBe(200);
    await createApiKeysRepository(a.database.db).revoke(keyId);
    // Without the message both replicas still trust their cache.
    expect((await chat(a.url, key, 'hi')).status).toBe(200);
    const started = Date.now();
    expect(await publishKeyChanged(a.redis, a.prefix, keyId)).toBeGreaterThanOrEqual(2);
    const [ra, rb] = await Promise.all([
      until(401, () => chat(a.url, key, 'hi')),
      until(401, () => chat(b.url, key, 'hi')),
    ]);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ra.status).toBe(401);
    expect(rb.status).toBe(401);
    expect((await json(rb)).error.message).toContain('revoked');
  });
});

describe('when Redis is down', () => {
  it('fails open: the request is let through without rate-limit headers', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer', 'dead');
    const warnings: string[] = [];
    const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as never;
    try {
      const deadGate = createRateLimitGate({ redis: dead, prefix: 'test-dead', logger });
      const context = {
        requestId: 'r1',
        key: { id: 'k1', rpmLimit: 1, tpmLimit: null, maxConcurrency: 1 },
      } as never;
      const ticket = await deadGate.admit({
        context,
        model: 'm',
        promptTokensEstimate: 1,
        maxCompletionTokens: 1,
      });
      expect(ticket.headers).toEqual({});
      await ticket.settle({ promptTokens: 1, completionTokens: 1 }, 200);
      expect(warnings[0]).toContain('failing open');
    } finally {
      dead.disconnect();
    }
  });
});
