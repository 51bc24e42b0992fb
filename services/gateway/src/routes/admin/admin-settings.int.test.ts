import { createRedis, type Redis, subscribePricesChanged } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../../testing/app-harness.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked by the assertions
type Json = any;

const TOKEN = 'admin-token-0123456789abcdef';
let gw: TestGateway;
let subscriber: Redis;
const pricesChanged: string[] = [];

const call = async (method: string, path: string, options: { token?: string; body?: unknown } = {}) => {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      ...(options.token !== undefined ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, Json> };
};
const admin = (method: string, path: string, body?: unknown) => call(method, path, { token: TOKEN, body });

/** Polls until `check` passes: key changes reach the auth cache through Redis pub/sub, a few ms later. */
async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

beforeAll(async () => {
  // A long key cache: only the key-changed message from PATCH makes a change visible at once.
  gw = await startTestGateway({
    label: 'admin-settings',
    adminToken: TOKEN,
    keyCacheTtlMs: 60_000,
    subscribeKeyChanges: true,
    publishChanges: true,
  });
  subscriber = createRedis(
    process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    'client',
    'admin-settings-test',
  );
  await subscribePricesChanged(subscriber, gw.prefix, (model) => pricesChanged.push(model));
});
afterAll(async () => {
  subscriber?.disconnect();
  await gw?.close();
});

describe('PATCH /admin/keys/:id', () => {
  it('updates limits and allowed models (null clears) and answers the key as the list does, never the hash', async () => {
    const created = await admin('POST', `/admin/customers/${gw.customerId}/keys`, { name: 'ci', rpm: 60 });
    const id = created.body.id as string;
    const updated = await admin('PATCH', `/admin/keys/${id}`, {
      name: 'ci-2',
      models: ['llama3*', 'qwen*'],
      rpm: null,
      tpm: 5000,
      concurrency: 2,
      expiresAt: '2031-01-01T00:00:00Z',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id,
      customerId: gw.customerId,
      name: 'ci-2',
      prefix: created.body.prefix,
      allowedModels: ['llama3*', 'qwen*'],
      rpmLimit: null,
      tpmLimit: 5000,
      maxConcurrency: 2,
      expiresAt: '2031-01-01T00:00:00.000Z',
      revokedAt: null,
    });
    const listed = (await admin('GET', `/admin/customers/${gw.customerId}/keys`)).body.data.find(
      (k: { id: string }) => k.id === id,
    );
    expect(Object.keys(updated.body).sort()).toEqual(Object.keys(listed).sort());
    expect(JSON.stringify(updated.body)).not.toMatch(/hash/i);
    expect(JSON.stringify(updated.body)).not.toContain(created.body.key);
    // fields left out stay; null clears
    const cleared = await admin('PATCH', `/admin/keys/${id}`, { models: null, expiresAt: null });
    expect(cleared.body).toMatchObject({
      name: 'ci-2',
      allowedModels: null,
      tpmLimit: 5000,
      expiresAt: null,
    });
  });

  it('changes what the key may do at once, on a replica with a cached key', async () => {
    const created = await admin('POST', `/admin/customers/${gw.customerId}/keys`, { name: 'scoped' });
    const { id, key } = created.body as { id: string; key: string };
    const model = () => call('GET', '/v1/models/qwen3:0.6b', { token: key });
    expect((await model()).status).toBe(200); // now cached for 60 s

    await admin('PATCH', `/admin/keys/${id}`, { models: ['llama3*'] });
    await eventually(async () => expect((await model()).status).toBe(404));
    expect((await call('GET', '/v1/models/llama3.2:latest', { token: key })).status).toBe(200);

    await admin('PATCH', `/admin/keys/${id}`, { expiresAt: '2020-01-01T00:00:00Z' });
    await eventually(async () => expect((await call('GET', '/v1/usage', { token: key })).status).toBe(401));

    await admin('PATCH', `/admin/keys/${id}`, { models: null, expiresAt: null });
    await eventually(async () => expect((await model()).status).toBe(200));
  });

  it('answers 400 for a bad body and 404 key_not_found for an unknown key', async () => {
    const { keyId } = await gw.createKey();
    for (const body of [
      { rpm: 0 },
      { models: [] },
      { name: '' },
      { expiresAt: 'tomorrow' },
      { isAdmin: true },
    ]) {
      const bad = await admin('PATCH', `/admin/keys/${keyId}`, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request_body');
    }
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const missing = await admin('PATCH', `/admin/keys/${id}`, { rpm: 10 });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('key_not_found');
    }
  });
});

describe('/admin/reference-prices', () => {
  it('lists, upserts, and makes a new default the only one', async () => {
    const list = await admin('GET', '/admin/reference-prices');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      object: 'list',
      data: [
        { name: 'gpt-4o-mini', inputPerMillion: '0.150000', outputPerMillion: '0.600000', isDefault: true },
        { name: 'gpt-4o', inputPerMillion: '2.500000', outputPerMillion: '10.000000', isDefault: false },
      ],
    });
    const created = await admin('PUT', '/admin/reference-prices/claude-3.5-haiku', {
      inputPerMillion: 0.8,
      outputPerMillion: 4,
      isDefault: true,
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      name: 'claude-3.5-haiku',
      inputPerMillion: '0.800000',
      outputPerMillion: '4.000000',
      isDefault: true,
    });
    const after = (await admin('GET', '/admin/reference-prices')).body.data;
    expect(
      after.filter((p: { isDefault: boolean }) => p.isDefault).map((p: { name: string }) => p.name),
    ).toEqual(['claude-3.5-haiku']);
    const changed = await admin('PUT', '/admin/reference-prices/gpt-4o', {
      inputPerMillion: 2,
      outputPerMillion: 8,
    });
    expect(changed.body).toMatchObject({ inputPerMillion: '2.000000', isDefault: false });
    // every replica is told to re-read its prices
    await eventually(async () => expect(pricesChanged).toEqual(['*', '*']));
  });

  it('answers 400 for a bad body or an amount too large to store', async () => {
    for (const body of [
      { inputPerMillion: -1, outputPerMillion: 1 },
      { inputPerMillion: 1 },
      { inputPerMillion: '1', outputPerMillion: 1 },
      { inputPerMillion: 1, outputPerMillion: 1, currency: 'EUR' },
      { inputPerMillion: 1e12, outputPerMillion: 1 },
    ]) {
      const bad = await admin('PUT', '/admin/reference-prices/gpt-4o', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request_body');
    }
  });
});

describe('/admin/settings/electricity', () => {
  it('shows the env defaults, stores a setting, and resets to env', async () => {
    expect((await admin('GET', '/admin/settings/electricity')).body).toEqual({
      gpuWatts: 350,
      pricePerKwh: 0.15,
      source: 'env',
    });
    const set = await admin('PUT', '/admin/settings/electricity', { gpuWatts: 420.5, pricePerKwh: 0.31 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ gpuWatts: 420.5, pricePerKwh: 0.31, source: 'settings' });
    expect((await admin('GET', '/admin/settings/electricity')).body).toEqual(set.body);
    const row = await gw.database.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', 'electricity')
      .executeTakeFirstOrThrow();
    expect(row.value).toEqual({ gpuWatts: 420.5, pricePerKwh: 0.31 });

    const reset = await admin('DELETE', '/admin/settings/electricity');
    expect(reset.body).toEqual({ gpuWatts: 350, pricePerKwh: 0.15, source: 'env' });
    expect((await admin('GET', '/admin/settings/electricity')).body.source).toBe('env');
  });

  it('answers 400 for a bad body; unknown admin URLs are still 404', async () => {
    for (const body of [
      { gpuWatts: -1, pricePerKwh: 0.1 },
      { gpuWatts: 100 },
      { gpuWatts: 100, pricePerKwh: 5000 },
      { gpuWatts: 100, pricePerKwh: 0.1, source: 'settings' },
    ]) {
      const bad = await admin('PUT', '/admin/settings/electricity', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('invalid_request_body');
    }
    const unknown = await admin('GET', '/admin/settings/currency');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_url');
  });
});
