import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'ogw_dashboard_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionInfo {
  id: string;
  /** Epoch ms after which the cookie is refused. */
  expiresAt: number;
}

export interface IssuedSession extends SessionInfo {
  /** The cookie value: `v1.<id>.<expiresAt>.<HMAC>`. */
  cookie: string;
}

export interface SessionService {
  /** How long a session lasts from login (absolute, not sliding). */
  readonly ttlMs: number;
  issue(): IssuedSession;
  /** The session in a cookie value, or null when it is malformed, forged, expired or revoked. */
  verify(cookie: string | undefined): SessionInfo | null;
  /** HMAC of the session id: the SPA sends it back as `x-csrf-token` on every mutation. */
  csrfToken(sessionId: string): string;
  csrfMatches(sessionId: string, token: string | undefined): boolean;
  /** Logout: the id is refused until it would have expired anyway (kept in memory only). */
  revoke(session: SessionInfo): void;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Stateless signed sessions: the cookie carries a random id and its expiry, signed with HMAC-SHA256, so sessions
 * survive restarts and several replicas can share the key. Logout revokes the id in this process's memory.
 */
export function createSessionService(options: {
  secret: Buffer;
  ttlMs?: number;
  now?: () => number;
}): SessionService {
  const ttlMs = options.ttlMs ?? SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const revoked = new Map<string, number>();
  const mac = (purpose: string, value: string) =>
    createHmac('sha256', options.secret).update(`${purpose}\0${value}`).digest('base64url');

  const prune = () => {
    const t = now();
    for (const [id, expiresAt] of revoked) if (expiresAt <= t) revoked.delete(id);
  };

  return {
    ttlMs,
    issue() {
      const id = randomBytes(16).toString('base64url');
      const expiresAt = now() + ttlMs;
      const payload = `v1.${id}.${expiresAt}`;
      return { id, expiresAt, cookie: `${payload}.${mac('session', payload)}` };
    },

    verify(cookie) {
      if (!cookie || cookie.length > 200) return null;
      const parts = cookie.split('.');
      if (parts.length !== 4 || parts[0] !== 'v1') return null;
      const [, id = '', exp = '', signature = ''] = parts;
      if (!ID.test(id) || !/^\d{1,16}$/.test(exp)) return null;
      if (!constantTimeEqual(signature, mac('session', `v1.${id}.${exp}`))) return null;
      const expiresAt = Number(exp);
      if (expiresAt <= now() || revoked.has(id)) return null;
      return { id, expiresAt };
    },

    csrfToken(sessionId) {
      return mac('csrf', sessionId);
    },

    csrfMatches(sessionId, token) {
      return typeof token === 'string' && constantTimeEqual(token, mac('csrf', sessionId));
    },

    revoke(session) {
      prune();
      revoked.set(session.id, session.expiresAt);
    },
  };
}
