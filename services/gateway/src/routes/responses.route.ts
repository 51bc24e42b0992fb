import { performance } from 'node:perf_hooks';
import { type Request, type Response, Router } from 'express';
import { modelNotFound } from '../canonical/errors.js';
import { unixSeconds } from '../dialects/openai/response.js';
import { parseResponsesRequest } from '../dialects/openai/responses.js';
import { toResponse } from '../dialects/openai/responses.output.js';
import { ResponsesStreamRenderer } from '../dialects/openai/responses.stream.js';
import type { ResponseMeta } from '../dialects/openai/responses.types.js';
import { admitRequest } from '../limits/admit.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { ChatService } from '../services/chat.service.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import { abortOnClientClose } from '../streaming/abort.js';
import { relaySse } from '../streaming/sse-relay.js';

/**
 * OpenAI `POST /v1/responses` → Ollama `/api/chat`, plain or streamed, stateless as Ollama offers it: nothing is
 * stored, so `previous_response_id`, `conversation`, stored prompts and item references are a 400, and `store: true`
 * is accepted but every response says `store: false` (clients send the whole conversation in `input`, as n8n does).
 */
export function responsesRoute(deps: { chat: ChatService; keepAliveMs: number }): Router {
  const router = Router();
  router.post('/v1/responses', async (req: Request, res: Response) => {
    const context = contextOf(res);
    context.requestBody = req.body;
    const { request, echo } = parseResponsesRequest(req.body);
    context.model = request.model;
    context.stream = request.stream;
    if (context.key && !isModelAllowed(context.key, request.model)) throw modelNotFound(request.model);
    await admitRequest(res, {
      model: request.model,
      prompt: request.messages,
      maxCompletionTokens: request.options.num_predict ?? null,
    });
    const meta: ResponseMeta = {
      requestId: context.requestId,
      model: request.model,
      createdAt: unixSeconds(context.occurredAt),
      echo,
    };
    const signal = abortOnClientClose(res);

    if (!request.stream) {
      const result = await deps.chat.complete(request, context, signal);
      const body = toResponse(meta, result);
      context.responseBody = body;
      res.setHeader(
        'x-gateway-overhead-ms',
        (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
      );
      res.json(body);
      return;
    }

    const renderer = new ResponsesStreamRenderer(meta, () => context.usage);
    const status = await relaySse(res, {
      open: () => deps.chat.stream(request, context, signal),
      renderer,
      context,
      keepAliveMs: deps.keepAliveMs,
      signal,
    });
    if (status !== 200) context.outcomeStatus = status;
    // The response as the client assembled it from the stream (in_progress if the client left early).
    context.responseBody = renderer.response;
  });
  return router;
}
