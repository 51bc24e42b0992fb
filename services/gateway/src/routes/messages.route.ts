import { performance } from 'node:perf_hooks';
import { AppError, notFound } from '@ollama-gateway/runtime';
import { type Request, type Response, Router } from 'express';
import type { ChatRequest, ChatResult, UpstreamTimings } from '../canonical/chat.types.js';
import { parseCountTokensRequest, parseMessagesRequest } from '../dialects/anthropic/request.js';
import { messageId, toAnthropicMessage } from '../dialects/anthropic/response.js';
import { AnthropicStreamRenderer } from '../dialects/anthropic/stream.js';
import type { AnthropicCountTokensResponse } from '../dialects/anthropic/types.js';
import { admitRequest } from '../limits/admit.js';
import { contextOf } from '../middleware/request-context.middleware.js';
import type { ChatService } from '../services/chat.service.js';
import { isModelAllowed } from '../services/key-auth.service.js';
import type { RequestContext } from '../services/request-context.js';
import { abortOnClientClose } from '../streaming/abort.js';
import { relaySse } from '../streaming/sse-relay.js';

const emptyTimings: UpstreamTimings = {
  loadDurationNs: null,
  promptEvalDurationNs: null,
  evalDurationNs: null,
  totalDurationNs: null,
};

/** Anthropic's wording for an unknown model (a model the key may not use reads the same). */
const modelNotFound = (model: string) => notFound(`model: ${model}`, { code: 'model_not_found' });

/**
 * Calls the upstream with Anthropic's semantics: a model without the thinking capability is served without
 * thinking (as Ollama's own Anthropic layer does) instead of failing, and a missing model reads `model: <name>`.
 */
async function callUpstream<T>(request: ChatRequest, call: (request: ChatRequest) => Promise<T>): Promise<T> {
  try {
    return await call(request);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (request.think === true && error.status === 400 && /does not support thinking/i.test(error.message))
      return callUpstream({ ...request, think: false }, call);
    if (error.status === 404 && error.code === 'model_not_found') throw modelNotFound(request.model);
    throw error;
  }
}

/** Common to both endpoints: the request context, the request-id header the SDK reads, and the key's model list. */
function begin(req: Request, res: Response, parse: (body: unknown) => ChatRequest) {
  const context = contextOf(res);
  context.requestBody = req.body;
  res.setHeader('request-id', context.requestId);
  const request = parse(req.body);
  context.model = request.model;
  context.stream = request.stream;
  if (context.key && !isModelAllowed(context.key, request.model)) throw modelNotFound(request.model);
  return { context, request, signal: abortOnClientClose(res) };
}

const setOverhead = (res: Response, context: RequestContext) =>
  res.setHeader(
    'x-gateway-overhead-ms',
    (performance.now() - context.startedAt - context.upstreamMs).toFixed(3),
  );

/**
 * Anthropic `POST /v1/messages` (plain or streamed) and `POST /v1/messages/count_tokens` → Ollama `/api/chat`.
 * The `anthropic-version` and `anthropic-beta` headers are accepted and ignored; x-api-key or Bearer auth is the
 * authenticate middleware's.
 */
export function messagesRoute(deps: { chat: ChatService; keepAliveMs: number }): Router {
  const router = Router();

  router.post('/v1/messages', async (req: Request, res: Response) => {
    const { context, request, signal } = begin(req, res, parseMessagesRequest);
    await admitRequest(res, {
      model: request.model,
      prompt: [request.messages, request.tools],
      maxCompletionTokens: request.options.num_predict ?? null,
    });
    const id = messageId(context.requestId);

    if (!request.stream) {
      const result = await callUpstream(request, (r) => deps.chat.complete(r, context, signal));
      const body = toAnthropicMessage(id, request.model, result);
      context.responseBody = body;
      setOverhead(res, context);
      res.json(body);
      return;
    }

    // What was streamed, kept for the request log as the message the client assembled.
    const seen: Omit<ChatResult, 'usage'> = {
      model: request.model,
      content: '',
      thinking: '',
      toolCalls: [],
      finishReason: 'stop',
      timings: emptyTimings,
      createdAt: context.occurredAt,
    };
    let ended = false;
    const status = await relaySse(res, {
      open: async () => {
        const events = await callUpstream(request, (r) => deps.chat.stream(r, context, signal));
        return (async function* () {
          for await (const event of events) {
            if (event.type === 'text') seen.content += event.text;
            else if (event.type === 'thinking') seen.thinking += event.text;
            else if (event.type === 'tool_call') seen.toolCalls.push(event.call);
            else if (event.type === 'end') {
              ended = true;
              Object.assign(seen, { finishReason: event.finishReason, timings: event.timings });
            }
            yield event;
          }
        })();
      },
      renderer: new AnthropicStreamRenderer(id, request.model),
      context,
      keepAliveMs: deps.keepAliveMs,
      signal,
      extraHeaders: { 'request-id': context.requestId },
    });
    if (status !== 200) context.outcomeStatus = status;
    const message = toAnthropicMessage(id, request.model, { ...seen, usage: context.usage });
    context.responseBody = ended ? message : { ...message, stop_reason: null };
  });

  /**
   * The count comes from Ollama itself: the same prompt a `/v1/messages` call would send (chat template, system,
   * tools and all) is sent with `num_predict: 1` and no thinking, and its `prompt_eval_count` is the answer. Ollama has
   * no tokenize endpoint, and a chars/4 estimate would not match what `/v1/messages` then reports and bills. The
   * request's usage event records what the upstream really processed (the prompt and the one generated token).
   */
  router.post('/v1/messages/count_tokens', async (req: Request, res: Response) => {
    const { context, request, signal } = begin(req, res, parseCountTokensRequest);
    await admitRequest(res, {
      model: request.model,
      prompt: [request.messages, request.tools],
      maxCompletionTokens: 1,
    });
    const result = await callUpstream(request, (r) => deps.chat.complete(r, context, signal));
    const body: AnthropicCountTokensResponse = { input_tokens: result.usage.promptTokens };
    context.responseBody = body;
    setOverhead(res, context);
    res.json(body);
  });

  return router;
}
