import { generateApiKey, hashApiKey } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { type ApiKeysRepository, createApiKeysRepository } from './api-keys.repository.js';
import { createCustomersRepository } from './customers.repository.js';

const SECRET = 'test-secret';
let testDb: TestDatabase;
let keys: ApiKeysRepository;
let customerId: string;

beforeAll(async () => {
  testDb = await createTestDatabase('apikeys');
  keys = createApiKeysRepository(testDb.db);
  customerId = (await createCustomersRepository(testDb.db).create({ name: 'Acme', email: 'a@acme.test' })).id;
});
afterAll(async () => {
  await testDb?.drop();
});

function newKey() {
  const { key, prefix } = generateApiKey();
  return { key, prefix, secretHash: hashApiKey(key, SECRET) };
}

describe('api keys repository', () => {
  it('creates a key with limits and finds it by the hash of its secret, with the customer status', async () => {
    const k = newKey();
    const expiresAt = new Date(Date.now() + 86_400_000);
    const created = await keys.create({
      customerId,
      name: 'ci',
      prefix: k.prefix,
      secretHash: k.secretHash,
      allowedModels: ['llama3*', 'qwen*'],
      rpmLimit: 60,
      tpmLimit: 10_000,
      maxConcurrency: 2,
      expiresAt,
    });
    expect(created).toMatchObject({ customerId, name: 'ci', prefix: k.prefix, isAdmin: false, rpmLimit: 60 });
    expect(created).not.toHaveProperty('secretHash');

    const found = await keys.findByHash(hashApiKey(k.key, SECRET));
    expect(found).toEqual({
      id: created.id,
      customerId,
      name: 'ci',
      prefix: k.prefix,
      isAdmin: false,
      allowedModels: ['llama3*', 'qwen*'],
      allowedEndpoints: null,
      rpmLimit: 60,
      tpmLimit: 10_000,
      maxConcurrency: 2,
      priority: 0,
      expiresAt,
      revokedAt: null,
      customerStatus: 'active',
    });
    expect(await keys.findById(created.id)).toEqual(found);
    expect(await keys.findByHash(hashApiKey(k.key, 'another-secret'))).toBeNull();
  });

  it('stores the hash, never the key', async () => {
    const k = newKey();
    const created = await keys.create({ customerId, prefix: k.prefix, secretHash: k.secretHash });
    const row = await testDb.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(k.secretHash);
    expect(JSON.stringify(row)).not.toContain(k.key);
    expect(row.name).toBe('default');
  });

  it('reports a suspended customer on the auth key', async () => {
    const suspended = await createCustomersRepository(testDb.db).create({ name: 'Late payer' });
    await testDb.db
      .updateTable('customers')
      .set({ status: 'suspended' })
      .where('id', '=', suspended.id)
      .execute();
    const k = newKey();
    await keys.create({
      customerId: suspended.id,
      prefix: k.prefix,
      secretHash: k.secretHash,
      isAdmin: true,
    });
    expect(await keys.findByHash(k.secretHash)).toMatchObject({ customerStatus: 'suspended', isAdmin: true });
  });

  it('lists a customer’s keys newest first, without hashes', async () => {
    const other = await createCustomersRepository(testDb.db).create({ name: 'Lister' });
    const first = await keys.create({ customerId: other.id, name: 'one', ...pick(newKey()) });
    const second = await keys.create({ customerId: other.id, name: 'two', ...pick(newKey()) });
    const listed = await keys.listByCustomer(other.id);
    expect(listed.map((k) => k.id)).toEqual([second.id, first.id]);
    for (const k of listed) expect(Object.keys(k)).not.toContain('secretHash');
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/);
    expect(await keys.listByCustomer('nope')).toEqual([]);
  });

  it('revokes once: a second revoke keeps the first time; unknown ids report false', async () => {
    const created = await keys.create({ customerId, ...pick(newKey()) });
    expect(await keys.revoke(created.id)).toBe(true);
    const revokedAt = (await keys.findById(created.id))!.revokedAt;
    expect(revokedAt).toBeInstanceOf(Date);
    expect(await keys.revoke(created.id)).toBe(true);
    expect((await keys.findById(created.id))!.revokedAt).toEqual(revokedAt);
    expect(await keys.revoke('00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await keys.revoke('not-a-uuid')).toBe(false);
  });

  it('touches last_used_at for a batch in one call and never moves it backwards', async () => {
    const a = await keys.create({ customerId, ...pick(newKey()) });
    const b = await keys.create({ customerId, ...pick(newKey()) });
    const t1 = new Date('2030-01-01T10:00:00Z');
    const t0 = new Date('2030-01-01T09:00:00Z');
    expect(await keys.touchLastUsed([a.id, b.id, a.id], t1)).toBe(2);
    expect(await keys.touchLastUsed([a.id], t0)).toBe(0);
    const listed = await keys.listByCustomer(customerId);
    expect(listed.find((k) => k.id === a.id)!.lastUsedAt).toEqual(t1);
    expect(listed.find((k) => k.id === b.id)!.lastUsedAt).toEqual(t1);
    expect(await keys.touchLastUsed([], t1)).toBe(0);
  });

  it('updates only the fields given, null clearing; unknown ids are null', async () => {
    const created = await keys.create({
      customerId,
      name: 'patch-me',
      ...pick(newKey()),
      allowedModels: ['llama3*'],
      rpmLimit: 60,
      tpmLimit: 1000,
    });
    const expiresAt = new Date('2031-01-01T00:00:00Z');
    const updated = await keys.update(created.id, {
      name: 'patched',
      allowedModels: null,
      rpmLimit: 5,
      expiresAt,
    });
    expect(updated).toMatchObject({
      id: created.id,
      name: 'patched',
      allowedModels: null,
      rpmLimit: 5,
      tpmLimit: 1000,
      maxConcurrency: null,
      expiresAt,
      prefix: created.prefix,
    });
    expect(updated).not.toHaveProperty('secretHash');
    expect(
      await keys.update(created.id, { tpmLimit: null, maxConcurrency: 3, expiresAt: null }),
    ).toMatchObject({
      name: 'patched',
      rpmLimit: 5,
      tpmLimit: null,
      maxConcurrency: 3,
      expiresAt: null,
    });
    expect(await keys.update(created.id, {})).toMatchObject({ id: created.id, maxConcurrency: 3 });
    expect(await keys.update('00000000-0000-4000-8000-000000000000', { rpmLimit: 1 })).toBeNull();
    expect(await keys.update('not-a-uuid', { rpmLimit: 1 })).toBeNull();
  });

  it('refuses a key for a customer that does not exist', async () => {
    await expect(
      keys.create({ customerId: '00000000-0000-4000-8000-000000000000', ...pick(newKey()) }),
    ).rejects.toMatchObject({ status: 404, code: 'customer_not_found' });
  });
});

function pick(k: { prefix: string; secretHash: string }) {
  return { prefix: k.prefix, secretHash: k.secretHash };
}
