/** What the selector reads of a host: plain fields, so it is pure and tested with literals. */
export interface HostView {
  /** Last health verdict: true up, false down, null not checked yet. */
  readonly alive: boolean | null;
  /** Whether its circuit breaker lets a request through now. */
  readonly admits: boolean;
  /** Model keys (model-name.ts) it has, from /api/tags; null until the first answer. */
  readonly models: ReadonlySet<string> | null;
  /** Model keys it reported missing since (a 404), for hosts whose tags are not known yet. */
  readonly missing: ReadonlySet<string>;
  /** Model keys loaded in memory, from /api/ps and from requests it served. */
  readonly loaded: ReadonlySet<string>;
  /** Requests running plus waiting on it. */
  readonly busy: number;
  readonly maxConcurrent: number;
  readonly weight: number;
}

export type Selection<H> =
  | { kind: 'host'; host: H }
  /** No host has the model (ModelNotAvailableError). */
  | { kind: 'not_available' }
  /** Hosts have it, none is healthy (NoHealthyHostError). */
  | { kind: 'no_healthy' }
  /** Every host that has it was tried already in this request. */
  | { kind: 'exhausted' };

/** Tiers, best first: loaded with a free slot, has it, tags not known yet (start-up: tried in config order). */
const LOADED = 0;
const HAS = 1;
const UNKNOWN = 2;

/** How a host stands for `model`: its tier, or -1 when it lacks the model. An empty model matches any host. */
function tierOf(host: HostView, model: string): number {
  if (model === '') return host.models === null ? UNKNOWN : HAS;
  if (host.models === null) return host.missing.has(model) ? -1 : UNKNOWN;
  if (!host.models.has(model)) return -1;
  return host.loaded.has(model) && host.busy < host.maxConcurrent ? LOADED : HAS;
}

/**
 * Picks the host for a model, in one pass over the hosts (O(hosts), no allocation):
 *  1. only healthy hosts that have the model (alive, circuit closed or due for its probe); never one that lacks it;
 *  2. one where the model is loaded and a slot is free (no reload), else
 *  3. the least busy relative to its `maxConcurrent`, ties to the heavier `weight`, then taking turns (`turn`);
 *  4. hosts whose tag list is not known yet come last, in config order (start-up).
 * `exclude` holds hosts this request already failed on.
 */
export function selectHost<H extends HostView>(
  hosts: readonly H[],
  model: string,
  turn: number,
  exclude?: ReadonlySet<H> | null,
): Selection<H> {
  const count = hosts.length;
  let best: H | undefined;
  let bestTier = 0;
  let bestLoad = 0;
  let bestWeight = 0;
  let bestOrder = 0;
  let candidates = 0;
  let untried = 0;
  for (let index = 0; index < count; index += 1) {
    const host = hosts[index]!;
    const tier = tierOf(host, model);
    if (tier === -1) continue;
    candidates += 1;
    if (exclude?.has(host)) continue;
    untried += 1;
    if (host.alive === false || !host.admits) continue;
    // Unknown hosts go strictly in config order; the others by load, weight, then whose turn it is.
    const unknown = tier === UNKNOWN;
    const load = unknown ? 0 : host.busy / host.maxConcurrent;
    const weight = unknown ? 0 : host.weight;
    const order = unknown ? index : (index - (turn % count) + count) % count;
    const better =
      best === undefined ||
      tier < bestTier ||
      (tier === bestTier &&
        (load < bestLoad ||
          (load === bestLoad && (weight > bestWeight || (weight === bestWeight && order < bestOrder)))));
    if (better) {
      best = host;
      bestTier = tier;
      bestLoad = load;
      bestWeight = weight;
      bestOrder = order;
    }
  }
  if (best !== undefined) return { kind: 'host', host: best };
  if (candidates === 0) return { kind: 'not_available' };
  if (untried === 0) return { kind: 'exhausted' };
  return { kind: 'no_healthy' };
}
