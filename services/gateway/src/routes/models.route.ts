import { type Request, type Response, Router } from 'express';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import type { OpenAIModel } from '../dialects/openai/types.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import { isModelAllowed } from '../services/key-auth.service.js';

/** `owned_by` as Ollama derives it: the namespace of `ns/name:tag`, `library` for official models. */
export function ownerOf(name: string): string {
  const path = name.split(':')[0] ?? name;
  const parts = path.split('/');
  return parts.length >= 2 ? parts[parts.length - 2]! : 'library';
}

/** OpenAI `GET /v1/models` from Ollama's `/api/tags`, listing only the models the key may use. */
export function modelsRoute(deps: { ollama: OllamaClient }): Router {
  const router = Router();
  router.get('/v1/models', async (_req: Request, res: Response) => {
    const context = contextOf(res);
    context.provider = 'ollama';
    context.upstreamHost = deps.ollama.baseUrl;
    const tags = await deps.ollama.tags();
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
  return router;
}
