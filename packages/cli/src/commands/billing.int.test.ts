import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCustomersRepository, sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { type OllamaSim, startOllamaSim } from '@ollama-gateway/ollama-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, onlyJson, runGatewayctl } from '../testing/cli-harness.js';

let testDb: TestDatabase;
let sim: OllamaSim;
let dir: string;
let customerId: string;
const cli = (...args: string[]) =>
  runGatewayctl(args, { DATABASE_URL: testDb.url, OLLAMA_URL: sim.url, BILLING_TIME_ZONE: 'UTC' });

beforeAll(async () => {
  assertCliBuilt();
  testDb = await createTestDatabase('cli-billing');
  sim = await startOllamaSim({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'ogw-cli-'));
  customerId = (await createCustomersRepository(testDb.db).create({ name: 'Acme', email: 'a@acme.test' })).id;
  const month = new Date().toISOString().slice(0, 7);
  let n = 0;
  for (const [model, cost] of [
    ['llama3.2', '0.100000001'],
    ['llama3.2', '0.200000002'],
    ['qwen2.5', '0.300000003'],
    ['qwen2.5', '1.5'],
  ] as const) {
    n += 1;
    await testDb.db
      .insertInto('usage_events')
      .values({
        request_id: `cli-${n}`,
        occurred_at: `${month}-01T00:00:0${n}Z`,
        customer_id: customerId,
        model,
        provider: 'ollama',
        endpoint: '/v1/chat/completions',
        dialect: 'openai',
        status: 200,
        stream: false,
        prompt_tokens: 10 * n,
        completion_tokens: n,
        total_ms: 5,
        total_cost: cost,
      })
      .execute();
  }
});
afterAll(async () => {
  await sim?.close();
  await testDb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gatewayctl customers and plans', () => {
  it('update-customer changes fields, budget none removes the cap, and nothing-to-change is a usage error', async () => {
    const run = await cli(
      'update-customer',
      customerId,
      '--name',
      'Acme Inc',
      '--budget',
      '2',
      '--status',
      'suspended',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({ name: 'Acme Inc', budget: 2, status: 'suspended' });
    const none = await cli('update-customer', customerId, '--budget', 'none', '--status', 'active', '--json');
    expect(onlyJson(none.stdout)).toMatchObject({ budget: null, status: 'active' });
    expect((await cli('update-customer', customerId, '--json')).code).toBe(2);
    expect((await cli('update-customer', customerId, '--status', 'gone', '--json')).code).toBe(2);
    const missing = await cli(
      'update-customer',
      '00000000-0000-0000-0000-000000000000',
      '--name',
      'X',
      '--json',
    );
    expect(missing.code).toBe(1);
    expect(onlyJson(missing.stderr).error).toContain('No customer');
  });

  it('set-plan, list-plans and update-plan', async () => {
    const set = await cli('set-plan', customerId, 'basic', '--json');
    expect(onlyJson(set.stdout)).toMatchObject({ planName: 'Basic' });
    const bad = await cli('set-plan', customerId, 'Platinum', '--json');
    expect(bad.code).toBe(1);
    expect(onlyJson(bad.stderr).error).toContain('No plan named "Platinum"');

    const updated = await cli(
      'update-plan',
      'Basic',
      '--requests',
      '3',
      '--tokens',
      'unlimited',
      '--price',
      '10',
      '--json',
    );
    expect(onlyJson(updated.stdout)).toMatchObject({
      name: 'Basic',
      monthlyRequestQuota: 3,
      monthlyTokenQuota: null,
    });
    const { plans } = onlyJson((await cli('list-plans', '--json')).stdout) as { plans: { name: string }[] };
    expect(plans.map((p) => p.name).sort()).toEqual(['Basic', 'Business', 'Enterprise', 'Free', 'Pro']);
    expect((await cli('list-plans')).stdout).toMatch(/Basic\s+3\s+unlimited\s+10\.0000/);
  });
});

describe('gatewayctl pricing', () => {
  it('set-pricing with --input-per-1m/--output-per-1m and --customer; list-pricing is list-prices', async () => {
    const run = await cli(
      'set-pricing',
      'llama3*',
      '--input-per-1m',
      '0.2',
      '--output-per-1m',
      '0.6',
      '--per-request',
      '0.001',
      '--customer',
      customerId,
      '--json',
    );
    expect(run.code).toBe(0);
    expect(onlyJson(run.stdout)).toMatchObject({
      model: 'llama3*',
      inputPerMillion: 0.2,
      perRequest: 0.001,
      customerId,
    });
    expect((await cli('set-pricing', 'm', '--input-per-1m', '1', '--json')).code).toBe(2);
    const list = onlyJson((await cli('list-pricing', '--json')).stdout) as { prices: { model: string }[] };
    expect(list.prices.map((p) => p.model)).toContain('llama3*');
  });
});

describe('gatewayctl usage, budget, export and invoice', () => {
  it('usage-report totals equal the ledger to the last digit', async () => {
    const report = onlyJson((await cli('usage-report', customerId, '--json')).stdout) as {
      rows: { model: string; requests: number; totalCost: string }[];
      totals: { requests: number; totalCost: string; totalTokens: number };
    };
    expect(report.rows.map((r) => [r.model, r.requests, r.totalCost])).toEqual([
      ['llama3.2', 2, '0.300000003'],
      ['qwen2.5', 2, '1.800000003'],
    ]);
    expect(report.totals).toMatchObject({ requests: 4, totalCost: '2.100000006', totalTokens: 110 });
    expect((await cli('usage-report', customerId)).stdout).toMatch(/TOTAL\s+4\s+100\s+10\s+2\.100000006/);
  });

  it('check-budget shows spend, budget left and plan quota left', async () => {
    await cli('update-customer', customerId, '--budget', '5');
    const run = await cli('check-budget', customerId, '--json');
    expect(onlyJson(run.stdout)).toMatchObject({
      usage: { requests: 4, totalCost: '2.100000006' },
      budget: { limit: '5.0000', remaining: '2.899999994' },
      plan: { name: 'Basic', requestQuota: 3, requestsRemaining: 0 },
    });
    expect((await cli('check-budget', customerId)).stdout).toContain('remaining 2.899999994');
  });

  it('export-usage streams CSV with a header, and JSON to a file', async () => {
    const csv = await cli('export-usage', customerId, '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^request_id,occurred_at,api_key_id,model,/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain('cli-1');

    const file = join(dir, 'usage.json');
    const run = await cli('export-usage', customerId, '--format', 'json', '--output', file, '--json');
    expect(onlyJson(run.stdout)).toMatchObject({ rows: 4, output: file });
    const rows = JSON.parse(await readFile(file, 'utf8')) as { requestId: string; totalCost: string }[];
    expect(rows.map((r) => r.requestId)).toEqual(['cli-1', 'cli-2', 'cli-3', 'cli-4']);
    expect((await cli('export-usage', customerId, '--json')).code).toBe(2);
  });

  it('invoice as json, csv and text; totals equal the sum of usage_events plus the plan price', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const { rows } = await sql<{ total: string }>`
      SELECT sum(total_cost)::numeric(20, 9)::text AS total FROM usage_events WHERE customer_id = ${customerId}`.execute(
      testDb.db,
    );
    const json = onlyJson((await cli('invoice', customerId, '--month', month, '--format', 'json')).stdout);
    expect(json).toMatchObject({ usageAmount: rows[0]!.total, totalAmount: '12.100000006', requests: 4 });
    const csv = await cli('invoice', customerId, '--month', month, '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe(
      'model,requests,prompt_tokens,completion_tokens,total_tokens,amount,currency',
    );
    expect(csv.stdout).toContain('TOTAL,4,,,110,12.100000006,USD');
    expect((await cli('invoice', customerId, '--month', month)).stdout).toMatch(
      /TOTAL\s+4\s+110\s+12\.100000006/,
    );
    expect((await cli('invoice', customerId, '--month', '2025-13', '--json')).code).toBe(2);
  });
});

describe('gatewayctl models', () => {
  it('sync-models reads the simulator into model_metadata; list-models shows them', async () => {
    expect((await cli('list-models')).stdout).toContain('No models known yet');
    const run = await cli('sync-models', '--json');
    expect(run.code).toBe(0);
    const synced = onlyJson(run.stdout) as {
      synced: number;
      models: {
        model: string;
        family: string | null;
        contextLength: number | null;
        capabilities: string[];
        digest: string | null;
      }[];
    };
    expect(synced.synced).toBeGreaterThan(0);
    for (const model of synced.models) {
      expect(model.family).toBeTruthy();
      expect(model.digest).toBeTruthy();
      expect(model.capabilities.length).toBeGreaterThan(0);
    }
    expect(synced.models.some((m) => (m.contextLength ?? 0) > 0)).toBe(true);
    const list = onlyJson((await cli('list-models', '--json')).stdout) as { models: unknown[] };
    expect(list.models).toHaveLength(synced.synced);

    const down = await runGatewayctl(['sync-models', '--json'], {
      DATABASE_URL: testDb.url,
      OLLAMA_URL: 'http://127.0.0.1:1',
    });
    expect(down.code).toBe(1);
    expect(onlyJson(down.stderr).error).toContain('Cannot reach Ollama');
  });
});
