import { describe, expect, it } from 'vitest';
import { createLoginGuard } from './login-guard.js';
import { matchesAnySecret, secretEquals, sessionSecretFrom } from './secrets.js';
import { createSessionService, SESSION_TTL_MS } from './session.service.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');

describe('session service', () => {
  it('issues a signed cookie that verifies until it expires (12 h)', () => {
    let now = 1_000_000;
    const sessions = createSessionService({ secret, now: () => now });
    const issued = sessions.issue();
    expect(issued.expiresAt).toBe(now + SESSION_TTL_MS);
    expect(issued.cookie).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(sessions.verify(issued.cookie)).toEqual({ id: issued.id, expiresAt: issued.expiresAt });
    now += SESSION_TTL_MS - 1;
    expect(sessions.verify(issued.cookie)).not.toBeNull();
    now += 1;
    expect(sessions.verify(issued.cookie)).toBeNull();
  });

  it('refuses tampered, foreign and malformed cookies', () => {
    const sessions = createSessionService({ secret });
    const issued = sessions.issue();
    const [v, id, exp, sig] = issued.cookie.split('.');
    expect(sessions.verify(`${v}.${id}.${Number(exp) + 1000}.${sig}`)).toBeNull();
    expect(sessions.verify(`${v}.${'A'.repeat(22)}.${exp}.${sig}`)).toBeNull();
    expect(
      createSessionService({ secret: Buffer.from('another secret, another server') }).verify(issued.cookie),
    ).toBeNull();
    for (const bad of [undefined, '', 'v1', 'v2.a.b.c', `${issued.cookie}.x`, 'x'.repeat(500)])
      expect(sessions.verify(bad)).toBeNull();
  });

  it('a session survives a restart (same key) and revocation lasts until expiry', () => {
    const first = createSessionService({ secret });
    const issued = first.issue();
    const restarted = createSessionService({ secret });
    expect(restarted.verify(issued.cookie)).not.toBeNull();
    restarted.revoke({ id: issued.id, expiresAt: issued.expiresAt });
    expect(restarted.verify(issued.cookie)).toBeNull();
  });

  it('CSRF tokens are bound to the session', () => {
    const sessions = createSessionService({ secret });
    const a = sessions.issue();
    const b = sessions.issue();
    expect(sessions.csrfMatches(a.id, sessions.csrfToken(a.id))).toBe(true);
    expect(sessions.csrfMatches(a.id, sessions.csrfToken(b.id))).toBe(false);
    expect(sessions.csrfMatches(a.id, undefined)).toBe(false);
    expect(sessions.csrfMatches(a.id, '')).toBe(false);
  });
});

describe('secrets', () => {
  it('compares in constant time and checks every configured secret', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abcd')).toBe(false);
    expect(matchesAnySecret('pw', ['token', 'pw'])).toBe(true);
    expect(matchesAnySecret('pw', [undefined, 'token'])).toBe(false);
    expect(matchesAnySecret('', [undefined, undefined])).toBe(false);
  });

  it('derives a stable session key that changes with the login secrets', () => {
    const base = { keyHashSecret: 'k'.repeat(32), adminToken: 't'.repeat(20), password: 'p'.repeat(12) };
    expect(sessionSecretFrom(base).equals(sessionSecretFrom({ ...base }))).toBe(true);
    expect(sessionSecretFrom(base).equals(sessionSecretFrom({ ...base, password: 'q'.repeat(12) }))).toBe(
      false,
    );
    expect(sessionSecretFrom({ adminToken: 't'.repeat(20) })).toHaveLength(32);
    expect(
      sessionSecretFrom({ ...base, sessionSecret: 's'.repeat(16) }).equals(
        sessionSecretFrom({ sessionSecret: 's'.repeat(16) }),
      ),
    ).toBe(true);
    expect(() => sessionSecretFrom({})).toThrow();
  });
});

describe('login guard', () => {
  it('blocks an IP after 10 failures within 5 minutes, per IP, until the oldest leaves the window', () => {
    let now = 0;
    const guard = createLoginGuard({ now: () => now });
    for (let i = 0; i < 9; i++) {
      guard.recordFailure('1.1.1.1');
      now += 10_000;
    }
    expect(guard.retryAfterSeconds('1.1.1.1')).toBe(0);
    guard.recordFailure('1.1.1.1'); // 10th, at 90 s
    expect(guard.retryAfterSeconds('1.1.1.1')).toBe(210); // the first (0 s) expires at 300 s
    expect(guard.retryAfterSeconds('2.2.2.2')).toBe(0);
    now = 300_000;
    expect(guard.retryAfterSeconds('1.1.1.1')).toBe(0);
    guard.recordFailure('1.1.1.1');
    expect(guard.retryAfterSeconds('1.1.1.1')).toBe(10);
    guard.recordSuccess('1.1.1.1');
    expect(guard.retryAfterSeconds('1.1.1.1')).toBe(0);
  });

  it('tracks a bounded number of IPs', () => {
    const guard = createLoginGuard({ maxFailures: 1, maxTrackedIps: 2 });
    guard.recordFailure('a');
    guard.recordFailure('b');
    guard.recordFailure('c');
    expect(guard.retryAfterSeconds('a')).toBe(0);
    expect(guard.retryAfterSeconds('c')).toBeGreaterThan(0);
  });
});
