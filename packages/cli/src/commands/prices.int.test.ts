import { createPricingRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

let testDb: TestDatabase;
const cli = (...args: string[]) => runGatewayctl(args, { DATABASE_URL: testDb.url });

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-prices');
});
afterAll(async () => {
  await testDb?.drop();
});

describe('gatewayctl set-price / list-prices', () => {
  it('a first price applies to all time; a change applies from now and keeps the old row', async () => {
    const first = await cli('set-price', 'llama3*', '--input', '0.2', '--output', '0.6', '--json');
    expect(first.code).toBe(0);
    expect(onlyJson(first.stdout)).toMatchObject({
      provider: 'ollama',
      model: 'llama3*',
      inputPerMillion: 0.2,
      outputPerMillion: 0.6,
      perRequest: 0,
      effectiveFrom: '1970-01-01T00:00:00.000Z',
    });

    const before = Date.now();
    const change = await cli(
      'set-price',
      'llama3*',
      '--input',
      '0.3',
      '--output',
      '0.9',
      '--per-request',
      '0.001',
      '--json',
    );
    expect(change.code).toBe(0);
    const changedFrom = new Date(onlyJson(change.stdout).effectiveFrom as string).getTime();
    expect(changedFrom).toBeGreaterThanOrEqual(before - 1000);

    const pricing = createPricingRepository(testDb.db);
    expect(
      (await pricing.findEffective('ollama', 'llama3:8b', new Date('2020-01-01Z')))?.inputPerMillion,
    ).toBe(0.2);
    expect(
      (await pricing.findEffective('ollama', 'llama3:8b', new Date(Date.now() + 1000)))?.perRequest,
    ).toBe(0.001);
  });

  it('takes --from and --provider, and lists prices with their status and the reference price', async () => {
    const scheduled = await cli(
      'set-price',
      '*',
      '--input',
      '0.1',
      '--output',
      '0.1',
      '--from',
      '2099-01-01',
      '--json',
    );
    expect(scheduled.code).toBe(0);
    const cloud = await cli(
      'set-price',
      'gpt-4o-mini',
      '--input',
      '0.15',
      '--output',
      '0.6',
      '--provider',
      'openai',
    );
    expect(cloud.code).toBe(0);
    expect(cloud.stdout).toContain('Price for openai/gpt-4o-mini');

    const json = await cli('list-prices', '--json');
    const { prices, referencePrice } = onlyJson(json.stdout) as {
      prices: { provider: string; model: string; inputPerMillion: number; status: string }[];
      referencePrice: { name: string } | null;
    };
    expect(prices.map((p) => [p.provider, p.model, p.inputPerMillion, p.status])).toEqual([
      ['ollama', '*', 0.1, 'scheduled'],
      ['ollama', 'llama3*', 0.3, 'current'],
      ['ollama', 'llama3*', 0.2, 'superseded'],
      ['openai', 'gpt-4o-mini', 0.15, 'current'],
    ]);
    expect(referencePrice?.name).toBe('gpt-4o-mini');

    const table = await cli('list-prices');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^PROVIDER\s+MODEL\s+INPUT\/1M\s+OUTPUT\/1M\s+PER REQUEST\s+FROM\s+STATUS$/,
    );
    expect(table.stdout).toMatch(/llama3\*\s+0\.2\s+0\.6\s+0\s+always\s+superseded/);
  });

  it('rejects bad amounts, dates, providers and missing options as usage errors', async () => {
    for (const { args, run } of await Promise.all(
      [
        ['set-price', 'm', '--input', '1'],
        ['set-price', 'm', '--input', 'abc', '--output', '1'],
        ['set-price', 'm', '--input', '-1', '--output', '1'],
        ['set-price', 'm', '--input', '1', '--output', '1', '--provider', 'acme'],
        ['set-price', 'm', '--input', '1', '--output', '1', '--from', 'soon'],
        ['set-price', 'bad model', '--input', '1', '--output', '1'],
      ].map(async (args) => ({ args, run: await cli(...args, '--json') })),
    )) {
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(typeof onlyJson(run.stderr).error).toBe('string');
    }
  });
});
