import type { ApiKeysRepository, AuthKey } from '@ollama-gateway/db';
import { forbidden, hashApiKey, looksLikeApiKey, unauthorized } from '@ollama-gateway/runtime';

export type { AuthKey };

/** The key store the service reads: packages/db's api-keys repository. */
export type KeyStore = Pick<ApiKeysRepository, 'findByHash' | 'findById' | 'touchLastUsed'>;

export interface KeyAuthService {
  /** Checks a raw key (from Authorization or x-api-key); throws a 401/403 AppError when it is not usable. */
  authenticate(rawKey: string | undefined): Promise<AuthKey>;
  /** Loads a key nginx already authenticated (by id); same checks. */
  authenticateById(id: string): Promise<AuthKey>;
  /**
   * Forgets a key (by id, and every cached hash that resolved to it) so the next request re-reads it: called when
   * another process publishes that the key changed (revoked, expired, limits edited).
   */
  evict(keyId: string): void;
  /** Writes pending last_used_at updates (also runs on a timer). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const MISSING_KEY_MESSAGE =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

/** `sk-og-AbCd…wxyz`: enough to recognise a key in an error, never enough to use it. */
export function maskKey(key: string): string {
  // Never show more than half of what was sent (10 + 4 of a 13-char string would be all of it).
  if (key.length < 28) return `${key.slice(0, Math.min(3, Math.floor(key.length / 2)))}…`;
  return `${key.slice(0, 10)}…${key.slice(-4)}`;
}

/** Extracts the key from `Authorization: Bearer <key>` or `x-api-key: <key>` (Anthropic's header). */
export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined;
}

interface CacheEntry {
  key: AuthKey | null;
  /** Fresh until then; reused after it only while the store fails, up to `staleUntil`. */
  until: number;
  staleUntil: number;
}

/**
 * The one key-check implementation, used by nginx's auth subrequest and by direct requests alike. Lookups are by
 * HMAC hash (the secret is never stored) and cached for `cacheTtlMs`, misses included, so a flood of bad keys
 * cannot hammer Postgres. A revocation takes effect at once when it is published (evict, via Redis pub/sub: see
 * packages/runtime key-events.ts), and within the cache TTL in any case. While the store fails (Postgres restarting), a
 * lookup made within the last `staleIfErrorMs` is reused instead of refusing the request; nothing can revoke a key
 * while Postgres is down, and expiry is checked against the clock either way.
 */
export function createKeyAuthService(options: {
  store: KeyStore;
  hashSecret: string;
  cacheTtlMs: number;
  /** DB_OUTAGE_GRACE_MS: how long past its TTL a cached lookup is reused while the store fails. Default 0. */
  staleIfErrorMs?: number;
  /** Called each time a stale lookup is served because the store failed (the caller logs, rate-limited). */
  onStale?: (error: unknown) => void;
  now?: () => number;
  touchIntervalMs?: number;
}): KeyAuthService {
  const { store, hashSecret, cacheTtlMs } = options;
  const staleIfErrorMs = options.staleIfErrorMs ?? 0;
  const now = options.now ?? Date.now;
  const byHash = new Map<string, CacheEntry>();
  const byId = new Map<string, CacheEntry>();
  const used = new Set<string>();

  const remember = (map: Map<string, CacheEntry>, id: string, key: AuthKey | null) => {
    if (map.size > 50_000) map.clear();
    const until = now() + cacheTtlMs;
    map.set(id, { key, until, staleUntil: until + staleIfErrorMs });
  };

  /** The store's answer, or the cached one when the store fails and the entry is within its grace. */
  const lookup = async (cached: CacheEntry | undefined, read: () => Promise<AuthKey | null>) => {
    try {
      return { key: await read(), fresh: true };
    } catch (error) {
      if (!cached || cached.staleUntil <= now()) throw error;
      options.onStale?.(error);
      return { key: cached.key, fresh: false };
    }
  };

  const check = (key: AuthKey | null, shown: string): AuthKey => {
    if (!key) throw unauthorized(`Incorrect API key provided: ${shown}.`, { code: 'invalid_api_key' });
    if (key.revokedAt)
      throw unauthorized(`This API key (${key.prefix}…) has been revoked.`, { code: 'invalid_api_key' });
    if (key.expiresAt && key.expiresAt.getTime() <= now())
      throw unauthorized(`This API key (${key.prefix}…) has expired.`, { code: 'invalid_api_key' });
    if (key.customerStatus !== 'active')
      throw forbidden('This account is suspended. Contact the gateway operator.', {
        code: 'account_suspended',
      });
    used.add(key.id);
    return key;
  };

  const flush = async () => {
    if (used.size === 0) return;
    const ids = [...used];
    used.clear();
    await store.touchLastUsed(ids, new Date(now())).catch(() => {});
  };
  const timer = setInterval(() => void flush(), options.touchIntervalMs ?? 5000);
  timer.unref();

  return {
    async authenticate(rawKey) {
      if (!rawKey) throw unauthorized(MISSING_KEY_MESSAGE);
      if (!looksLikeApiKey(rawKey)) return check(null, maskKey(rawKey));
      const hash = hashApiKey(rawKey, hashSecret);
      const cached = byHash.get(hash);
      let key: AuthKey | null;
      if (cached && cached.until > now()) key = cached.key;
      else {
        const found = await lookup(cached, () => store.findByHash(hash));
        key = found.key;
        if (found.fresh) {
          remember(byHash, hash, key);
          if (key) remember(byId, key.id, key);
        }
      }
      return check(key, maskKey(rawKey));
    },
    async authenticateById(id) {
      const cached = byId.get(id);
      let key: AuthKey | null;
      if (cached && cached.until > now()) key = cached.key;
      else {
        const found = await lookup(cached, async () =>
          /^[0-9a-f-]{36}$/i.test(id) ? store.findById(id) : null,
        );
        key = found.key;
        if (found.fresh) remember(byId, id, key);
      }
      return check(key, 'unknown key');
    },
    evict(keyId) {
      byId.delete(keyId);
      for (const [hash, entry] of byHash) if (entry.key?.id === keyId) byHash.delete(hash);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** Whether a key may use a model: no list means all; patterns support `*` and `?` (e.g. `llama3*`). */
export function isModelAllowed(key: Pick<AuthKey, 'allowedModels'>, model: string): boolean {
  if (!key.allowedModels || key.allowedModels.length === 0) return true;
  // `llama3.2` and `llama3.2:latest` name the same model in Ollama.
  const names = model.includes(':')
    ? [model, ...(model.endsWith(':latest') ? [model.slice(0, -':latest'.length)] : [])]
    : [model, `${model}:latest`];
  return key.allowedModels.some((pattern) => names.some((name) => globToRegExp(pattern).test(name)));
}

const globCache = new Map<string, RegExp>();
export function globToRegExp(pattern: string): RegExp {
  let regexp = globCache.get(pattern);
  if (!regexp) {
    const source = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regexp = new RegExp(`^${source}$`, 'i');
    globCache.set(pattern, regexp);
  }
  return regexp;
}
