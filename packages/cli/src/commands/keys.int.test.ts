import { createApiKeysRepository, createCustomersRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { hashApiKey } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

const SECRET = 'cli-test-secret-0123456789';
let testDb: TestDatabase;
let customerId: string;
const cli = (...args: string[]) => runGatewayctl(args, { DATABASE_URL: testDb.url, KEY_HASH_SECRET: SECRET });

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-keys');
  customerId = (
    await createCustomersRepository(testDb.db).create({ name: 'Acme', email: 'ops@acme.example' })
  ).id;
});
afterAll(async () => {
  await testDb?.drop();
});

describe('gatewayctl generate-key', () => {
  it('prints the key once; the database holds only its HMAC, never the key', async () => {
    const run = await cli('generate-key', customerId, '--name', 'n8n', '--json');
    expect(run.code).toBe(0);
    const out = onlyJson(run.stdout);
    const key = out.key as string;
    expect(key).toMatch(/^sk-og-[0-9A-Za-z]{40}$/);
    expect(out).toMatchObject({ prefix: key.slice(0, 14), name: 'n8n', customerId });

    const row = await testDb.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', out.id as string)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(hashApiKey(key, SECRET));
    expect(row.prefix).toBe(key.slice(0, 14));
    expect(JSON.stringify(row)).not.toContain(key.slice(14));
  });

  it('stores the limits, model patterns, expiry and admin flag it was given', async () => {
    const expires = new Date(Date.now() + 30 * 86_400_000);
    const run = await cli(
      'generate-key',
      customerId,
      '--models',
      'llama3*, qwen*',
      '--rpm',
      '60',
      '--tpm',
      '20000',
      '--concurrency',
      '3',
      '--expires',
      expires.toISOString(),
      '--admin',
      '--json',
    );
    expect(run.code).toBe(0);
    const id = onlyJson(run.stdout).id as string;
    const stored = await createApiKeysRepository(testDb.db).findById(id);
    expect(stored).toMatchObject({
      allowedModels: ['llama3*', 'qwen*'],
      rpmLimit: 60,
      tpmLimit: 20000,
      maxConcurrency: 3,
      expiresAt: expires,
      isAdmin: true,
    });
  });

  it('in human mode shows the key exactly once and says it will not be shown again', async () => {
    const run = await cli('generate-key', customerId);
    expect(run.code).toBe(0);
    const keys = run.stdout.match(/sk-og-[0-9A-Za-z]{40}/g) ?? [];
    expect(keys).toHaveLength(1);
    expect(run.stdout).toContain('it will not be shown again');
  });

  it('without KEY_HASH_SECRET says how to get it, exit 1, and creates nothing', async () => {
    const before = (await createApiKeysRepository(testDb.db).listByCustomer(customerId)).length;
    const run = await runGatewayctl(['generate-key', customerId], { DATABASE_URL: testDb.url });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'Error: KEY_HASH_SECRET is not set: run "make up" once (it writes .env) or set it to the same value the gateway uses',
    );
    expect((await createApiKeysRepository(testDb.db).listByCustomer(customerId)).length).toBe(before);
  });

  it('rejects an unknown customer (exit 1) and a non-UUID id or bad option (exit 2)', async () => {
    const unknown = await cli('generate-key', '00000000-0000-4000-8000-000000000000', '--json');
    expect(unknown.code).toBe(1);
    expect(onlyJson(unknown.stderr).error).toBe(
      'No customer with id 00000000-0000-4000-8000-000000000000; run "npx gatewayctl list-customers"',
    );
    for (const { args, run } of await Promise.all(
      [
        ['generate-key', 'acme'],
        ['generate-key', customerId, '--rpm', '0'],
        ['generate-key', customerId, '--tpm', '1.5'],
        ['generate-key', customerId, '--expires', '2001-01-01'],
        ['generate-key', customerId, '--expires', 'tomorrow'],
        ['generate-key', customerId, '--models', 'llama 3'],
      ].map(async (args) => ({ args, run: await cli(...args) })),
    ))
      expect(run.code, args.join(' ')).toBe(2);
  });
});

describe('gatewayctl list-keys / revoke-key', () => {
  it('lists keys with status and never the key or its hash', async () => {
    const other = await createCustomersRepository(testDb.db).create({
      name: 'Lister',
      email: 'l@acme.example',
    });
    const made = onlyJson((await cli('generate-key', other.id, '--name', 'live', '--json')).stdout);
    const toRevoke = onlyJson((await cli('generate-key', other.id, '--name', 'old', '--json')).stdout);
    await createApiKeysRepository(testDb.db).create({
      customerId: other.id,
      name: 'lapsed',
      prefix: 'sk-og-Expired0',
      secretHash: 'f'.repeat(64),
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await cli('revoke-key', toRevoke.id as string)).code).toBe(0);

    const json = await cli('list-keys', other.id, '--json');
    expect(json.code).toBe(0);
    const { keys } = onlyJson(json.stdout) as { keys: { name: string; status: string }[] };
    expect(Object.fromEntries(keys.map((k) => [k.name, k.status]))).toEqual({
      live: 'active',
      old: 'revoked',
      lapsed: 'expired',
    });

    const table = await cli('list-keys', other.id);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID\s+PREFIX\s+NAME\s+STATUS\s+MODELS\s+EXPIRES\s+LAST USED$/,
    );
    for (const output of [json.stdout, table.stdout]) {
      expect(output).not.toContain(made.key as string);
      expect(output).not.toContain(hashApiKey(made.key as string, SECRET));
      expect(output).not.toContain('f'.repeat(64));
      expect(output).not.toMatch(/secret|hash/i);
    }
    expect(table.stdout).toContain(`${made.prefix as string}…`);
  });

  it('revokes: the key stops being active, a second revoke keeps the first time, unknown ids fail', async () => {
    const made = onlyJson((await cli('generate-key', customerId, '--json')).stdout);
    const first = await cli('revoke-key', made.id as string, '--json');
    expect(first.code).toBe(0);
    const revoked = onlyJson(first.stdout);
    expect(revoked).toMatchObject({ id: made.id, alreadyRevoked: false });
    const stored = await createApiKeysRepository(testDb.db).findById(made.id as string);
    expect(stored?.revokedAt?.toISOString()).toBe(revoked.revokedAt);

    const again = await cli('revoke-key', made.id as string);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('was already revoked');

    const unknown = await cli('revoke-key', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No key with id 00000000-0000-4000-8000-000000000000');
    expect((await cli('revoke-key', made.key as string)).code).toBe(2);
  });

  it('list-keys on an unknown customer fails with a hint', async () => {
    const run = await cli('list-keys', '00000000-0000-4000-8000-000000000000');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('run "npx gatewayctl list-customers"');
  });
});
