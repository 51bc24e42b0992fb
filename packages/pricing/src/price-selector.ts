/**
 * Which pricing row prices a request. Same rule as the db package's `findEffective` (exact model beats a glob, a
 * longer pattern beats a shorter one, the latest effective_from wins, only rows in force at the request's time),
 * applied in memory to a cached snapshot of the (small) pricing table so the worker does not query per event.
 *
 * When the client used an alias, the upstream model is tried too: an exact row for the requested name wins, then an
 * exact row for the upstream model, then the longest glob matching either name (so an alias of `llama3.1:8b` is
 * priced by `llama3*` rather than by the catch-all `*`).
 *
 * Per-customer price lists: rows with a `customerId` apply only to that customer and are searched first, with the
 * same rule; the customer's list is complete for what it matches, so a customer row `*` prices all of the customer's
 * models. Only when none of the customer's rows matches are the default rows (customerId null) used. The default
 * row `*` of a provider is the price of every model of that provider that has no row of its own.
 */

export interface PriceRow {
  id: string;
  provider: string;
  /** An exact model name or a glob: `*` any run of characters, `?` exactly one. */
  model: string;
  inputPerMillion: number | string;
  outputPerMillion: number | string;
  perRequest: number | string;
  effectiveFrom: Date;
  /** The customer this row is reserved to; null/absent for a default row that applies to everyone. */
  customerId?: string | null;
}

export interface PriceQuery {
  provider: string;
  model: string;
  upstreamModel: string | null;
  at: Date;
  /** The requesting customer: its own rows beat the defaults. null/absent → only default rows are considered. */
  customerId?: string | null;
}

const globCache = new Map<string, RegExp>();

/** A glob as an anchored, case-sensitive RegExp (like the SQL LIKE translation in the db package). */
export function globToRegExp(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

function better(a: PriceRow, b: PriceRow): boolean {
  if (a.model.length !== b.model.length) return a.model.length > b.model.length;
  return a.effectiveFrom.getTime() > b.effectiveFrom.getTime();
}

/** The best row among those `applies` accepts: the longest pattern, then the latest effective_from. */
function best(rows: readonly PriceRow[], applies: (row: PriceRow) => boolean): PriceRow | null {
  let found: PriceRow | null = null;
  for (const row of rows) if (applies(row) && (!found || better(row, found))) found = row;
  return found;
}

/** The price in force for `query`, or null when no row applies (the request is then free). */
export function selectPrice(rows: readonly PriceRow[], query: PriceQuery): PriceRow | null {
  const at = query.at.getTime();
  const inForce = rows.filter((row) => row.provider === query.provider && row.effectiveFrom.getTime() <= at);
  const customerId = query.customerId ?? null;
  if (customerId !== null) {
    const own = selectAmong(
      inForce.filter((row) => row.customerId === customerId),
      query,
    );
    if (own) return own;
  }
  return selectAmong(
    inForce.filter((row) => (row.customerId ?? null) === null),
    query,
  );
}

function selectAmong(inForce: readonly PriceRow[], query: PriceQuery): PriceRow | null {
  const upstream = query.upstreamModel && query.upstreamModel !== query.model ? query.upstreamModel : null;
  const matches = (row: PriceRow, name: string | null) => name !== null && globToRegExp(row.model).test(name);
  return (
    best(inForce, (row) => row.model === query.model) ??
    (upstream ? best(inForce, (row) => row.model === upstream) : null) ??
    best(inForce, (row) => matches(row, query.model) || matches(row, upstream))
  );
}
