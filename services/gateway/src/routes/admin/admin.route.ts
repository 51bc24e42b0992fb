import { notFound } from '@ollama-gateway/runtime';
import express, { type Request, Router } from 'express';
import type { AdminService } from '../../services/admin.service.js';
import type { KeyAuthService } from '../../services/key-auth.service.js';
import { adminAuthMiddleware } from './admin-auth.js';
import { adminBillingRoute } from './billing.route.js';
import { adminCustomersRoute } from './customers.route.js';
import { adminSettingsRoute } from './settings.route.js';

/**
 * The admin REST API, mounted at /admin before the API-key chain. Not proxied by nginx (it answers 404 outside /v1/
 * and /api/): reach it on the gateway's own port, from the host or the dashboard. Errors are OpenAI-shaped JSON.
 */
export function adminRoute(deps: {
  token: string | undefined;
  auth: KeyAuthService;
  admin: AdminService;
}): Router {
  const router = Router();
  router.use(adminAuthMiddleware({ token: deps.token, auth: deps.auth }));
  router.use(express.json({ limit: '1mb' }));
  router.use(adminCustomersRoute(deps.admin));
  router.use(adminBillingRoute(deps.admin));
  router.use(adminSettingsRoute(deps.admin));
  router.use((req: Request) => {
    throw notFound(`Invalid URL (${req.method} /admin${req.path})`, { code: 'unknown_url' });
  });
  return router;
}
