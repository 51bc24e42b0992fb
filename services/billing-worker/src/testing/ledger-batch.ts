import { randomBytes } from 'node:crypto';
import { LATENCY_HISTOGRAM_BUCKETS, type UsageEvent } from '@ollama-gateway/contracts';
import type { Db } from '@ollama-gateway/db';
import { createLogger } from '@ollama-gateway/runtime';
import { createPriceBook } from '../pricing/price-book.js';
import { createUsageBatcher } from '../processors/usage.batcher.js';
import { createUsageProcessor } from '../processors/usage.processor.js';
import { createPricingSource } from '../repositories/pricing.source.js';
import { createUsageRepository } from '../repositories/usage.repository.js';

let seq = 0;

/** A successful, streamed usage event at 2026-04-01 10:15 UTC without customer or key; `overrides` win. */
export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-rollup-${randomBytes(6).toString('hex')}-${++seq}`,
    occurredAt: '2026-04-01T10:15:00.000Z',
    customerId: null,
    apiKeyId: null,
    model: 'rollup-model',
    upstreamModel: 'rollup-model',
    provider: 'ollama',
    upstreamHost: 'http://gpu0:11434',
    endpoint: '/v1/chat/completions',
    dialect: 'openai',
    status: 200,
    errorCode: null,
    stream: true,
    promptTokens: 10,
    completionTokens: 5,
    totalMs: 100,
    ttftMs: null,
    gatewayOverheadMs: 1,
    loadDurationNs: null,
    promptEvalDurationNs: null,
    evalDurationNs: null,
    totalDurationNs: null,
    clientIp: null,
    userAgent: null,
    ...overrides,
  };
}

/**
 * Prices and records `events` as one batch (they are all in flight together, so they land in one transaction), with
 * the prices in the database, 350 W and 0.15 per kWh.
 */
export async function runBatch(db: Db, events: readonly UsageEvent[]) {
  const batcher = createUsageBatcher(createUsageRepository(db), { maxBatch: events.length, maxWaitMs: 1000 });
  const processor = createUsageProcessor({
    priceBook: createPriceBook(createPricingSource(db), { ttlMs: 0 }),
    usage: batcher,
    energy: { gpuWatts: '350', electricityPricePerKwh: '0.15' },
    currency: 'USD',
    logger: createLogger('rollup-int', 'silent'),
  });
  return Promise.all(events.map((event) => processor({ id: event.requestId, data: event, attemptsMade: 0 })));
}

/** A histogram as Postgres returns it (string[] of int8), from { bucket index: count }. */
export function hist(counts: Record<number, number>): string[] {
  const values = new Array<string>(LATENCY_HISTOGRAM_BUCKETS).fill('0');
  for (const [bucket, count] of Object.entries(counts)) values[Number(bucket)] = String(count);
  return values;
}
