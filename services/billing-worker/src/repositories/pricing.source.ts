import { createPricingRepository, createSettingsRepository, type Db } from '@ollama-gateway/db';
import type { Logger } from '@ollama-gateway/runtime';
import type { PricingSource } from '../pricing/price-book.js';

/**
 * The price book's source: every pricing row (default and per-customer), the reference price, the markups and the
 * electricity settings row (an invalid one is ignored with a warning on `logger`).
 */
export function createPricingSource(db: Db, options: { logger?: Pick<Logger, 'warn'> } = {}): PricingSource {
  const pricing = createPricingRepository(db);
  const settings = createSettingsRepository(db, options);
  return {
    getElectricity: () => settings.getElectricity(),
    list: () => pricing.list(),
    findDefaultReferencePrice: () => pricing.findDefaultReferencePrice(),
    async listMarkups() {
      const rows = await db
        .selectFrom('customers')
        .select(['id', 'price_markup_percent'])
        .where('price_markup_percent', '<>', '0')
        .execute();
      return new Map(rows.map((row) => [row.id, row.price_markup_percent]));
    },
  };
}
