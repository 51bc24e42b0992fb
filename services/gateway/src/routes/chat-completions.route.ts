import { performance } from 'node:perf_hooks';
import { type Request, type Response, Router } from 'express';
import { modelNotFound } from '../canonical/errors.js';
import { parseChatCompletionRequest } from '../dialects/openai/request.js';
import { toChatCompletion, unixSeconds } from '../dialects/openai/response.js';
import { OpenAIChatStreamRenderer } from '../dialects/openai/stream.js';
import { admitRequest } from '../limits/admit.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { ChatService } from '../services/chat.service.js';
import type { ImageFetcher } from '../services/image-fetcher.service.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import { abortOnClientClose } from '../streaming/abort.js';
import { collectingText, relaySse } from '../streaming/sse-relay.js';

export const completionId = (requestId: string) => `chatcmpl-${requestId}`;

/** OpenAI `POST /v1/chat/completions` → Ollama `/api/chat`, plain or streamed. */
export function chatCompletionsRoute(deps: {
  chat: ChatService;
  keepAliveMs: number;
  /** Present when IMAGE_URL_FETCH is on: http(s) image URLs are downloaded; otherwise they are a 400. */
  images?: ImageFetcher | undefined;
}): Router {
  const router = Router();
  router.post('/v1/chat/completions', async (req: Request, res: Response) => {
    const context = contextOf(res);
    context.requestBody = req.body;
    const { request, includeUsage, remoteImages } = parseChatCompletionRequest(req.body, {
      allowImageUrls: deps.images !== undefined,
    });
    context.model = request.model;
    context.stream = request.stream;
    if (context.key && !isModelAllowed(context.key, request.model)) throw modelNotFound(request.model);
    await admitRequest(res, {
      model: request.model,
      prompt: request.messages,
      maxCompletionTokens: request.options.num_predict ?? null,
    });
    const id = completionId(context.requestId);
    const signal = abortOnClientClose(res);
    if (remoteImages.length > 0 && deps.images) await deps.images.resolve(remoteImages, signal);

    if (!request.stream) {
      const result = await deps.chat.complete(request, context, signal);
      const body = toChatCompletion(id, request.model, result);
      context.responseBody = body;
      res.setHeader(
        'x-gateway-overhead-ms',
        (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
      );
      res.json(body);
      return;
    }

    const renderer = new OpenAIChatStreamRenderer(
      id,
      request.model,
      unixSeconds(undefined),
      includeUsage,
      request.logprobs === true,
    );
    const collected: string[] = [];
    const status = await relaySse(res, {
      open: async () => collectingText(await deps.chat.stream(request, context, signal), collected),
      renderer,
      context,
      keepAliveMs: deps.keepAliveMs,
      signal,
    });
    if (status !== 200) context.outcomeStatus = status;
    context.responseBody = {
      id,
      object: 'chat.completion',
      model: request.model,
      content: collected.join(''),
      usage: { prompt_tokens: context.usage.promptTokens, completion_tokens: context.usage.completionTokens },
    };
  });
  return router;
}
