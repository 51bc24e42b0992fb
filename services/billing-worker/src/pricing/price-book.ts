import { type PriceQuery, type PriceRow, type ResolvedPrice, resolvePrice } from '@ollama-gateway/pricing';

export interface ReferencePriceRow {
  name: string;
  inputPerMillion: number | string;
  outputPerMillion: number | string;
}

/** The `settings` row `electricity`: replaces GPU_WATTS and ELECTRICITY_PRICE_PER_KWH while present. */
export interface ElectricityOverride {
  gpuWatts: number;
  pricePerKwh: number;
}

/** Where prices come from: `createPricingSource(db)` (repositories/pricing.source.ts) satisfies this. */
export interface PricingSource {
  /** Every pricing row, default (customerId null) and per-customer. */
  list(): Promise<PriceRow[]>;
  findDefaultReferencePrice(): Promise<ReferencePriceRow | null>;
  /** customer id → price_markup_percent, for customers whose markup is not 0. Absent: no markups. */
  listMarkups?(): Promise<Map<string, string>>;
  /** The operator's electricity settings, null when not set (or invalid). Absent: the env defaults always apply. */
  getElectricity?(): Promise<ElectricityOverride | null>;
}

export interface PriceLookup {
  /** The pricing row chosen (the customer's own, else a default), or null. */
  price: PriceRow | null;
  /** The effective prices charged (markup applied to default rows) and the markup. */
  resolved: ResolvedPrice;
  reference: ReferencePriceRow | null;
  /** The electricity settings of the same snapshot; null = the env defaults (GPU_WATTS, ELECTRICITY_PRICE_PER_KWH). */
  electricity: ElectricityOverride | null;
}

export interface PriceBook {
  lookup(query: PriceQuery): Promise<PriceLookup>;
  /** Drops the cached snapshot: the next lookup reads the tables again. */
  invalidate(): void;
}

export interface PriceBookOptions {
  /** How long a snapshot of the pricing tables is reused. Default 5000 ms: a new price applies within seconds. */
  ttlMs?: number;
  now?: () => number;
}

interface Snapshot {
  rows: PriceRow[];
  reference: ReferencePriceRow | null;
  markups: Map<string, string>;
  electricity: ElectricityOverride | null;
  loadedAt: number;
}

/**
 * Prices with a short in-process cache: the whole pricing table, the customers' markups, the default reference
 * price and the electricity settings are read at most once per `ttlMs` (concurrent jobs share one read), then each event is matched in memory
 * with `resolvePrice` from @ollama-gateway/pricing (the same function the gateway reserves budgets with). A failed
 * read is not cached, so the job fails and BullMQ retries it.
 */
export function createPriceBook(source: PricingSource, options: PriceBookOptions = {}): PriceBook {
  const ttlMs = options.ttlMs ?? 5000;
  const now = options.now ?? Date.now;
  let snapshot: Snapshot | null = null;
  let loading: Promise<Snapshot> | null = null;

  const load = (): Promise<Snapshot> => {
    if (snapshot && now() - snapshot.loadedAt < ttlMs) return Promise.resolve(snapshot);
    loading ??= Promise.all([
      source.list(),
      source.findDefaultReferencePrice(),
      source.listMarkups ? source.listMarkups() : Promise.resolve(new Map<string, string>()),
      source.getElectricity ? source.getElectricity() : Promise.resolve(null),
    ])
      .then(([rows, reference, markups, electricity]) => {
        snapshot = { rows, reference, markups, electricity, loadedAt: now() };
        return snapshot;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };

  return {
    async lookup(query) {
      const { rows, reference, markups, electricity } = await load();
      const markup = query.customerId ? (markups.get(query.customerId) ?? 0) : 0;
      const resolved = resolvePrice(rows, query, markup);
      return { price: resolved.row, resolved, reference, electricity };
    },
    invalidate() {
      snapshot = null;
    },
  };
}
