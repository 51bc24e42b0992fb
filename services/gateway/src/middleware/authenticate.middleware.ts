import type { NextFunction, Request, Response } from 'express';
import { endpointNotAllowed, isEndpointAllowed } from '../services/endpoint-access.js';
import { extractApiKey, type KeyAuthService } from '../services/key-auth.service.js';
import { contextOf } from './request-context.middleware.js';

/**
 * Puts the caller's key on the request context. Behind nginx the key was already checked by the auth subrequest and
 * nginx passes its id (trusted only with the internal secret); direct requests are checked here with the same code.
 * Then the key's allowed endpoints (paths, globs or `dialect:x`): anything else is a 403 `endpoint_not_allowed` in
 * the caller's dialect, before the body is even read.
 */
export function authenticateMiddleware(auth: KeyAuthService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const context = contextOf(res);
    const keyId = req.headers['x-gateway-key-id'];
    context.key =
      res.locals.fromProxy === true && typeof keyId === 'string' && keyId
        ? await auth.authenticateById(keyId)
        : await auth.authenticate(extractApiKey(req.headers));
    if (!isEndpointAllowed(context.key, req.path, context.dialect))
      throw endpointNotAllowed(req.path, context.key);
    next();
  };
}
