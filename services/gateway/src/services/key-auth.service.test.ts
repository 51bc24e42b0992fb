import { AppError, generateApiKey, hashApiKey } from '@ollama-gateway/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AuthKey,
  createKeyAuthService,
  extractApiKey,
  globToRegExp,
  isModelAllowed,
  type KeyAuthService,
  type KeyStore,
  MISSING_KEY_MESSAGE,
  maskKey,
} from './key-auth.service.js';

const SECRET = 'test-hash-secret';
const KEY_ID = '8f0e2c1a-4b3d-4e5f-9a8b-7c6d5e4f3a2b';
const CUSTOMER_ID = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

const authKey = (fields: Partial<AuthKey> = {}): AuthKey => ({
  id: KEY_ID,
  customerId: CUSTOMER_ID,
  name: 'test',
  prefix: 'sk-og-AbCd1234',
  isAdmin: false,
  allowedModels: null,
  allowedEndpoints: null,
  rpmLimit: null,
  tpmLimit: null,
  maxConcurrency: null,
  priority: 0,
  expiresAt: null,
  revokedAt: null,
  customerStatus: 'active',
  ...fields,
});

/** A plain in-memory store that counts lookups and records touches. */
class FakeStore implements KeyStore {
  readonly byHash = new Map<string, AuthKey>();
  findByHashCalls = 0;
  findByIdCalls = 0;
  touches: { ids: string[]; at: Date }[] = [];
  failTouch = false;

  add(raw: string, key: AuthKey): void {
    this.byHash.set(hashApiKey(raw, SECRET), key);
  }
  async findByHash(hash: string): Promise<AuthKey | null> {
    this.findByHashCalls++;
    return this.byHash.get(hash) ?? null;
  }
  async findById(id: string): Promise<AuthKey | null> {
    this.findByIdCalls++;
    return [...this.byHash.values()].find((key) => key.id === id) ?? null;
  }
  async touchLastUsed(ids: string[], at: Date): Promise<number> {
    if (this.failTouch) throw new Error('db down');
    this.touches.push({ ids: [...ids].sort(), at });
    return ids.length;
  }
}

let clock = 1_700_000_000_000;
const services: KeyAuthService[] = [];
function setup(ttl = 30_000) {
  clock = 1_700_000_000_000;
  const store = new FakeStore();
  const service = createKeyAuthService({ store, hashSecret: SECRET, cacheTtlMs: ttl, now: () => clock });
  services.push(service);
  return { store, service };
}
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

async function authError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('KeyAuthService.authenticate', () => {
  it('returns the key for a valid, active key', async () => {
    const { store, service } = setup();
    const { key } = generateApiKey();
    store.add(key, authKey());
    await expect(service.authenticate(key)).resolves.toEqual(authKey());
  });

  it.each([undefined, ''])('missing key (%j) → 401 with OpenAI wording and code null', async (raw) => {
    const { store, service } = setup();
    const error = await authError(service.authenticate(raw));
    expect(error.status).toBe(401);
    expect(error.code).toBeNull();
    expect(error.message).toBe(MISSING_KEY_MESSAGE);
    expect(error.message).toMatch(/^You didn't provide an API key\./);
    expect(store.findByHashCalls).toBe(0);
  });

  it('malformed key → 401 invalid_api_key without a store lookup, key masked', async () => {
    const { store, service } = setup();
    const raw = 'sk-proj-1234567890abcdefghijklmnopqrstuvwxyz';
    const error = await authError(service.authenticate(raw));
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(error.message).toMatch(/^Incorrect API key provided: /);
    expect(error.message).not.toContain(raw);
    expect(store.findByHashCalls).toBe(0);
  });

  it('unknown well-formed key → 401 invalid_api_key, masked as prefix…last4', async () => {
    const { service } = setup();
    const { key } = generateApiKey();
    const error = await authError(service.authenticate(key));
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(error.message).toBe(`Incorrect API key provided: ${key.slice(0, 10)}…${key.slice(-4)}.`);
    expect(error.message).not.toContain(key);
  });

  it('revoked → 401 invalid_api_key', async () => {
    const { store, service } = setup();
    const { key } = generateApiKey();
    store.add(key, authKey({ revokedAt: new Date(clock - 1000) }));
    const error = await authError(service.authenticate(key));
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(error.message).toMatch(/revoked/);
    expect(error.message).not.toContain(key);
  });

  it('expired → 401 (and a key expiring later works until then)', async () => {
    const { store, service } = setup(60_000);
    const { key } = generateApiKey();
    store.add(key, authKey({ expiresAt: new Date(clock + 10_000) }));
    await expect(service.authenticate(key)).resolves.toMatchObject({ id: KEY_ID });
    clock += 10_000; // still cached, but the expiry is checked against now
    const error = await authError(service.authenticate(key));
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(error.message).toMatch(/expired/);
  });

  it('suspended customer → 403 account_suspended', async () => {
    const { store, service } = setup();
    const { key } = generateApiKey();
    store.add(key, authKey({ customerStatus: 'suspended' }));
    const error = await authError(service.authenticate(key));
    expect(error).toMatchObject({ status: 403, kind: 'permission', code: 'account_suspended' });
  });
});

describe('KeyAuthService cache', () => {
  it('hits the store once within the TTL and again after it', async () => {
    const { store, service } = setup(30_000);
    const { key } = generateApiKey();
    store.add(key, authKey());
    await service.authenticate(key);
    clock += 29_999;
    await service.authenticate(key);
    expect(store.findByHashCalls).toBe(1);
    clock += 1;
    await service.authenticate(key);
    expect(store.findByHashCalls).toBe(2);
  });

  it('caches misses too', async () => {
    const { store, service } = setup(30_000);
    const { key } = generateApiKey();
    await authError(service.authenticate(key));
    await authError(service.authenticate(key));
    expect(store.findByHashCalls).toBe(1);
    clock += 30_000;
    await authError(service.authenticate(key));
    expect(store.findByHashCalls).toBe(2);
  });

  it('a revocation takes effect once the cached entry expires', async () => {
    const { store, service } = setup(5_000);
    const { key } = generateApiKey();
    store.add(key, authKey());
    await service.authenticate(key);
    store.add(key, authKey({ revokedAt: new Date(clock) }));
    await expect(service.authenticate(key)).resolves.toBeTruthy();
    clock += 5_000;
    await expect(service.authenticate(key)).rejects.toMatchObject({ status: 401 });
  });
});

describe('KeyAuthService.authenticateById', () => {
  it('loads and checks a key by id, cached; reuses the entry authenticate() cached', async () => {
    const { store, service } = setup();
    const { key } = generateApiKey();
    store.add(key, authKey());
    await expect(service.authenticateById(KEY_ID)).resolves.toMatchObject({ id: KEY_ID });
    await service.authenticateById(KEY_ID);
    expect(store.findByIdCalls).toBe(1);

    const other = setup();
    other.store.add(key, authKey());
    await other.service.authenticate(key);
    await other.service.authenticateById(KEY_ID);
    expect(other.store.findByIdCalls).toBe(0);
  });

  it('unknown or malformed id → 401 invalid_api_key; malformed ids never reach the store', async () => {
    const { store, service } = setup();
    await expect(service.authenticateById('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
    await expect(service.authenticateById("1' OR 1=1 --")).rejects.toMatchObject({ status: 401 });
    expect(store.findByIdCalls).toBe(1);
  });

  it('applies the same checks (suspended → 403)', async () => {
    const { store, service } = setup();
    store.add(generateApiKey().key, authKey({ customerStatus: 'suspended' }));
    await expect(service.authenticateById(KEY_ID)).rejects.toMatchObject({ status: 403 });
  });
});

describe('KeyAuthService last-used tracking', () => {
  it('batches touches until flush(), once per key, only for successful authentications', async () => {
    const { store, service } = setup();
    const a = generateApiKey().key;
    const b = generateApiKey().key;
    const revoked = generateApiKey().key;
    const idB = '2a2b2c2d-1111-4222-8333-444455556666';
    store.add(a, authKey());
    store.add(b, authKey({ id: idB }));
    store.add(revoked, authKey({ id: '3a3b3c3d-1111-4222-8333-444455556666', revokedAt: new Date(0) }));
    await service.authenticate(a);
    await service.authenticate(a);
    await service.authenticate(b);
    await authError(service.authenticate(revoked));
    expect(store.touches).toEqual([]);
    clock += 1234;
    await service.flush();
    expect(store.touches).toEqual([{ ids: [idB, KEY_ID].sort(), at: new Date(clock) }]);
    await service.flush();
    expect(store.touches).toHaveLength(1);
  });

  it('a failing touch does not throw', async () => {
    const { store, service } = setup();
    const key = generateApiKey().key;
    store.add(key, authKey());
    store.failTouch = true;
    await service.authenticate(key);
    await expect(service.flush()).resolves.toBeUndefined();
  });

  it('close() flushes what is pending', async () => {
    const { store, service } = setup();
    const key = generateApiKey().key;
    store.add(key, authKey());
    await service.authenticate(key);
    await service.close();
    expect(store.touches).toHaveLength(1);
  });
});

describe('maskKey', () => {
  it('shows the recognisable start and the last 4 of a real key', () => {
    const { key } = generateApiKey();
    expect(maskKey(key)).toBe(`${key.slice(0, 10)}…${key.slice(-4)}`);
  });

  it('never reveals a whole key, nor more than half of it, whatever its length', () => {
    for (let length = 1; length <= 80; length++) {
      const key = Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      const masked = maskKey(key);
      const shown = masked.replace('…', '');
      expect(masked, `length ${length}`).toContain('…');
      expect(shown.length, `length ${length}`).toBeLessThanOrEqual(Math.floor(length / 2));
    }
  });
});

describe('extractApiKey', () => {
  it('reads Bearer (any case) and x-api-key; ignores other schemes', () => {
    expect(extractApiKey({ authorization: 'Bearer sk-og-abc' })).toBe('sk-og-abc');
    expect(extractApiKey({ authorization: '  bearer   sk-og-abc  ' })).toBe('sk-og-abc');
    expect(extractApiKey({ 'x-api-key': ' sk-og-xyz ' })).toBe('sk-og-xyz');
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'k' })).toBe('k');
    expect(extractApiKey({ 'x-api-key': '   ' })).toBeUndefined();
    expect(extractApiKey({})).toBeUndefined();
  });
});

describe('isModelAllowed and globToRegExp', () => {
  const allowed = (patterns: string[] | null, model: string) =>
    isModelAllowed({ allowedModels: patterns }, model);

  it('no list or an empty list allows every model', () => {
    expect(allowed(null, 'anything')).toBe(true);
    expect(allowed([], 'anything')).toBe(true);
  });

  it('supports * and ?', () => {
    expect(allowed(['*'], 'qwen3:0.6b')).toBe(true);
    expect(allowed(['llama3*'], 'llama3.2:latest')).toBe(true);
    expect(allowed(['llama3*'], 'llama3')).toBe(true);
    expect(allowed(['llama3*'], 'codellama3')).toBe(false);
    expect(allowed(['qwen?:*'], 'qwen3:0.6b')).toBe(true);
    expect(allowed(['qwen?:*'], 'qwen25:7b')).toBe(false);
    expect(allowed(['mistral', 'qwen?:*'], 'mistral')).toBe(true);
  });

  it('treats regex metacharacters in names literally', () => {
    expect(allowed(['llama3.2'], 'llama3x2')).toBe(false);
    expect(allowed(['llama3.2'], 'llama3.2')).toBe(true);
    expect(allowed(['a+b'], 'aab')).toBe(false);
    expect(allowed(['a+b'], 'a+b')).toBe(true);
    expect(allowed(['(x|y)'], 'x')).toBe(false);
    expect(allowed(['ns/model[1]:v$'], 'ns/model[1]:v$')).toBe(true);
    expect(allowed(['^llama'], 'llama')).toBe(false);
    expect(globToRegExp('a\\b').test('a\\b')).toBe(true);
  });

  it('is anchored and case-insensitive', () => {
    expect(globToRegExp('llama3').test('my-llama3-x')).toBe(false);
    expect(globToRegExp('Llama3*').test('LLAMA3.2')).toBe(true);
  });

  it('treats name and name:latest as the same model', () => {
    expect(allowed(['llama3.2'], 'llama3.2:latest')).toBe(true);
    expect(allowed(['llama3.2:latest'], 'llama3.2')).toBe(true);
    expect(allowed(['llama3.2'], 'llama3.2:1b')).toBe(false);
  });
});

describe('KeyAuthService while the store fails (DB_OUTAGE_GRACE_MS)', () => {
  class FailingStore extends FakeStore {
    down = false;
    override async findByHash(hash: string) {
      if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return super.findByHash(hash);
    }
    override async findById(id: string) {
      if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return super.findById(id);
    }
  }
  function outage(staleIfErrorMs: number) {
    clock = 1_700_000_000_000;
    const store = new FailingStore();
    const stale: unknown[] = [];
    const service = createKeyAuthService({
      store,
      hashSecret: SECRET,
      cacheTtlMs: 1000,
      staleIfErrorMs,
      onStale: (error) => stale.push(error),
      now: () => clock,
    });
    services.push(service);
    return { store, service, stale };
  }

  it('serves a key read within the grace, by secret and by id, and says so', async () => {
    const { store, service, stale } = outage(60_000);
    const { key } = generateApiKey();
    store.add(key, authKey());
    await service.authenticate(key);
    store.down = true;
    clock += 30_000;
    await expect(service.authenticate(key)).resolves.toEqual(authKey());
    await expect(service.authenticateById(KEY_ID)).resolves.toEqual(authKey());
    expect(stale).toHaveLength(2);
    // A stale answer is not a fresh read: once the store is back the next lookup reads it.
    store.down = false;
    const reads = store.findByHashCalls;
    await service.authenticate(key);
    expect(store.findByHashCalls).toBe(reads + 1);
  });

  it('refuses past the grace, for keys never seen, and with no grace at all', async () => {
    const { store, service } = outage(60_000);
    const { key } = generateApiKey();
    store.add(key, authKey());
    await service.authenticate(key);
    store.down = true;
    clock += 61_001;
    await expect(service.authenticate(key)).rejects.toThrow(/ECONNREFUSED/);
    await expect(service.authenticate(generateApiKey().key)).rejects.toThrow(/ECONNREFUSED/);

    const strict = outage(0);
    strict.store.add(key, authKey());
    await strict.service.authenticate(key);
    strict.store.down = true;
    clock += 1001;
    await expect(strict.service.authenticate(key)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('still applies expiry against the clock, and an evicted key is not served stale', async () => {
    const { store, service } = outage(60_000);
    const { key } = generateApiKey();
    store.add(key, authKey({ expiresAt: new Date(clock + 10_000) }));
    await service.authenticate(key);
    store.down = true;
    clock += 20_000;
    expect((await authError(service.authenticate(key))).message).toMatch(/has expired/);

    const other = generateApiKey().key;
    store.down = false;
    store.add(other, authKey({ id: '0b8e2c1a-4b3d-4e5f-9a8b-7c6d5e4f3a2c' }));
    await service.authenticate(other);
    service.evict('0b8e2c1a-4b3d-4e5f-9a8b-7c6d5e4f3a2c');
    store.down = true;
    await expect(service.authenticate(other)).rejects.toThrow(/ECONNREFUSED/);
  });
});
