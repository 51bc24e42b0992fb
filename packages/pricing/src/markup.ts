import { divRoundHalfUp, formatNano, type ModelPrice, NANO, toNano } from './cost.js';
import { type PriceQuery, type PriceRow, selectPrice } from './price-selector.js';

/**
 * Customer markup: a signed percentage applied to the *default* prices (a customer's own price list is already its
 * price and is never marked up). 25 → default prices × 1.25; -10 → a 10 % discount; 0 → the defaults. Each
 * component (input, output, per-request) is rounded once, half-up, to 9 decimals; the ledger records the effective
 * prices, so every cost on a row is its tokens × the recorded price.
 */

/** Parses a signed percentage ("25", "-12.5", 0) into nano-percent. */
export function markupNano(markupPercent: string | number): bigint {
  const text = typeof markupPercent === 'number' ? String(markupPercent) : markupPercent.trim();
  const negative = text.startsWith('-');
  const nano = toNano(negative ? text.slice(1) : text);
  if (negative && nano > 100n * NANO) throw new RangeError(`Markup below -100 % is not a price: ${text}`);
  return negative ? -nano : nano;
}

/** One price component × (100 + markup) / 100, rounded half-up to nano-units. */
export function applyMarkupNano(amountNano: bigint, markupPercent: string | number): bigint {
  const factor = 100n * NANO + markupNano(markupPercent); // ≥ 0
  return divRoundHalfUp(amountNano * factor, 100n * NANO);
}

/** A price with the markup applied to each component, as 9-decimal strings. */
export function applyMarkup(price: ModelPrice, markupPercent: string | number): ModelPrice {
  return {
    inputPerMillion: formatNano(applyMarkupNano(toNano(price.inputPerMillion), markupPercent)),
    outputPerMillion: formatNano(applyMarkupNano(toNano(price.outputPerMillion), markupPercent)),
    perRequest: formatNano(applyMarkupNano(toNano(price.perRequest), markupPercent)),
  };
}

export interface ResolvedPrice {
  /** The pricing row chosen, or null when none applies (the request is free). */
  row: PriceRow | null;
  /** `customer`: the customer's own list (no markup); `default`: a default row (markup applied); `none`. */
  source: 'customer' | 'default' | 'none';
  /** The markup actually applied, as a 9-decimal string ("0.000000000" for customer rows and unpriced requests). */
  markupPercent: string;
  /** The effective prices charged (after markup), or null when no row applies. Record these on the ledger row. */
  price: ModelPrice | null;
}

/**
 * The price a customer pays for `query`: its own row if one matches, else the default row with the customer's
 * markup. Used by the billing worker (ledger) and by the gateway (budget reservations: `maxCostNano(resolved.price,
 * …)`), so both charge the same.
 */
export function resolvePrice(
  rows: readonly PriceRow[],
  query: PriceQuery,
  markupPercent: string | number = 0,
): ResolvedPrice {
  const row = selectPrice(rows, query);
  if (!row) return { row: null, source: 'none', markupPercent: formatNano(0n), price: null };
  const own = row.customerId != null;
  const base: ModelPrice = {
    inputPerMillion: formatNano(toNano(row.inputPerMillion)),
    outputPerMillion: formatNano(toNano(row.outputPerMillion)),
    perRequest: formatNano(toNano(row.perRequest)),
  };
  if (own) return { row, source: 'customer', markupPercent: formatNano(0n), price: base };
  const m = markupNano(markupPercent);
  return {
    row,
    source: 'default',
    markupPercent: formatNano(m),
    price: m === 0n ? base : applyMarkup(base, markupPercent),
  };
}
