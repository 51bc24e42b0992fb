import { randomBytes } from 'node:crypto';
import type { UsageEvent } from '@ollama-gateway/contracts';
import { createSettingsRepository, type SettingsRepository } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { createLogger } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPriceBook } from './pricing/price-book.js';
import { createUsageBatcher } from './processors/usage.batcher.js';
import { createUsageProcessor } from './processors/usage.processor.js';
import { createPricingSource } from './repositories/pricing.source.js';
import { createUsageRepository } from './repositories/usage.repository.js';

const TTL_MS = 200;
let testDb: TestDatabase;
let settings: SettingsRepository;
let run: (event: UsageEvent) => Promise<unknown>;
const warnings: unknown[][] = [];
let seq = 0;

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-electricity-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: '2026-04-01T12:00:00.000Z',
    customerId: null,
    apiKeyId: null,
    model: 'llama3.1:8b',
    upstreamModel: 'llama3.1:8b',
    provider: 'ollama',
    upstreamHost: 'http://gpu0:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 10,
    completionTokens: 5,
    totalMs: 100,
    ttftMs: null,
    gatewayOverheadMs: 1,
    loadDurationNs: null,
    promptEvalDurationNs: null,
    evalDurationNs: 36e9, // 36 s busy: 350 W → 3.5 Wh
    totalDurationNs: 36e9,
    clientIp: null,
    userAgent: null,
    ...overrides,
  };
}

/** Processes one event and reads back what its ledger row was charged at. */
async function charged(overrides: Partial<UsageEvent> = {}) {
  const event = usageEvent(overrides);
  await run(event);
  return testDb.db
    .selectFrom('usage_events')
    .select(['gpu_watts', 'electricity_price_per_kwh', 'energy_wh', 'electricity_cost'])
    .where('request_id', '=', event.requestId)
    .executeTakeFirstOrThrow();
}

const afterTtl = () => new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));

beforeAll(async () => {
  testDb = await createTestDatabase('electricity');
  settings = createSettingsRepository(testDb.db);
  const logger = { warn: (...args: unknown[]) => warnings.push(args) };
  const processor = createUsageProcessor({
    // the worker's own wiring: the settings row is read with the prices, cached for the same TTL
    priceBook: createPriceBook(createPricingSource(testDb.db, { logger }), { ttlMs: TTL_MS }),
    usage: createUsageBatcher(createUsageRepository(testDb.db), { maxBatch: 10, maxWaitMs: 1 }),
    energy: {
      gpuWatts: '350',
      electricityPricePerKwh: '0.15',
      gpuWattsByHost: { 'http://gpu1:11434': 450 },
      timeOfUse: [{ from: '22:00', to: '06:00', pricePerKwh: '0.08' }],
    },
    currency: 'USD',
    logger: createLogger('electricity-int', 'silent'),
  });
  run = (event) => processor({ id: event.requestId, data: event, attemptsMade: 0 });
});
afterAll(async () => {
  await testDb?.drop();
});

describe('electricity settings row', () => {
  it('charges the env defaults while there is no row', async () => {
    expect(await charged()).toEqual({
      gpu_watts: '350.000000000',
      electricity_price_per_kwh: '0.150000000',
      energy_wh: '3.500000000',
      electricity_cost: '0.000525000',
    });
  });

  it('applies a new row to the next ledger rows within the price cache TTL, without a restart', async () => {
    await settings.setElectricity({ gpuWatts: 500, pricePerKwh: 0.25 });
    await afterTtl();
    // 500 W × 36 s = 5 Wh at 0.25 per kWh
    expect(await charged()).toEqual({
      gpu_watts: '500.000000000',
      electricity_price_per_kwh: '0.250000000',
      energy_wh: '5.000000000',
      electricity_cost: '0.001250000',
    });
    // the per-host watts and the time-of-use window are more specific: they still win
    expect(await charged({ upstreamHost: 'http://gpu1:11434' })).toMatchObject({
      gpu_watts: '450.000000000',
      electricity_price_per_kwh: '0.250000000',
    });
    expect(await charged({ occurredAt: '2026-04-01T23:00:00.000Z' })).toMatchObject({
      gpu_watts: '500.000000000',
      electricity_price_per_kwh: '0.080000000',
    });

    await settings.setElectricity({ gpuWatts: 287.5, pricePerKwh: 0.3125 });
    await afterTtl();
    expect(await charged()).toMatchObject({
      gpu_watts: '287.500000000',
      electricity_price_per_kwh: '0.312500000',
    });
  });

  it('ignores a hand-edited bad row with one warning, and falls back to env when the row is deleted', async () => {
    await testDb.db
      .updateTable('settings')
      .set({ value: JSON.stringify({ gpuWatts: 'lots', pricePerKwh: -1 }) })
      .where('key', '=', 'electricity')
      .execute();
    await afterTtl();
    expect(await charged()).toMatchObject({
      gpu_watts: '350.000000000',
      electricity_price_per_kwh: '0.150000000',
    });
    await afterTtl();
    expect(await charged()).toMatchObject({ gpu_watts: '350.000000000' });
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0])).toContain('invalid settings row');

    await settings.setElectricity({ gpuWatts: 100, pricePerKwh: 1 });
    await afterTtl();
    expect(await charged()).toMatchObject({ gpu_watts: '100.000000000' });
    expect(await settings.clearElectricity()).toBe(true);
    expect(await settings.clearElectricity()).toBe(false);
    await afterTtl();
    expect(await charged()).toMatchObject({
      gpu_watts: '350.000000000',
      electricity_price_per_kwh: '0.150000000',
    });
  });
});
