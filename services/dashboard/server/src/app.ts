import { type Db, sql } from '@ollama-gateway/db';
import { type Logger, notFound, type Registry } from '@ollama-gateway/runtime';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { LoginGuard } from './auth/login-guard.js';
import type { SessionService } from './auth/session.service.js';
import type { GatewayAdminClient } from './clients/gateway-admin.client.js';
import { errorMiddleware } from './middleware/error.middleware.js';
import { requestLogMiddleware } from './middleware/request-log.middleware.js';
import { securityHeadersMiddleware } from './middleware/security-headers.middleware.js';
import { csrfMiddleware, requireSession, sessionMiddleware } from './middleware/session.middleware.js';
import { createCustomersRepository } from './repositories/customers.repository.js';
import { createKeyUsageRepository } from './repositories/key-usage.repository.js';
import { createLogsRepository } from './repositories/logs.repository.js';
import { createModelHourlyRepository } from './repositories/model-hourly.repository.js';
import { createPricingRepository } from './repositories/pricing.repository.js';
import { adminRoute } from './routes/admin.route.js';
import { analyticsRoute } from './routes/analytics.route.js';
import { customersRoute } from './routes/customers.route.js';
import { healthRoute } from './routes/health.route.js';
import { logsRoute } from './routes/logs.route.js';
import { pricingRoute } from './routes/pricing.route.js';
import { sessionRoute } from './routes/session.route.js';
import { staticRoute } from './routes/static.route.js';
import { type AdminService, createAdminService } from './services/admin.service.js';
import { createAnalyticsService } from './services/analytics.service.js';
import { createCustomersService } from './services/customers.service.js';
import { createLogsService } from './services/logs.service.js';
import { createPricingService } from './services/pricing.service.js';
import { createRangeResolver } from './services/range.service.js';

export interface AppDeps {
  logger: Logger;
  db: Db;
  sessions: SessionService;
  loginGuard: LoginGuard;
  /** The login secrets: ADMIN_TOKEN and/or DASHBOARD_PASSWORD. */
  secrets: { adminToken?: string | undefined; password?: string | undefined };
  cookieSecure: boolean;
  /** The gateway admin API client; null when ADMIN_TOKEN is unset (mutations answer 503 admin_disabled). */
  gatewayAdmin: GatewayAdminClient | null;
  currency: string;
  /** DASHBOARD_TIME_ZONE: periods and day buckets when a request sends no `tz`. */
  timeZone: string;
  /** BILLING_TIME_ZONE: the calendar months of customer_spend. */
  billingTimeZone: string;
  /** GPU_WATTS, ELECTRICITY_PRICE_PER_KWH: shown while the settings table has no 'electricity' row. */
  electricityDefaults: { gpuWatts: number; pricePerKwh: number };
  version: string;
  /** The built SPA. */
  staticDir: string;
  /** Express `trust proxy` (which proxies' X-Forwarded-For names the client IP); absent = trust none. */
  trustProxy?: string | undefined;
  metrics?: Registry | undefined;
  isStopping?: () => boolean;
  /** The clock (tests pin it). */
  now?: () => Date;
  /** Built from gatewayAdmin when absent (tests may pass one with a short probe cache). */
  admin?: AdminService;
}

/** The dashboard's HTTP app: /api (session, reads, admin mutations), health, metrics, the SPA. No listen. */
export function createApp(deps: AppDeps): Express {
  const now = deps.now ?? (() => new Date());
  const modelHourly = createModelHourlyRepository(deps.db);
  const resolveRange = createRangeResolver({
    earliest: () => modelHourly.earliest(),
    now,
    defaultTimeZone: deps.timeZone,
  });
  const admin = deps.admin ?? createAdminService({ client: deps.gatewayAdmin });

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);

  app.use(securityHeadersMiddleware);
  app.use(requestLogMiddleware(deps.logger, deps.metrics));
  app.use(
    healthRoute({
      postgresReady: async () => {
        await sql`select 1`.execute(deps.db);
        return true;
      },
      isStopping: deps.isStopping ?? (() => false),
      metrics: deps.metrics,
    }),
  );

  const api = express.Router();
  api.use((_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('cache-control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '256kb' }));
  api.use(sessionMiddleware(deps.sessions));
  api.use(
    sessionRoute({
      sessions: deps.sessions,
      guard: deps.loginGuard,
      secrets: deps.secrets,
      cookieSecure: deps.cookieSecure,
      logger: deps.logger,
      config: async () => ({
        currency: deps.currency,
        timeZone: deps.timeZone,
        adminEnabled: await admin.available(),
        version: deps.version,
      }),
    }),
  );
  api.use(requireSession);
  api.use(csrfMiddleware(deps.sessions));
  api.use(
    analyticsRoute({
      analytics: createAnalyticsService({ usage: modelHourly, currency: deps.currency }),
      resolveRange,
    }),
  );
  api.use(
    customersRoute({
      customers: createCustomersService({
        customers: createCustomersRepository(deps.db),
        usage: createKeyUsageRepository(deps.db),
        billingTimeZone: deps.billingTimeZone,
        now,
      }),
      resolveRange,
    }),
  );
  api.use(logsRoute({ logs: createLogsService({ logs: createLogsRepository(deps.db) }) }));
  api.use(
    pricingRoute({
      pricing: createPricingService({
        pricing: createPricingRepository(deps.db),
        currency: deps.currency,
        electricityDefaults: deps.electricityDefaults,
        logger: deps.logger,
      }),
    }),
  );
  api.use(adminRoute({ admin }));
  api.use((req: Request, _res: Response, next: NextFunction) =>
    next(notFound(`No such dashboard API: ${req.method} ${req.path}`, { code: 'not_found' })),
  );
  app.use('/api', api);
  app.use(staticRoute({ dir: deps.staticDir }));
  app.use((req: Request, _res: Response, next: NextFunction) =>
    next(notFound(`Not found: ${req.method} ${req.path}`, { code: 'not_found' })),
  );
  app.use(errorMiddleware(deps.logger));
  return app;
}
