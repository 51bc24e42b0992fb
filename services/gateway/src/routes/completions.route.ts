import { performance } from 'node:perf_hooks';
import { type Request, type Response, Router } from 'express';
import { modelNotFound } from '../canonical/errors.js';
import {
  OpenAICompletionStreamRenderer,
  parseCompletionRequest,
  toTextCompletion,
} from '../dialects/openai/completions.js';
import { unixSeconds } from '../dialects/openai/response.js';
import { admitRequest } from '../limits/admit.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { CompletionService } from '../services/completion.service.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import { abortOnClientClose } from '../streaming/abort.js';
import { collectingText, relaySse } from '../streaming/sse-relay.js';

/** The most tokens the (possibly fanned-out) completion may generate, null when one of them is unbounded. */
function sumMaxTokens(requests: { options?: { num_predict?: number } }[]): number | null {
  let total = 0;
  for (const request of requests) {
    const max = request.options?.num_predict;
    if (max === undefined || max < 0) return null;
    total += max;
  }
  return total;
}

export const textCompletionId = (requestId: string) => `cmpl-${requestId}`;

/**
 * OpenAI legacy `POST /v1/completions` → Ollama `/api/generate`, plain or streamed. An array prompt fans out to one
 * generate call per prompt (not streamed), answered as one choice per prompt.
 */
export function completionsRoute(deps: { service: CompletionService; keepAliveMs: number }): Router {
  const router = Router();
  router.post('/v1/completions', async (req: Request, res: Response) => {
    const context = contextOf(res);
    context.requestBody = req.body;
    const parsed = parseCompletionRequest(req.body);
    context.model = parsed.model;
    context.stream = parsed.stream;
    if (context.key && !isModelAllowed(context.key, parsed.model)) throw modelNotFound(parsed.model);
    await admitRequest(res, {
      model: parsed.model,
      prompt: parsed.requests.map((r) => r.prompt),
      maxCompletionTokens: sumMaxTokens(parsed.requests),
    });
    const id = textCompletionId(context.requestId);
    const signal = abortOnClientClose(res);
    const prompts = parsed.requests.map((request) => request.prompt);

    if (!parsed.stream) {
      const results = await deps.service.complete(parsed.requests, context, signal);
      const body = toTextCompletion(id, parsed.model, results, prompts, parsed.echo);
      context.responseBody = body;
      res.setHeader(
        'x-gateway-overhead-ms',
        (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
      );
      res.json(body);
      return;
    }

    const request = parsed.requests[0]!;
    const renderer = new OpenAICompletionStreamRenderer(
      id,
      parsed.model,
      unixSeconds(undefined),
      parsed.includeUsage,
      parsed.echo ? request.prompt : null,
    );
    const collected: string[] = parsed.echo ? [request.prompt] : [];
    const status = await relaySse(res, {
      open: async () => collectingText(await deps.service.stream(request, context, signal), collected),
      renderer,
      context,
      keepAliveMs: deps.keepAliveMs,
      signal,
    });
    if (status !== 200) context.outcomeStatus = status;
    context.responseBody = {
      id,
      object: 'text_completion',
      model: parsed.model,
      text: collected.join(''),
      usage: { prompt_tokens: context.usage.promptTokens, completion_tokens: context.usage.completionTokens },
    };
  });
  return router;
}
