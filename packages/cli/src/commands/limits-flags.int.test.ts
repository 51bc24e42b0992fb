// generate-key --endpoints and update-customer's budget flags (--budget-period, --soft-limit-percent, --webhook-url,
// --markup-percent): stored in the columns the gateway reads, bad values are usage errors (exit 2).
import { createCustomersRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

const SECRET = 'cli-test-secret-0123456789';
let testDb: TestDatabase;
let customerId: string;
const cli = (...args: string[]) => runGatewayctl(args, { DATABASE_URL: testDb.url, KEY_HASH_SECRET: SECRET });

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-limits-flags');
  customerId = (
    await createCustomersRepository(testDb.db).create({ name: 'Acme', email: 'ops@acme.example' })
  ).id;
});
afterAll(async () => {
  await testDb?.drop();
});

const customerRow = () =>
  testDb.db.selectFrom('customers').selectAll().where('id', '=', customerId).executeTakeFirstOrThrow();

describe('gatewayctl generate-key --endpoints', () => {
  it('stores paths, globs and dialects', async () => {
    const run = await cli(
      'generate-key',
      customerId,
      '--endpoints',
      '/v1/chat/completions, /api/*,Dialect:Anthropic',
      '--json',
    );
    expect(run.code).toBe(0);
    const key = onlyJson(run.stdout);
    expect(key.allowedEndpoints).toEqual(['/v1/chat/completions', '/api/*', 'dialect:anthropic']);
    const row = await testDb.db
      .selectFrom('api_keys')
      .select('allowed_endpoints')
      .where('id', '=', key.id as string)
      .executeTakeFirstOrThrow();
    expect(row.allowed_endpoints).toEqual(['/v1/chat/completions', '/api/*', 'dialect:anthropic']);
  });

  it('shows them in human mode, and refuses entries that are neither a path nor a dialect', async () => {
    const human = await cli('generate-key', customerId, '--endpoints', 'dialect:ollama');
    expect(human.stdout).toContain('endpoints: dialect:ollama');
    for (const bad of ['v1/chat', 'dialect:gemini', '', '/v1/a b']) {
      const run = await cli('generate-key', customerId, '--endpoints', bad);
      expect(run.code, bad).toBe(2);
    }
  });
});

describe('gatewayctl update-customer budget flags', () => {
  it('sets period, soft limit, webhook and markup', async () => {
    const run = await cli(
      'update-customer',
      customerId,
      '--budget',
      '12.5',
      '--budget-period',
      'one_off',
      '--soft-limit-percent',
      '75',
      '--webhook-url',
      'https://hooks.example.test/budget',
      '--markup-percent',
      '-12.5',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({
      budget: 12.5,
      budgetPeriod: 'one_off',
      softLimitPercent: 75,
      webhookUrl: 'https://hooks.example.test/budget',
      markupPercent: -12.5,
    });
    const row = await customerRow();
    expect(row).toMatchObject({
      budget_period: 'one_off',
      soft_limit_percent: 75,
      webhook_url: 'https://hooks.example.test/budget',
    });
    expect(Number(row.price_markup_percent)).toBe(-12.5);
  });

  it('"none" and "default" go back to the gateway defaults; other fields stay', async () => {
    const run = await cli(
      'update-customer',
      customerId,
      '--webhook-url',
      'none',
      '--soft-limit-percent',
      'default',
      '--budget-period',
      'monthly',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('budget period: monthly');
    const row = await customerRow();
    expect(row).toMatchObject({ budget_period: 'monthly', soft_limit_percent: null, webhook_url: null });
    expect(Number(row.price_markup_percent)).toBe(-12.5);
    expect(Number(row.budget)).toBe(12.5);
  });

  it('refuses bad values with exit 2 and changes nothing', async () => {
    for (const args of [
      ['--budget-period', 'weekly'],
      ['--soft-limit-percent', '0'],
      ['--soft-limit-percent', '101'],
      ['--webhook-url', 'ftp://x.test/'],
      ['--webhook-url', 'not a url'],
      ['--markup-percent', '-101'],
      ['--markup-percent', 'abc'],
    ]) {
      const run = await cli('update-customer', customerId, ...args);
      expect(run.code, args.join(' ')).toBe(2);
    }
    expect((await customerRow()).budget_period).toBe('monthly');
  }, 60_000); // seven CLI start-ups in a row: slow on a loaded 2-core machine
});
