import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createDb } from '@ollama-gateway/db';
import { createLogger, createMetricsRegistry, installShutdown } from '@ollama-gateway/runtime';
import { createApp } from './app.js';
import { createLoginGuard } from './auth/login-guard.js';
import { sessionSecretFrom } from './auth/secrets.js';
import { createSessionService } from './auth/session.service.js';
import { createGatewayAdminClient } from './clients/gateway-admin.client.js';
import { loadDashboardEnv } from './env.js';

/** Composition root: env → logger → Postgres, gateway admin client → app → listen → ordered shutdown. */
const env = loadDashboardEnv();
const logger = createLogger('dashboard', env.LOG_LEVEL);
const db = createDb(env.DATABASE_URL, { max: 10, applicationName: 'dashboard' });
const metrics = createMetricsRegistry('dashboard');
const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
).version;
let stopping = false;

const app = createApp({
  logger,
  db,
  sessions: createSessionService({
    secret: sessionSecretFrom({
      sessionSecret: env.DASHBOARD_SESSION_SECRET,
      keyHashSecret: env.KEY_HASH_SECRET,
      adminToken: env.ADMIN_TOKEN,
      password: env.DASHBOARD_PASSWORD,
    }),
  }),
  loginGuard: createLoginGuard(),
  secrets: { adminToken: env.ADMIN_TOKEN, password: env.DASHBOARD_PASSWORD },
  cookieSecure: env.DASHBOARD_COOKIE_SECURE,
  gatewayAdmin: env.ADMIN_TOKEN
    ? createGatewayAdminClient({
        baseUrl: env.GATEWAY_ADMIN_URL,
        token: env.ADMIN_TOKEN,
        timeoutMs: env.GATEWAY_ADMIN_TIMEOUT_MS,
      })
    : null,
  currency: env.CURRENCY,
  timeZone: env.DASHBOARD_TIME_ZONE,
  billingTimeZone: env.BILLING_TIME_ZONE,
  electricityDefaults: { gpuWatts: env.GPU_WATTS, pricePerKwh: env.ELECTRICITY_PRICE_PER_KWH },
  version: version ?? '0.0.0',
  staticDir: env.DASHBOARD_STATIC_DIR,
  trustProxy: env.DASHBOARD_TRUST_PROXY,
  metrics,
  isStopping: () => stopping,
});

const server = createServer({ keepAliveTimeout: 65_000 }, app);
server.listen(env.DASHBOARD_PORT, env.DASHBOARD_HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.DASHBOARD_PORT;
  logger.info(
    {
      host: env.DASHBOARD_HOST,
      port,
      staticDir: env.DASHBOARD_STATIC_DIR,
      gatewayAdminUrl: env.GATEWAY_ADMIN_URL,
      adminEnabled: Boolean(env.ADMIN_TOKEN),
      timeZone: env.DASHBOARD_TIME_ZONE,
    },
    `dashboard listening on http://${env.DASHBOARD_HOST}:${port}`,
  );
  if (!env.ADMIN_TOKEN)
    logger.warn('ADMIN_TOKEN is not set: the dashboard is read-only (admin changes answer 503)');
});
server.on('error', (error) => {
  logger.fatal({ err: error }, 'dashboard cannot listen');
  process.exit(1);
});

installShutdown(logger, [
  {
    name: 'mark unready',
    run: () => {
      stopping = true;
    },
  },
  {
    name: 'drain http',
    run: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, 10_000).unref();
      }),
  },
  { name: 'close postgres', run: () => db.destroy() },
]);

process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
