import { createPricingRepository, type Db } from '@ollama-gateway/db';
import type { PricingSource } from '../pricing/price-book.js';

/** The price book's source: every pricing row (default and per-customer), the reference price, the markups. */
export function createPricingSource(db: Db): PricingSource {
  const pricing = createPricingRepository(db);
  return {
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
