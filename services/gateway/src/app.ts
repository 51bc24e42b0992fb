import { badRequest, type Logger, metricsHandler, notFound, type Registry } from '@ollama-gateway/runtime';
import express, { type Express } from 'express';
import { jsonDepthExceeds, TOO_DEEP_MESSAGE } from './dialects/json-depth.js';
import type { AdmissionGate } from './limits/admission.js';
import { authenticateMiddleware } from './middleware/authenticate.middleware.js';
import { type CorsPolicy, corsMiddleware } from './middleware/cors.middleware.js';
import { errorMiddleware } from './middleware/error.middleware.js';
import { requestContextMiddleware } from './middleware/request-context.middleware.js';
import { adminRoute } from './routes/admin/admin.route.js';
import { chatCompletionsRoute } from './routes/chat-completions.route.js';
import { completionsRoute } from './routes/completions.route.js';
import { embeddingsRoute } from './routes/embeddings.route.js';
import { healthRoute, type ReadinessCheck } from './routes/health.route.js';
import { internalAuthRoute } from './routes/internal-auth.route.js';
import { messagesRoute } from './routes/messages.route.js';
import { modelsRoute } from './routes/models.route.js';
import { isNativeApiPath, ollamaNativeRoute } from './routes/ollama-native.route.js';
import { responsesRoute } from './routes/responses.route.js';
import { usageRoute } from './routes/usage.route.js';
import type { OllamaRouter } from './routing/ollama.router.js';
import type { AdminService } from './services/admin.service.js';
import type { ChatService } from './services/chat.service.js';
import { createCompletionService } from './services/completion.service.js';
import { createEmbeddingService } from './services/embedding.service.js';
import type { ImageFetcher } from './services/image-fetcher.service.js';
import type { KeyAuthService } from './services/key-auth.service.js';
import type { UsageRecorder } from './services/usage-recorder.service.js';

export interface AppDeps {
  logger: Logger;
  auth: KeyAuthService;
  chat: ChatService;
  /** The Ollama hosts (routing/): model-aware host choice, fair queueing, aliases; every Ollama call goes through it. */
  router: OllamaRouter;
  recorder: UsageRecorder;
  internalSecret: string;
  maxBodyBytes: number;
  keepAliveMs: number;
  readiness: ReadinessCheck[];
  isStopping: () => boolean;
  /** Downloads http(s) image URLs in chat requests; absent when IMAGE_URL_FETCH is off (they are then a 400). */
  imageFetcher?: ImageFetcher;
  /** Checked before every upstream call (rate limits, budget: main.ts composes them); absent = let everything through. */
  admission?: AdmissionGate;
  /** The admin REST API under /admin (token = ADMIN_TOKEN; unset → /admin answers 404). Absent = 404 too. */
  admin?: { token: string | undefined; service: AdminService };
  /** GET /v1/usage: the caller's usage this billing period. Absent = 404. */
  usage?: Parameters<typeof usageRoute>[0];
  /** CORS for /v1/… and /api/… (CORS_ALLOW_ORIGINS); absent = no CORS headers. */
  cors?: CorsPolicy;
  /** Served on GET /metrics (Prometheus text format, no API key: keep the port private). Absent = 404. */
  metrics?: Registry;
}

/** The gateway's HTTP app, with every dependency passed in (no listen: main.ts and tests do that). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  app.use(healthRoute({ checks: deps.readiness, isStopping: deps.isStopping }));
  if (deps.metrics) app.get('/metrics', metricsHandler(deps.metrics));
  app.use(
    internalAuthRoute({
      auth: deps.auth,
      recorder: deps.recorder,
      internalSecret: deps.internalSecret,
      ...(deps.cors ? { cors: deps.cors } : {}),
    }),
  );

  app.use(
    '/admin',
    deps.admin
      ? adminRoute({ token: deps.admin.token, auth: deps.auth, admin: deps.admin.service })
      : (req: express.Request, _res: express.Response, next: express.NextFunction) =>
          next(notFound(`Invalid URL (${req.method} ${req.originalUrl})`, { code: 'unknown_url' })),
  );

  const api = express.Router();
  // Before the key chain: browsers send preflights without the key.
  if (deps.cors) api.use(corsMiddleware(deps.cors));
  api.use(
    requestContextMiddleware({
      internalSecret: deps.internalSecret,
      recorder: deps.recorder,
      ...(deps.admission ? { admission: deps.admission } : {}),
    }),
  );
  api.use(authenticateMiddleware(deps.auth));
  api.use(express.json({ limit: deps.maxBodyBytes, type: (req) => !isNativeApiPath(req) }));
  api.use((req, _res, next) =>
    next(jsonDepthExceeds(req.body) ? badRequest(TOO_DEEP_MESSAGE, { code: 'invalid_json' }) : undefined),
  );
  api.use(
    chatCompletionsRoute({ chat: deps.chat, keepAliveMs: deps.keepAliveMs, images: deps.imageFetcher }),
  );
  api.use(modelsRoute({ router: deps.router }));
  if (deps.usage) api.use(usageRoute(deps.usage));
  api.use(messagesRoute({ chat: deps.chat, keepAliveMs: deps.keepAliveMs }));
  api.use(completionsRoute({ service: createCompletionService(deps), keepAliveMs: deps.keepAliveMs }));
  api.use(embeddingsRoute({ service: createEmbeddingService(deps) }));
  api.use(ollamaNativeRoute({ router: deps.router, maxBodyBytes: deps.maxBodyBytes }));
  api.use(responsesRoute({ chat: deps.chat, keepAliveMs: deps.keepAliveMs }));
  api.use((req, _res, next) =>
    next(notFound(`Invalid URL (${req.method} ${req.path})`, { code: 'unknown_url' })),
  );
  app.use(api);
  app.use(errorMiddleware(deps.logger));
  return app;
}
