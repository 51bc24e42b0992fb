import { type DashboardConfig, loginRequestSchema, type Session } from '@ollama-gateway/contracts';
import { AppError, type Logger, tooManyRequests } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import type { LoginGuard } from '../auth/login-guard.js';
import { matchesAnySecret } from '../auth/secrets.js';
import { SESSION_COOKIE, type SessionService } from '../auth/session.service.js';
import { parseWith } from '../http/parse.js';
import { csrfError, originMatches, sessionOf } from '../middleware/session.middleware.js';

export interface SessionRouteDeps {
  sessions: SessionService;
  guard: LoginGuard;
  /** The login secrets (ADMIN_TOKEN, DASHBOARD_PASSWORD); unset ones are skipped. */
  secrets: { adminToken?: string | undefined; password?: string | undefined };
  /** DASHBOARD_COOKIE_SECURE: always Secure (else only for HTTPS requests, per x-forwarded-proto). */
  cookieSecure: boolean;
  config: () => Promise<DashboardConfig>;
  logger: Logger;
}

function isHttps(req: Request): boolean {
  const proto = req.headers['x-forwarded-proto'];
  const value = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return req.secure || value === 'https';
}

const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** POST /api/session (login), GET /api/session (who am I), DELETE /api/session (logout). */
export function sessionRoute(deps: SessionRouteDeps): Router {
  const router = Router();
  const cookieOptions = (req: Request) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: deps.cookieSecure || isHttps(req),
    path: '/',
  });

  const authenticated = async (sessionId: string): Promise<Session> => ({
    authenticated: true,
    csrfToken: deps.sessions.csrfToken(sessionId),
    config: await deps.config(),
  });

  router.get('/session', async (_req: Request, res: Response) => {
    const session = sessionOf(res);
    res.json(session ? await authenticated(session.id) : ({ authenticated: false } satisfies Session));
  });

  router.post('/session', async (req: Request, res: Response) => {
    if (!originMatches(req)) throw csrfError('Cross-origin login refused (the Origin does not match).');
    const ip = clientIp(req);
    const wait = deps.guard.retryAfterSeconds(ip);
    if (wait > 0)
      throw tooManyRequests(`Too many failed logins: try again in ${wait} s.`, {
        code: 'too_many_attempts',
        retryAfterSeconds: wait,
      });
    const { secret } = parseWith(loginRequestSchema, req.body);
    if (!matchesAnySecret(secret, [deps.secrets.adminToken, deps.secrets.password])) {
      deps.guard.recordFailure(ip);
      deps.logger.warn({ ip }, 'dashboard login failed');
      throw new AppError(401, 'authentication', 'Wrong password or token.', { code: 'invalid_credentials' });
    }
    deps.guard.recordSuccess(ip);
    const issued = deps.sessions.issue();
    res.cookie(SESSION_COOKIE, issued.cookie, {
      ...cookieOptions(req),
      maxAge: deps.sessions.ttlMs,
    });
    deps.logger.info({ ip }, 'dashboard login');
    res.json(await authenticated(issued.id));
  });

  router.delete('/session', (req: Request, res: Response) => {
    const session = sessionOf(res);
    if (session) {
      const token = req.headers['x-csrf-token'];
      if (!originMatches(req)) throw csrfError('Cross-origin request refused (the Origin does not match).');
      if (!deps.sessions.csrfMatches(session.id, typeof token === 'string' ? token : undefined))
        throw csrfError('Missing or wrong x-csrf-token header: reload the page.');
      deps.sessions.revoke(session);
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.json({ authenticated: false } satisfies Session);
  });

  return router;
}
