import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response, Router } from 'express';

export const NOT_BUILT_MESSAGE =
  'The dashboard web app is not built yet.\n\n' +
  'Run `npm run build -w @ollama-gateway/dashboard` from the repository root, then reload.\n' +
  'The server looks for index.html in DASHBOARD_STATIC_DIR (default: services/dashboard/dist/web).\n';

/** Vite's hashed output (assets/name-<hash>.js|css|…): safe to cache for a year. */
const HASHED = /[/\\]assets[/\\][^/\\]+-[A-Za-z0-9_-]{8,}(\.[a-z0-9]+)+$/;

/**
 * The built SPA: hashed assets with a year of immutable cache, everything else (index.html first) revalidated on
 * every load (no-cache); any other GET outside /api gets index.html (SPA fallback), or a plain-text 503 saying how to
 * build it when it is missing.
 */
export function staticRoute(deps: { dir: string }): Router {
  const dir = resolve(deps.dir);
  const index = join(dir, 'index.html');
  const router = Router();
  router.use(
    express.static(dir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders(res, path) {
        res.setHeader(
          'cache-control',
          HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/api' || req.path.startsWith('/api/')) return next();
    const built = await stat(index).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!built) {
      res.status(503).set({ 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.send(NOT_BUILT_MESSAGE);
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
