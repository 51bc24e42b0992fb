import { logQuerySchema } from '@ollama-gateway/contracts';
import { badRequest } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import { parseWith, pathParam } from '../http/parse.js';
import type { LogsService } from '../services/logs.service.js';

/** GET /api/logs (search, filters, keyset pages) and GET /api/logs/:requestId (bodies and ledger row). */
export function logsRoute(deps: { logs: LogsService }): Router {
  const router = Router();

  router.get('/logs', async (req: Request, res: Response) => {
    res.json(await deps.logs.page(parseWith(logQuerySchema, req.query)));
  });

  router.get('/logs/:requestId', async (req: Request, res: Response) => {
    const requestId = pathParam(req.params.requestId);
    if (requestId.length > 200)
      throw badRequest('requestId: too long', { code: 'invalid_request', param: 'requestId' });
    res.json(await deps.logs.detail(requestId));
  });
  return router;
}
