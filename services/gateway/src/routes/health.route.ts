import { Router } from 'express';

export interface ReadinessCheck {
  name: string;
  /** Resolves true when the dependency is usable. */
  check: () => Promise<boolean>;
  /** A required check failing makes the gateway unready; an optional one is only reported. */
  required: boolean;
}

/** `/health`: the process is alive. `/ready`: required dependencies answer and we are not shutting down. */
export function healthRoute(deps: { checks: ReadinessCheck[]; isStopping: () => boolean }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      deps.checks.map(async (item) => {
        const ok = await Promise.race([
          item.check().catch(() => false),
          new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref()),
        ]);
        return [item, ok] as const;
      }),
    );
    const stopping = deps.isStopping();
    const ready = !stopping && results.every(([item, ok]) => ok || !item.required);
    res.status(ready ? 200 : 503).json({
      status: stopping ? 'stopping' : ready ? 'ready' : 'unready',
      checks: Object.fromEntries(results.map(([item, ok]) => [item.name, ok ? 'ok' : 'down'])),
    });
  });
  return router;
}
