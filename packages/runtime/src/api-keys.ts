import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so people (and secret scanners) recognise it. */
export const API_KEY_PREFIX = 'sk-og-';
/** How many characters of a key are stored and shown in clear to identify it (prefix included). */
export const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 40; // ~238 bits

export interface NewApiKey {
  /** The full secret: shown once, never stored. */
  key: string;
  /** The visible start of the key, stored in clear. */
  prefix: string;
}

/** A new random key `sk-og-<40 base62 chars>`. */
export function generateApiKey(): NewApiKey {
  const bytes = randomBytes(SECRET_LENGTH * 2);
  let body = '';
  for (const byte of bytes) {
    if (byte >= 248) continue; // 248 = 62 * 4: reject to keep the distribution uniform
    body += BASE62[byte % 62];
    if (body.length === SECRET_LENGTH) break;
  }
  if (body.length < SECRET_LENGTH) return generateApiKey();
  const key = API_KEY_PREFIX + body;
  return { key, prefix: key.slice(0, VISIBLE_PREFIX_LENGTH) };
}

/** The stored form of a key: HMAC-SHA256 keyed with the server secret (KEY_HASH_SECRET), hex. */
export function hashApiKey(key: string, serverSecret: string): string {
  return createHmac('sha256', serverSecret).update(key).digest('hex');
}

/** Whether a string could be one of our keys (cheap check before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return (
    value.length === API_KEY_PREFIX.length + SECRET_LENGTH &&
    value.startsWith(API_KEY_PREFIX) &&
    /^[A-Za-z0-9-]+$/.test(value)
  );
}

/** Constant-time string comparison for secrets and hashes. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

const KEY_PATTERN = new RegExp(`${API_KEY_PREFIX}[0-9A-Za-z]{${SECRET_LENGTH}}(?![0-9A-Za-z])`, 'g');

/**
 * `text` with every gateway key in it cut to its visible prefix (`sk-og-AbCdEfGh…[redacted]`): for what is stored or
 * shown to others, e.g. a prompt in which a user pasted their key.
 */
export function redactApiKeys(text: string): string {
  return text.includes(API_KEY_PREFIX)
    ? text.replace(KEY_PATTERN, (key) => `${key.slice(0, VISIBLE_PREFIX_LENGTH)}…[redacted]`)
    : text;
}
