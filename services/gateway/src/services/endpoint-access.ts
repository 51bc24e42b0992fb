import type { Dialect } from '@ollama-gateway/contracts';
import { type AppError, forbidden } from '@ollama-gateway/runtime';
import type { AuthKey } from './key-auth.service.js';

/** The dialects an `allowed_endpoints` entry may name as `dialect:<name>`. */
export const ENDPOINT_DIALECTS = ['openai', 'anthropic', 'ollama'] as const;

const DIALECT_ENTRY = /^dialect:(openai|anthropic|ollama)$/i;
const PATH_ENTRY = /^\/[A-Za-z0-9._~\-/*?]*$/;

/** Whether `entry` is a valid allowed-endpoints entry: a path or glob (`/v1/chat/completions`, `/api/*`) or `dialect:x`. */
export function isEndpointEntry(entry: string): boolean {
  return DIALECT_ENTRY.test(entry) || (PATH_ENTRY.test(entry) && entry.length <= 200);
}

const patterns = new Map<string, RegExp>();
/** `/api/*` → /^\/api\/.*$/ (`*` spans slashes, `?` one character); exact paths otherwise. Case-sensitive like routes. */
function pathPattern(entry: string): RegExp {
  let regexp = patterns.get(entry);
  if (!regexp) {
    const source = entry
      .replace(/\/+$/, '')
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    regexp = new RegExp(`^${source}/?$`);
    if (patterns.size > 10_000) patterns.clear();
    patterns.set(entry, regexp);
  }
  return regexp;
}

/**
 * Whether a key may call `path` (spoken in `dialect`): no list (null or empty) means every endpoint; otherwise any
 * entry must match, either a path or glob (`/v1/chat/completions`, `/api/*`) or a whole dialect (`dialect:anthropic`).
 */
export function isEndpointAllowed(
  key: Pick<AuthKey, 'allowedEndpoints'>,
  path: string,
  dialect: Dialect,
): boolean {
  const entries = key.allowedEndpoints;
  if (!entries || entries.length === 0) return true;
  return entries.some((raw) => {
    const entry = raw.trim();
    const named = DIALECT_ENTRY.exec(entry);
    if (named) return named[1]!.toLowerCase() === dialect;
    return entry.startsWith('/') && pathPattern(entry).test(path);
  });
}

/** 403 `endpoint_not_allowed`, rendered in the caller's dialect by the error middleware. */
export function endpointNotAllowed(path: string, key: Pick<AuthKey, 'prefix'>): AppError {
  return forbidden(
    `This API key (${key.prefix}…) is not allowed to use the endpoint ${path}. Ask the gateway operator for a key that allows it.`,
    { code: 'endpoint_not_allowed' },
  );
}
