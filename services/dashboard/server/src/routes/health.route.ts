import { metricsHandler, type Registry } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';

/** `/health`: alive. `/ready`: Postgres answers and we are not shutting down. `/metrics`: Prometheus text. */
export function healthRoute(deps: {
  postgresReady: () => Promise<boolean>;
  isStopping: () => boolean;
  metrics?: Registry | undefined;
}): Router {
  const router = Router();
  router.get('/health', (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req: Request, res: Response) => {
    let timer: NodeJS.Timeout | undefined;
    const postgres = await Promise.race([
      deps.postgresReady().catch(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, 2000, false);
      }),
    ]);
    clearTimeout(timer);
    const stopping = deps.isStopping();
    const ready = postgres && !stopping;
    res.setHeader('cache-control', 'no-store');
    res.status(ready ? 200 : 503).json({
      status: stopping ? 'stopping' : ready ? 'ready' : 'unready',
      checks: { postgres: postgres ? 'ok' : 'down' },
    });
  });
  if (deps.metrics) router.get('/metrics', metricsHandler(deps.metrics));
  return router;
}
