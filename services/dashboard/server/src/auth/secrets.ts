import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison that leaks neither the content nor the length (both sides are hashed first). */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Does `given` equal one of the configured login secrets? Every secret is compared, whichever matches. */
export function matchesAnySecret(given: string, secrets: ReadonlyArray<string | undefined>): boolean {
  let ok = false;
  for (const secret of secrets) if (secret !== undefined && secretEquals(given, secret)) ok = true;
  return ok;
}

/**
 * The session cookie's HMAC key: DASHBOARD_SESSION_SECRET when set, else derived (HMAC-SHA256) from KEY_HASH_SECRET
 * (or ADMIN_TOKEN, or DASHBOARD_PASSWORD) over both login secrets. Stable across restarts, so sessions survive them;
 * changing ADMIN_TOKEN or DASHBOARD_PASSWORD changes the key and so ends every session.
 */
export function sessionSecretFrom(input: {
  sessionSecret?: string | undefined;
  keyHashSecret?: string | undefined;
  adminToken?: string | undefined;
  password?: string | undefined;
}): Buffer {
  if (input.sessionSecret) return createHash('sha256').update(input.sessionSecret).digest();
  const root = input.keyHashSecret || input.adminToken || input.password;
  if (!root) throw new Error('no secret to derive the dashboard session key from');
  return createHmac('sha256', root)
    .update(`ollama-gateway dashboard session v1\0${input.adminToken ?? ''}\0${input.password ?? ''}`)
    .digest();
}
