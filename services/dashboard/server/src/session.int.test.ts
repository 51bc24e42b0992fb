import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionSchema } from '@ollama-gateway/contracts';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { createMetricsRegistry } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginGuard } from './auth/login-guard.js';
import { CONTENT_SECURITY_POLICY } from './middleware/security-headers.middleware.js';
import {
  type Dashboard,
  startDashboard,
  TEST_ADMIN_TOKEN,
  TEST_PASSWORD,
} from './testing/dashboard-harness.js';

let database: TestDatabase;
let dashboard: Dashboard;
let staticDir: string;

beforeAll(async () => {
  database = await createTestDatabase('dashsession');
  staticDir = await mkdtemp(join(tmpdir(), 'dashboard-static-'));
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>dashboard</title>');
  await writeFile(join(staticDir, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
  await writeFile(join(staticDir, 'favicon.svg'), '<svg/>');
  dashboard = await startDashboard({
    db: database.db,
    staticDir,
    metrics: createMetricsRegistry('dashboard-test'),
  });
});

afterAll(async () => {
  await dashboard?.close();
  await database?.drop();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
});

const login = (secret: string, headers: Record<string, string> = {}) =>
  dashboard.fetch('POST', '/api/session', { body: { secret }, headers });
const cookieOf = (setCookie: string | string[] | undefined) =>
  (Array.isArray(setCookie) ? setCookie[0] : setCookie) ?? '';

describe('session', () => {
  it('GET /api/session without a cookie: 200 authenticated false', async () => {
    const answer = await dashboard.fetch('GET', '/api/session');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ authenticated: false });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('every other /api route needs a session: 401 unauthenticated', async () => {
    for (const path of ['/api/overview', '/api/logs', '/api/pricing', '/api/nope']) {
      const answer = await dashboard.fetch('GET', path);
      expect(answer.status, path).toBe(401);
      expect(answer.body).toEqual({
        error: { message: 'Log in first: no valid dashboard session.', code: 'unauthenticated' },
      });
    }
    const forged = await dashboard.fetch('GET', '/api/overview', {
      headers: { cookie: 'ogw_dashboard_session=v1.AAAAAAAAAAAAAAAAAAAAAA.99999999999999.forged' },
    });
    expect(forged.status).toBe(401);
  });

  it('a wrong secret is a 401 and sets no cookie', async () => {
    const answer = await login('not-the-password');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_credentials' } });
    expect(answer.headers['set-cookie']).toBeUndefined();
    expect((await login('')).status).toBe(400);
  });

  it('logs in with DASHBOARD_PASSWORD or ADMIN_TOKEN: httpOnly SameSite=Strict cookie, CSRF token, config', async () => {
    for (const secret of [TEST_PASSWORD, TEST_ADMIN_TOKEN]) {
      const answer = await login(secret);
      expect(answer.status).toBe(200);
      const session = sessionSchema.parse(answer.body);
      expect(session).toEqual({
        authenticated: true,
        csrfToken: expect.any(String),
        config: { currency: 'USD', timeZone: 'UTC', adminEnabled: false, version: '0.0.0-test' },
      });
      const cookie = cookieOf(answer.headers['set-cookie']);
      expect(cookie).toMatch(/^ogw_dashboard_session=v1\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]+; /);
      expect(cookie).toContain('Max-Age=43200');
      expect(cookie).toContain('Path=/');
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).not.toContain('Secure');
      const me = await dashboard.fetch('GET', '/api/session', { headers: { cookie: cookie.split(';')[0]! } });
      expect(me.body).toEqual(session);
    }
  });

  it('the cookie is Secure when the request came over HTTPS (x-forwarded-proto)', async () => {
    const answer = await login(TEST_PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(cookieOf(answer.headers['set-cookie'])).toContain('; Secure');
  });

  it('mutations need the CSRF token and a same-origin Origin', async () => {
    const client = await dashboard.login();
    const create = (headers: Record<string, string>) =>
      dashboard.fetch('POST', '/api/customers', {
        body: { name: 'X' },
        headers: { cookie: client.cookie, ...headers },
      });
    const none = await create({});
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ error: { code: 'csrf' } });
    expect((await create({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    const crossSite = await create({ 'x-csrf-token': client.csrfToken, origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toMatchObject({
      error: { code: 'csrf', message: expect.stringMatching(/Origin/) },
    });
    expect((await create({ 'x-csrf-token': client.csrfToken, origin: 'null' })).status).toBe(403);
    // Token and origin right: through to the admin route (read-only dashboard here: no gateway client).
    const ok = await create({ 'x-csrf-token': client.csrfToken, origin: dashboard.url });
    expect(ok.status).toBe(503);
    expect(ok.body).toMatchObject({
      error: { code: 'admin_disabled', message: expect.stringMatching(/ADMIN_TOKEN/) },
    });
    // No Origin header (non-browser clients) is accepted with the token.
    expect((await create({ 'x-csrf-token': client.csrfToken })).status).toBe(503);
    // A cross-site login is refused too.
    expect((await login(TEST_PASSWORD, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('logout clears the cookie and revokes the session', async () => {
    const client = await dashboard.login();
    expect((await client.get('/api/plans')).status).toBe(200);
    expect((await client.send('DELETE', '/api/session', undefined, { 'x-csrf-token': 'wrong' })).status).toBe(
      403,
    );
    const out = await client.send('DELETE', '/api/session');
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ authenticated: false });
    expect(cookieOf(out.headers['set-cookie'])).toMatch(
      /^ogw_dashboard_session=; .*Expires=Thu, 01 Jan 1970/,
    );
    expect((await client.get('/api/session')).body).toEqual({ authenticated: false });
    expect((await client.get('/api/plans')).status).toBe(401);
  });
});

describe('brute-force guard', () => {
  it('after 10 failed logins from one IP in 5 minutes: 429 with retry-after, even for the right secret', async () => {
    let clock = Date.parse('2026-03-15T10:00:00Z');
    const guarded = await startDashboard({
      db: database.db,
      loginGuard: createLoginGuard({ now: () => clock }),
    });
    try {
      for (let i = 0; i < 10; i++) {
        const failed = await guarded.fetch('POST', '/api/session', { body: { secret: `guess-${i}` } });
        expect(failed.status).toBe(401);
        clock += 1000;
      }
      const blocked = await guarded.fetch('POST', '/api/session', { body: { secret: TEST_PASSWORD } });
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ error: { code: 'too_many_attempts' } });
      // The first failure (at +0 s) leaves the window at +300 s; it is now +10 s.
      expect(blocked.headers['retry-after']).toBe('290');
      clock += 290_000;
      expect((await guarded.fetch('POST', '/api/session', { body: { secret: TEST_PASSWORD } })).status).toBe(
        200,
      );
    } finally {
      await guarded.close();
    }
  });
});

describe('serving', () => {
  it('security headers on every answer', async () => {
    for (const path of ['/', '/api/session', '/health']) {
      const answer = await dashboard.fetch('GET', path);
      expect(answer.headers['content-security-policy'], path).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('index.html with no-cache, hashed assets cached for a year, SPA fallback outside /api', async () => {
    const index = await dashboard.fetch('GET', '/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('<title>dashboard</title>');
    expect(index.headers['cache-control']).toBe('no-cache');
    const asset = await dashboard.fetch('GET', '/assets/index-AbCd1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await dashboard.fetch('GET', '/favicon.svg')).headers['cache-control']).toBe('no-cache');
    const deep = await dashboard.fetch('GET', '/customers/123');
    expect(deep.status).toBe(200);
    expect(deep.text).toContain('<title>dashboard</title>');
    const client = await dashboard.login();
    const api = await client.get('/api/nope');
    expect(api.status).toBe(404);
    expect(api.body).toMatchObject({ error: { code: 'not_found' } });
    expect((await dashboard.fetch('POST', '/somewhere')).status).toBe(404);
  });

  it('a plain-text 503 saying how to build when the SPA is missing', async () => {
    const bare = await startDashboard({ db: database.db });
    try {
      const answer = await bare.fetch('GET', '/');
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(answer.text).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });

  it('/health, /ready (Postgres) and /metrics', async () => {
    expect((await dashboard.fetch('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await dashboard.fetch('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
    const metrics = await dashboard.fetch('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('dashboard_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('route="/api/session"');
  });
});
