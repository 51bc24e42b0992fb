import {
  createApiKeysRepository,
  createCustomersRepository,
  createSettingsRepository,
} from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { generateApiKey } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

// Each CLI run is a node process: tests keep to a few runs each (the 20 s test timeout holds on a busy machine).
let testDb: TestDatabase;
let customerId: string;
const cli = (...args: string[]) => runGatewayctl(args, { DATABASE_URL: testDb.url });

/** A key made directly in the database (faster than spawning generate-key). */
async function newKey(limits: { rpmLimit?: number; tpmLimit?: number } = {}): Promise<string> {
  const { prefix } = generateApiKey();
  const key = await createApiKeysRepository(testDb.db).create({
    customerId,
    prefix,
    secretHash: `hash-${prefix}`,
    ...limits,
  });
  return key.id;
}

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-settings');
  customerId = (await createCustomersRepository(testDb.db).create({ name: 'Acme', email: null })).id;
});
afterAll(async () => {
  await testDb?.drop();
});

describe('gatewayctl update-key', () => {
  it('changes only the options given; none/all/never clear', async () => {
    const id = await newKey({ rpmLimit: 60, tpmLimit: 900 });
    const run = await cli(
      'update-key',
      id,
      '--models',
      'llama3*,qwen*',
      '--rpm',
      '5',
      '--expires',
      '2031-01-01',
      '--json',
    );
    expect(run.code).toBe(0);
    const updated = onlyJson(run.stdout);
    expect(updated).toMatchObject({
      id,
      allowedModels: ['llama3*', 'qwen*'],
      rpmLimit: 5,
      tpmLimit: 900,
      expiresAt: '2031-01-01T00:00:00.000Z',
      status: 'active',
    });
    expect(updated).not.toHaveProperty('key');
    expect(JSON.stringify(updated)).not.toMatch(/hash/i);

    const cleared = await cli(
      'update-key',
      id,
      '--models',
      'all',
      '--tpm',
      'none',
      '--expires',
      'never',
      '--name',
      'ci',
    );
    expect(cleared.code).toBe(0);
    expect(cleared.stdout).toContain('Updated key "ci"');
    expect(cleared.stdout).toContain('models:  all');
    expect(cleared.stdout).toContain('limits:  5 req/min');
    const row = await testDb.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'ci',
      allowed_models: null,
      rpm_limit: 5,
      tpm_limit: null,
      expires_at: null,
    });
  });

  it('expires a key at once with a past --expires; an unknown key is an error (exit 1)', async () => {
    const id = await newKey();
    const expired = onlyJson(
      (await cli('update-key', id, '--expires', '2020-01-01T00:00:00Z', '--json')).stdout,
    );
    expect(expired.status).toBe('expired');
    const missing = await cli('update-key', '00000000-0000-4000-8000-000000000000', '--rpm', '1', '--json');
    expect(missing.code).toBe(1);
    expect(onlyJson(missing.stderr).error).toMatch(/No key with id/);
  });

  it('is a usage error (exit 2) with nothing to change or a bad value', async () => {
    const id = await newKey();
    expect((await cli('update-key', id)).code).toBe(2);
    expect((await cli('update-key', id, '--rpm', '0')).code).toBe(2);
    expect((await cli('update-key', id, '--models', 'bad model')).code).toBe(2);
  });
});

describe('gatewayctl set-reference-price', () => {
  it('upserts a reference price; --default makes it the only default', async () => {
    const run = await cli(
      'set-reference-price',
      'claude-haiku',
      '--input-per-1m',
      '0.8',
      '--output-per-1m',
      '4',
      '--default',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toEqual({
      name: 'claude-haiku',
      inputPerMillion: '0.800000',
      outputPerMillion: '4.000000',
      isDefault: true,
    });
    const rows = await testDb.db
      .selectFrom('reference_prices')
      .select('name')
      .where('is_default', '=', true)
      .execute();
    expect(rows.map((r) => r.name)).toEqual(['claude-haiku']);

    const human = await cli('set-reference-price', 'gpt-4o', '--input-per-1m', '2', '--output-per-1m', '8');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      'Reference price gpt-4o: 2.000000 input + 8.000000 output per million tokens',
    );
    expect(human.stdout).toContain('Not the default');
  });

  it('is a usage error without both amounts or with a negative one', async () => {
    expect((await cli('set-reference-price', 'gpt-4o', '--input-per-1m', '1')).code).toBe(2);
    expect(
      (await cli('set-reference-price', 'gpt-4o', '--input-per-1m', '-1', '--output-per-1m', '1')).code,
    ).toBe(2);
  });
});

describe('gatewayctl set-electricity', () => {
  it('stores the setting the billing worker reads, and --reset removes it', async () => {
    const settings = createSettingsRepository(testDb.db);
    const run = await cli('set-electricity', '--gpu-watts', '420.5', '--price-per-kwh', '0.31', '--json');
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toEqual({ gpuWatts: 420.5, pricePerKwh: 0.31, source: 'settings' });
    expect(await settings.getElectricity()).toEqual({ gpuWatts: 420.5, pricePerKwh: 0.31 });

    const reset = await cli('set-electricity', '--reset');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('Removed the electricity setting.');
    expect(await settings.getElectricity()).toBeNull();
    expect(onlyJson((await cli('set-electricity', '--reset', '--json')).stdout)).toEqual({
      source: 'env',
      removed: false,
    });
  });

  it('is a usage error without both values or with an out-of-range value', async () => {
    expect((await cli('set-electricity', '--gpu-watts', '350')).code).toBe(2);
    expect((await cli('set-electricity', '--gpu-watts', '200000', '--price-per-kwh', '0.1')).code).toBe(2);
  });

  it('is a usage error with a word for a number, or --reset with values', async () => {
    expect((await cli('set-electricity', '--gpu-watts', '350', '--price-per-kwh', 'cheap')).code).toBe(2);
    expect((await cli('set-electricity', '--reset', '--gpu-watts', '350')).code).toBe(2);
  });
});
