import type { ElectricitySettings, PlansResponse, PricingResponse } from '@ollama-gateway/contracts';
import type { Logger } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { PricingRepository } from '../repositories/pricing.repository.js';

export interface PricingService {
  pricing(): Promise<PricingResponse>;
  plans(): Promise<PlansResponse>;
}

const amount = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);
/** The settings row 'electricity': `{ gpuWatts, pricePerKwh }` (numbers, or decimal strings). */
const electricityRowSchema = z.object({
  gpuWatts: amount.pipe(z.number().min(0).max(100_000)),
  pricePerKwh: amount.pipe(z.number().min(0).max(1000)),
});

export function createPricingService(deps: {
  pricing: PricingRepository;
  currency: string;
  /** GPU_WATTS and ELECTRICITY_PRICE_PER_KWH: what applies while the settings table has no 'electricity' row. */
  electricityDefaults: { gpuWatts: number; pricePerKwh: number };
  logger?: Logger;
}): PricingService {
  async function electricity(): Promise<ElectricitySettings> {
    const stored = await deps.pricing.electricitySetting();
    if (stored !== undefined && stored !== null) {
      const parsed = electricityRowSchema.safeParse(stored);
      if (parsed.success) return { ...parsed.data, source: 'settings' };
      deps.logger?.warn(
        "settings row 'electricity' is not {gpuWatts, pricePerKwh}: showing the env defaults",
      );
    }
    return { ...deps.electricityDefaults, source: 'env' };
  }

  return {
    async pricing() {
      const [prices, references, power] = await Promise.all([
        deps.pricing.prices(),
        deps.pricing.referencePrices(),
        electricity(),
      ]);
      return {
        currency: deps.currency,
        prices: prices.map((p) => ({
          id: p.id,
          provider: p.provider,
          model: p.model,
          customerId: p.customer_id,
          inputPerMillion: p.input_per_million,
          outputPerMillion: p.output_per_million,
          perRequest: p.per_request,
          effectiveFrom: p.effective_from.toISOString(),
        })),
        referencePrices: references.map((r) => ({
          name: r.name,
          inputPerMillion: r.input_per_million,
          outputPerMillion: r.output_per_million,
          isDefault: r.is_default,
        })),
        electricity: power,
      };
    },

    async plans() {
      const rows = await deps.pricing.plans();
      return {
        data: rows.map((p) => ({
          name: p.name,
          monthlyRequestQuota: p.monthly_request_quota,
          monthlyTokenQuota: p.monthly_token_quota,
          monthlyPrice: p.monthly_price,
        })),
      };
    },
  };
}
