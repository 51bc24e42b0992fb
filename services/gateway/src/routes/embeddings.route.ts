import { performance } from 'node:perf_hooks';
import { type Request, type Response, Router } from 'express';
import { modelNotFound } from '../canonical/errors.js';
import { parseEmbeddingRequest, toEmbeddingList } from '../dialects/openai/embeddings.js';
import { admitRequest } from '../limits/admit.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { EmbeddingService } from '../services/embedding.service.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import { abortOnClientClose } from '../streaming/abort.js';

/** OpenAI `POST /v1/embeddings` → Ollama `/api/embed`, vectors as float arrays or base64 float32. */
export function embeddingsRoute(deps: { service: EmbeddingService }): Router {
  const router = Router();
  router.post('/v1/embeddings', async (req: Request, res: Response) => {
    const context = contextOf(res);
    context.requestBody = req.body;
    const { request, encoding } = parseEmbeddingRequest(req.body);
    context.model = request.model;
    if (context.key && !isModelAllowed(context.key, request.model)) throw modelNotFound(request.model);
    await admitRequest(res, { model: request.model, prompt: request.input, maxCompletionTokens: 0 });
    const signal = abortOnClientClose(res);
    const result = await deps.service.embed(request, context, signal);
    const body = toEmbeddingList(request.model, result, encoding);
    // The request log keeps the shape, not the vectors (they are large and say nothing to a reader).
    context.responseBody = {
      object: 'list',
      model: body.model,
      encoding_format: encoding,
      data: result.embeddings.map((vector, index) => ({ index, dimensions: vector.length })),
      usage: body.usage,
    };
    res.setHeader(
      'x-gateway-overhead-ms',
      (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
    );
    res.json(body);
  });
  return router;
}
