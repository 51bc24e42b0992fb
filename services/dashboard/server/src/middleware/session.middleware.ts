import { AppError, unauthorized } from '@ollama-gateway/runtime';
import type { NextFunction, Request, Response } from 'express';
import { SESSION_COOKIE, type SessionInfo, type SessionService } from '../auth/session.service.js';

/** The value of one cookie in the Cookie header (no decoding: the session cookie is URL-safe). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export const sessionOf = (res: Response): SessionInfo | null =>
  (res.locals.session as SessionInfo | null) ?? null;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isMutation = (req: Request) => !SAFE_METHODS.has(req.method);

const first = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;

/**
 * An `Origin` header, when present, must name this host (the Host header, or X-Forwarded-Host set by a proxy): a
 * browser adds it to cross-site requests and a page cannot forge it. A missing Origin (same-origin GET, curl) passes.
 */
export function originMatches(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  const candidates = [first(req.headers.host), first(req.headers['x-forwarded-host'])];
  return candidates.some((candidate) => candidate !== undefined && candidate.toLowerCase() === host);
}

export const csrfError = (message: string) => new AppError(403, 'permission', message, { code: 'csrf' });

/** Reads the session cookie into res.locals.session (null when absent or invalid). */
export function sessionMiddleware(sessions: SessionService) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.session = sessions.verify(cookieValue(req.headers.cookie, SESSION_COOKIE));
    next();
  };
}

/** Everything after it needs a session (401 `unauthenticated`). */
export function requireSession(_req: Request, res: Response, next: NextFunction) {
  if (!sessionOf(res))
    return next(unauthorized('Log in first: no valid dashboard session.', { code: 'unauthenticated' }));
  next();
}

/** Mutations need a same-origin Origin (when sent) and the session's CSRF token in `x-csrf-token` (403 `csrf`). */
export function csrfMiddleware(sessions: SessionService) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!isMutation(req)) return next();
    if (!originMatches(req))
      return next(csrfError('Cross-origin request refused (the Origin does not match).'));
    const session = sessionOf(res);
    const token = req.headers['x-csrf-token'];
    if (!session || !sessions.csrfMatches(session.id, typeof token === 'string' ? token : undefined))
      return next(csrfError('Missing or wrong x-csrf-token header: reload the page.'));
    next();
  };
}
