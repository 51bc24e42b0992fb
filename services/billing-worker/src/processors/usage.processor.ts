import { type UsageEvent, usageEventSchema } from '@ollama-gateway/contracts';
import {
  billingPeriod,
  computeCost,
  type EnergyPolicy,
  formatNano,
  resolveEnergy,
  toNano,
} from '@ollama-gateway/pricing';
import { type Logger, parseJobOrFail, parseJobPayload } from '@ollama-gateway/runtime';
import type { PriceBook } from '../pricing/price-book.js';
import type { UsageRepository } from '../repositories/usage.repository.js';

export interface UsageProcessorDeps {
  priceBook: PriceBook;
  usage: UsageRepository;
  /**
   * GPU_WATTS (default), GPU_WATTS_BY_HOST, ELECTRICITY_PRICE_PER_KWH (default), ELECTRICITY_TIME_OF_USE. The price
   * book's electricity settings, when set, replace the two defaults; the per-host watts and time-of-use windows
   * still win where they apply.
   */
  energy: EnergyPolicy;
  currency: string;
  /** BILLING_TIME_ZONE: the month a row counts in for customer_spend. Default UTC. */
  timeZone?: string;
  logger: Logger;
}

/** The part of a BullMQ job the processor reads (a plain object in unit tests). */
export interface UsageJob {
  id?: string | undefined;
  data: unknown;
  attemptsMade: number;
}

export interface UsageJobResult {
  requestId: string;
  /** false when the request id was already in the ledger (a replay). */
  inserted: boolean;
  totalCost: string;
}

/**
 * Validates a job's payload. A payload that does not match the contract can never succeed, so it throws BullMQ's
 * UnrecoverableError: the job goes straight to the failed set, without retries, with the reason as failedReason.
 */
export function parseUsageEvent(data: unknown): UsageEvent {
  return parseJobPayload(usageEventSchema, data, 'usage event');
}

/**
 * Prices one usage event and writes it to the ledger. Validation errors are final (UnrecoverableError); anything
 * else (Postgres down, a deadlock) is thrown as is, so BullMQ retries the job with backoff.
 */
export function createUsageProcessor(deps: UsageProcessorDeps) {
  return async function processUsage(job: UsageJob): Promise<UsageJobResult> {
    const event: UsageEvent = parseJobOrFail(usageEventSchema, job, 'usage event', deps.logger);

    const log = deps.logger.child({ requestId: event.requestId, jobId: job.id });
    const at = new Date(event.occurredAt);
    const { price, resolved, reference, electricity } = await deps.priceBook.lookup({
      provider: event.provider,
      model: event.model,
      upstreamModel: event.upstreamModel,
      at,
      customerId: event.customerId,
    });
    const policy: EnergyPolicy = electricity
      ? { ...deps.energy, gpuWatts: electricity.gpuWatts, electricityPricePerKwh: electricity.pricePerKwh }
      : deps.energy;
    const energy = resolveEnergy(policy, event.upstreamHost, at);
    // `billable: false` (a cache hit with cache.billHits off): the tokens are recorded, nothing is charged, and the
    // row says it was charged at no price. The reference cost (what a cloud model would have cost) is still shown.
    const billable = event.billable !== false;
    const charged = billable ? resolved.price : null;
    const cost = computeCost(event, charged, reference, energy);
    const decimal = (value: string | number) => formatNano(toNano(value));
    const result = await deps.usage.record({
      event,
      pricingId: billable ? (price?.id ?? null) : null,
      cost,
      currency: deps.currency,
      chargedAt: {
        inputPerMillion: decimal(charged?.inputPerMillion ?? 0),
        outputPerMillion: decimal(charged?.outputPerMillion ?? 0),
        perRequest: decimal(charged?.perRequest ?? 0),
        markupPercent: billable ? resolved.markupPercent : decimal(0),
        gpuWatts: decimal(energy.gpuWatts),
        electricityPricePerKwh: decimal(energy.electricityPricePerKwh),
      },
      period: billingPeriod(at, deps.timeZone ?? 'UTC'),
    });

    if (result.droppedReferences.length > 0)
      log.warn(
        { dropped: result.droppedReferences, customerId: event.customerId, apiKeyId: event.apiKeyId },
        'usage recorded without references that no longer exist (deleted customer, key or price)',
      );
    if (!billable && result.inserted)
      log.debug({ model: event.model, cacheStatus: event.cacheStatus }, 'not billable: recorded at cost 0');
    else if (!price && result.inserted)
      log.debug(
        { model: event.model, provider: event.provider },
        'no price applies: request recorded at cost 0',
      );
    if (result.inserted)
      log.debug({ totalCost: cost.totalCost, attempt: job.attemptsMade + 1 }, 'usage recorded');
    else log.info('usage event already recorded: replay ignored');

    return { requestId: event.requestId, inserted: result.inserted, totalCost: cost.totalCost };
  };
}
