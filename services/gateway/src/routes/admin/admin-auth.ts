import { createHash, timingSafeEqual } from 'node:crypto';
import { forbidden, notFound, unauthorized } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';
import { extractApiKey, type KeyAuthService } from '../../services/key-auth.service.js';

/** Constant-time comparison (hashing first makes the lengths equal, so the length is not leaked either). */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The admin API's own gate: `Authorization: Bearer <ADMIN_TOKEN>` or an admin key (`generate-key --admin`). With no
 * ADMIN_TOKEN configured the admin API does not exist (404), so an unconfigured gateway exposes nothing.
 */
export function adminAuthMiddleware(deps: { token: string | undefined; auth: KeyAuthService }) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!deps.token)
      return next(notFound(`Invalid URL (${req.method} ${req.path})`, { code: 'unknown_url' }));
    const given = extractApiKey(req.headers);
    if (!given)
      return next(
        unauthorized('Admin API: send Authorization: Bearer <ADMIN_TOKEN or admin key>.', {
          code: 'missing_admin_token',
        }),
      );
    if (tokenMatches(given, deps.token)) return next();
    const key = await deps.auth.authenticate(given);
    if (!key.isAdmin) return next(forbidden('This key is not an admin key.', { code: 'not_admin' }));
    next();
  };
}
