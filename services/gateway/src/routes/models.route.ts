import { type Request, type Response, Router } from 'express';
import { modelNotFound } from '../canonical/errors.js';
import type { OpenAIModel } from '../dialects/openai/types.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import { abortOnClientClose } from '../streaming/abort.js';

/** `owned_by` as Ollama derives it: the namespace of `ns/name:tag`, `library` for official models. */
export function ownerOf(name: string): string {
  const path = name.split(':')[0] ?? name;
  const parts = path.split('/');
  return parts.length >= 2 ? parts[parts.length - 2]! : 'library';
}

/**
 * OpenAI `GET /v1/models` from Ollama's `/api/tags` of every healthy host (merged, aliases included), listing only the
 * models the key may use.
 */
export function modelsRoute(deps: { router: OllamaRouter }): Router {
  const router = Router();
  router.get('/v1/models', async (_req: Request, res: Response) => {
    const context = contextOf(res);
    context.provider = 'ollama';
    const tags = await deps.router.listModels({ signal: abortOnClientClose(res) });
    const data: OpenAIModel[] = tags.models
      .filter((model) => !context.key || isModelAllowed(context.key, model.model ?? model.name))
      .map((model) => ({
        id: model.model ?? model.name,
        object: 'model',
        created: Math.floor((Date.parse(model.modified_at) || Date.now()) / 1000),
        owned_by: ownerOf(model.model ?? model.name),
      }));
    res.json({ object: 'list', data });
  });

  // OpenAI `GET /v1/models/{model}` from Ollama's `/api/show` (reference §4.8). The id may hold `/` (`hf.co/u/m:q4`),
  // raw or encoded; a model the key may not use is as missing as one Ollama does not have (404 model_not_found).
  router.get('/v1/models/*model', async (req: Request, res: Response) => {
    const context = contextOf(res);
    const raw = (req.params as Record<string, unknown>).model;
    const id = Array.isArray(raw) ? raw.join('/') : String(raw);
    context.model = id;
    context.provider = 'ollama';
    if (context.key && !isModelAllowed(context.key, id)) throw modelNotFound(id);
    const target = deps.router.target(id);
    context.upstreamModel = target.model;
    const show = await deps.router.show(target, context, abortOnClientClose(res));
    const body: OpenAIModel = {
      id,
      object: 'model',
      created: Math.floor((Date.parse(show.modified_at ?? '') || Date.now()) / 1000),
      owned_by: ownerOf(id),
    };
    context.responseBody = body;
    res.json(body);
  });
  return router;
}
