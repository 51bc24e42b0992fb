import type { UsageEvent } from '@ollama-gateway/contracts';
import type { EnergyPolicy, PriceRow } from '@ollama-gateway/pricing';
import { createLogger } from '@ollama-gateway/runtime';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createPriceBook, type ElectricityOverride } from '../pricing/price-book.js';
import type { LedgerEntry, RecordResult } from '../repositories/usage.repository.js';
import { createUsageProcessor, parseUsageEvent } from './usage.processor.js';

const logger = createLogger('test', 'silent');

function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: 'req-unit-0001',
    occurredAt: '2026-03-01T12:34:56.000Z',
    customerId: null,
    apiKeyId: null,
    model: 'llama3.1:8b',
    upstreamModel: 'llama3.1:8b',
    provider: 'ollama',
    upstreamHost: 'http://127.0.0.1:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: false,
    promptTokens: 1200,
    completionTokens: 350,
    totalMs: 4300,
    ttftMs: null,
    gatewayOverheadMs: 2.5,
    // GPU busy 0.2 + 1.0 + 3.0 = 4.2 s; total_duration (queueing included) is not billed as energy
    loadDurationNs: 200_000_000,
    promptEvalDurationNs: 1_000_000_000,
    evalDurationNs: 3_000_000_000,
    totalDurationNs: 4_900_000_000,
    clientIp: '127.0.0.1',
    userAgent: 'vitest',
    ...overrides,
  };
}

const price: PriceRow = {
  id: '00000000-0000-4000-8000-000000000001',
  provider: 'ollama',
  model: 'llama3*',
  inputPerMillion: 0.2,
  outputPerMillion: 0.8,
  perRequest: 0.0005,
  effectiveFrom: new Date(0),
};

function setup(
  record?: (entry: LedgerEntry) => Promise<RecordResult>,
  options: { electricity?: ElectricityOverride | null; energy?: EnergyPolicy } = {},
) {
  const entries: LedgerEntry[] = [];
  const processor = createUsageProcessor({
    priceBook: createPriceBook({
      list: async () => [price],
      findDefaultReferencePrice: async () => ({
        name: 'gpt-4o-mini',
        inputPerMillion: 0.15,
        outputPerMillion: 0.6,
      }),
      ...(options.electricity !== undefined
        ? { getElectricity: async () => options.electricity ?? null }
        : {}),
    }),
    usage: {
      record:
        record ??
        (async (entry) => {
          entries.push(entry);
          return { inserted: true, id: '1', droppedReferences: [] };
        }),
    },
    energy: options.energy ?? { gpuWatts: '350', electricityPricePerKwh: '0.15' },
    currency: 'EUR',
    logger,
  });
  return { processor, entries };
}

describe('parseUsageEvent', () => {
  it('accepts a valid event', () => {
    expect(parseUsageEvent(usageEvent())).toEqual(usageEvent());
  });

  it('throws UnrecoverableError naming the bad fields', () => {
    const bad = { ...usageEvent(), promptTokens: -5, occurredAt: 'yesterday' };
    expect(() => parseUsageEvent(bad)).toThrow(UnrecoverableError);
    expect(() => parseUsageEvent(bad)).toThrow(/promptTokens/);
    expect(() => parseUsageEvent(bad)).toThrow(/occurredAt/);
    expect(() => parseUsageEvent('not an object')).toThrow(/Invalid usage event/);
    expect(() => parseUsageEvent({ ...usageEvent(), requestId: '12345678' })).toThrow(/requestId/);
  });
});

describe('usage processor', () => {
  it('prices the event with the matching price and the default reference price', async () => {
    const { processor, entries } = setup();
    const result = await processor({ id: 'req-unit-0001', data: usageEvent(), attemptsMade: 0 });
    expect(result).toEqual({ requestId: 'req-unit-0001', inserted: true, totalCost: '0.001020000' });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.pricingId).toBe(price.id);
    expect(entries[0]!.currency).toBe('EUR');
    expect(entries[0]!.cost.referenceCost).toBe('0.000390000');
    expect(entries[0]!.cost.electricityCost).toBe('0.000061250');
  });

  it('records an event no price applies to at cost 0', async () => {
    const { processor, entries } = setup();
    await processor({ data: usageEvent({ model: 'mistral', upstreamModel: null }), attemptsMade: 0 });
    expect(entries[0]!.pricingId).toBeNull();
    expect(entries[0]!.cost.totalCost).toBe('0.000000000');
  });

  it('parses events of older producers (no cacheStatus, no billable) and prices them as before', async () => {
    const { processor, entries } = setup();
    const event = usageEvent();
    expect('cacheStatus' in event || 'billable' in event).toBe(false);
    await processor({ data: event, attemptsMade: 0 });
    expect(entries[0]!.cost.totalCost).toBe('0.001020000');
  });

  it('prices a billed cache hit like the answer it replays', async () => {
    const { processor, entries } = setup();
    const hit = usageEvent({ cacheStatus: 'hit', billable: true, upstreamHost: null });
    await processor({ data: hit, attemptsMade: 0 });
    expect(entries[0]!.event.cacheStatus).toBe('hit');
    expect(entries[0]!.pricingId).toBe(price.id);
    expect(entries[0]!.cost.inputCost).toBe('0.000240000');
  });

  it('records an unbilled cache hit with its tokens at cost 0 and no price', async () => {
    const { processor, entries } = setup();
    const hit = usageEvent({
      cacheStatus: 'hit',
      billable: false,
      upstreamHost: null,
      loadDurationNs: null,
      promptEvalDurationNs: null,
      evalDurationNs: null,
      totalDurationNs: null,
    });
    const result = await processor({ data: hit, attemptsMade: 0 });
    expect(result.totalCost).toBe('0.000000000');
    const entry = entries[0]!;
    expect(entry.event).toMatchObject({ promptTokens: 1200, completionTokens: 350, billable: false });
    expect(entry.pricingId).toBeNull();
    expect(entry.cost).toMatchObject({
      inputCost: '0.000000000',
      outputCost: '0.000000000',
      requestCost: '0.000000000',
      energyWh: '0.000000000',
      referenceCost: '0.000390000',
    });
    expect(entry.chargedAt).toMatchObject({
      inputPerMillion: '0.000000000',
      perRequest: '0.000000000',
      markupPercent: '0.000000000',
    });
  });

  it('rejects a bad payload as unrecoverable without touching the ledger', async () => {
    const { processor, entries } = setup();
    await expect(processor({ data: { requestId: 'req-unit-0002' }, attemptsMade: 0 })).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(entries).toHaveLength(0);
  });

  it('lets a database failure through as a normal (retried) error', async () => {
    const { processor } = setup(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    const failure = processor({ data: usageEvent(), attemptsMade: 0 });
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    await expect(failure).rejects.not.toBeInstanceOf(UnrecoverableError);
  });
});

describe('electricity settings', () => {
  const run = async (options: Parameters<typeof setup>[1], event = usageEvent()) => {
    const { processor, entries } = setup(undefined, options);
    await processor({ data: event, attemptsMade: 0 });
    return entries[0]!;
  };

  it('uses the env defaults when there is no settings row', async () => {
    for (const electricity of [undefined, null]) {
      const entry = await run({ electricity });
      expect(entry.chargedAt).toMatchObject({
        gpuWatts: '350.000000000',
        electricityPricePerKwh: '0.150000000',
      });
      // 350 W × 4.2 s / 3600 = 0.408333333 Wh at 0.15 per kWh
      expect(entry.cost).toMatchObject({ energyWh: '0.408333333', electricityCost: '0.000061250' });
    }
  });

  it('replaces GPU_WATTS and ELECTRICITY_PRICE_PER_KWH with the settings row', async () => {
    const entry = await run({ electricity: { gpuWatts: 600, pricePerKwh: 0.3 } });
    expect(entry.chargedAt).toMatchObject({
      gpuWatts: '600.000000000',
      electricityPricePerKwh: '0.300000000',
    });
    // 600 W × 4.2 s / 3600 = 0.7 Wh; 0.7 Wh × 0.30 / 1000 = 0.00021
    expect(entry.cost).toMatchObject({ energyWh: '0.700000000', electricityCost: '0.000210000' });
  });

  it('keeps the per-host watts and the time-of-use windows, which are more specific', async () => {
    const energy: EnergyPolicy = {
      gpuWatts: '350',
      electricityPricePerKwh: '0.15',
      gpuWattsByHost: { 'http://gpu1:11434': 450 },
      timeOfUse: [{ from: '22:00', to: '06:00', pricePerKwh: '0.08' }],
    };
    const electricity = { gpuWatts: 600, pricePerKwh: 0.3 };
    const night = await run(
      { electricity, energy },
      usageEvent({ upstreamHost: 'http://gpu1:11434', occurredAt: '2026-03-01T23:00:00.000Z' }),
    );
    expect(night.chargedAt).toMatchObject({
      gpuWatts: '450.000000000',
      electricityPricePerKwh: '0.080000000',
    });
    const day = await run({ electricity, energy }, usageEvent({ upstreamHost: 'http://gpu2:11434' }));
    expect(day.chargedAt).toMatchObject({ gpuWatts: '600.000000000', electricityPricePerKwh: '0.300000000' });
  });
});

describe('price book', () => {
  it('reads the tables once per TTL, shares concurrent reads and does not cache failures', async () => {
    let reads = 0;
    let fail = false;
    let clock = 0;
    const book = createPriceBook(
      {
        list: async () => {
          reads++;
          if (fail) throw new Error('db down');
          return [price];
        },
        findDefaultReferencePrice: async () => null,
      },
      { ttlMs: 1000, now: () => clock },
    );
    const q = { provider: 'ollama', model: 'llama3', upstreamModel: null, at: new Date() };
    await Promise.all([book.lookup(q), book.lookup(q), book.lookup(q)]);
    expect(reads).toBe(1);
    clock = 999;
    expect((await book.lookup(q)).price).toBe(price);
    expect(reads).toBe(1);
    clock = 1000;
    fail = true;
    await expect(book.lookup(q)).rejects.toThrow('db down');
    fail = false;
    expect((await book.lookup(q)).price).toBe(price);
    expect(reads).toBe(3);
  });
});
