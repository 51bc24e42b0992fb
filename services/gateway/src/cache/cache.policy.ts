import type { ChatRequest } from '../canonical/chat.types.js';
import type { CacheConfig } from './cache.config.js';

/** The request header a client uses to steer the cache. */
export const CACHE_REQUEST_HEADER = 'x-gateway-cache';

/**
 * What the client asked of the cache:
 * - `force` (`x-gateway-cache: force`): cache this request even though it is not deterministic;
 * - `refresh` (`x-gateway-cache: refresh`, or `Cache-Control: no-cache`): do not serve from the cache, but store the
 *   fresh answer (replaces the entry);
 * - `bypass` (`x-gateway-cache: bypass`, or `Cache-Control: no-store`): neither read nor store;
 * - `default`: the config decides.
 * When several apply the most restrictive wins (bypass > refresh > force), so `no-store` is always honoured.
 */
export type CacheDirective = 'default' | 'force' | 'refresh' | 'bypass';

const tokens = (value: string | undefined) =>
  (value ?? '')
    .toLowerCase()
    .split(',')
    .map((token) => token.trim())
    .filter(Boolean);

export function cacheDirectiveOf(header: (name: string) => string | undefined): CacheDirective {
  const gateway = tokens(header(CACHE_REQUEST_HEADER));
  const control = tokens(header('cache-control'));
  if (gateway.includes('bypass') || control.includes('no-store')) return 'bypass';
  if (gateway.includes('refresh') || control.includes('no-cache')) return 'refresh';
  if (gateway.includes('force')) return 'force';
  return 'default';
}

/** Whether the answer to a request may be reused: sampling off, a fixed seed, or the client's explicit opt-in. */
export function isCacheable(
  request: ChatRequest,
  directive: CacheDirective,
  cacheable: CacheConfig['cacheable'],
): boolean {
  const { temperature, seed } = request.options;
  if (cacheable.temperatureZero && temperature === 0) return true;
  if (cacheable.seed && typeof seed === 'number' && Number.isFinite(seed)) return true;
  return cacheable.optInHeader && directive === 'force';
}

/** What to do with one request: look it up, and/or store its answer. Neither = BYPASS. */
export interface CachePlan {
  lookup: boolean;
  store: boolean;
}

export function cachePlanFor(
  request: ChatRequest,
  directive: CacheDirective,
  cacheable: CacheConfig['cacheable'],
): CachePlan {
  if (directive === 'bypass' || !isCacheable(request, directive, cacheable))
    return { lookup: false, store: false };
  return { lookup: directive !== 'refresh', store: true };
}
