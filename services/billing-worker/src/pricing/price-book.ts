import { type PriceQuery, type PriceRow, selectPrice } from './price-selector.js';

export interface ReferencePriceRow {
  name: string;
  inputPerMillion: number | string;
  outputPerMillion: number | string;
}

/** Where prices come from: `createPricingRepository(db)` from `@ollama-gateway/db` satisfies this. */
export interface PricingSource {
  list(): Promise<PriceRow[]>;
  findDefaultReferencePrice(): Promise<ReferencePriceRow | null>;
}

export interface PriceLookup {
  price: PriceRow | null;
  reference: ReferencePriceRow | null;
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
  loadedAt: number;
}

/**
 * Prices with a short in-process cache: the whole pricing table and the default reference price are read at most
 * once per `ttlMs` (concurrent jobs share one read), then each event is matched in memory. A failed read is not
 * cached, so the job fails and BullMQ retries it.
 */
export function createPriceBook(source: PricingSource, options: PriceBookOptions = {}): PriceBook {
  const ttlMs = options.ttlMs ?? 5000;
  const now = options.now ?? Date.now;
  let snapshot: Snapshot | null = null;
  let loading: Promise<Snapshot> | null = null;

  const load = (): Promise<Snapshot> => {
    if (snapshot && now() - snapshot.loadedAt < ttlMs) return Promise.resolve(snapshot);
    loading ??= Promise.all([source.list(), source.findDefaultReferencePrice()])
      .then(([rows, reference]) => {
        snapshot = { rows, reference, loadedAt: now() };
        return snapshot;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };

  return {
    async lookup(query) {
      const { rows, reference } = await load();
      return { price: selectPrice(rows, query), reference };
    },
    invalidate() {
      snapshot = null;
    },
  };
}
