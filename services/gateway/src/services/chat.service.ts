import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import {
  chunkToEvents,
  finishReasonOf,
  timingsOf,
  toOllamaChatRequest,
  toTokenLogprob,
} from '../clients/ollama/ollama.mapping.js';
import type { OllamaChatRequest } from '../clients/ollama/ollama.types.js';
import type { OllamaRouter } from '../routing/ollama.router.js';
import { type RouteTarget, withModelOptions } from '../routing/routing-table.js';
import type { RequestContext } from './request-context.js';
import { accountedEvents, timedUpstream } from './upstream-accounting.js';

export interface ChatService {
  /** A whole answer (the upstream is called with stream:false). */
  complete(request: ChatRequest, context: RequestContext, signal: AbortSignal): Promise<ChatResult>;
  /**
   * A stream of canonical events. Resolves once the upstream accepted the request (so errors before the first byte
   * are real HTTP errors); the iterable then yields events as upstream lines arrive, and keeps `context` up to date
   * (tokens so far, time to first token, time spent waiting on upstream) so an aborted stream is still accounted.
   */
  stream(
    request: ChatRequest,
    context: RequestContext,
    signal: AbortSignal,
  ): Promise<AsyncIterable<ChatEvent>>;
}

/**
 * Chat on the Ollama hosts: the requested model's alias is resolved and its forced options applied (routing/), the
 * router picks the host (context.upstreamHost) and queues the request fairly; the answer keeps the requested name.
 */
export function createChatService(deps: { router: OllamaRouter }): ChatService {
  const { router } = deps;

  const upstreamRequest = (
    request: ChatRequest,
    context: RequestContext,
    stream: boolean,
  ): { target: RouteTarget; body: OllamaChatRequest } => {
    const target = router.target(request.model);
    context.provider = 'ollama';
    context.upstreamModel = target.model;
    const body = toOllamaChatRequest({ ...request, model: target.model, stream });
    return { target, body: withModelOptions(body, target.options) };
  };

  return {
    async complete(request, context, signal) {
      const { target, body } = upstreamRequest(request, context, false);
      const chunk = await timedUpstream(context, () =>
        router.call(target, context, signal, (ollama) => ollama.chat(body, signal)),
      );
      const message = chunk.message ?? {};
      const events = chunkToEvents({ ...chunk, done: true }, { sawToolCall: false });
      const toolCalls = events.flatMap((event) => (event.type === 'tool_call' ? [event.call] : []));
      const result: ChatResult = {
        model: request.model,
        content: message.content ?? '',
        thinking: message.thinking ?? '',
        toolCalls,
        finishReason: finishReasonOf(chunk.done_reason, toolCalls.length > 0),
        usage: { promptTokens: chunk.prompt_eval_count ?? 0, completionTokens: chunk.eval_count ?? 0 },
        timings: timingsOf(chunk),
        createdAt: chunk.created_at ?? new Date().toISOString(),
      };
      if (request.logprobs) result.logprobs = (chunk.logprobs ?? []).map(toTokenLogprob);
      context.usage = result.usage;
      context.timings = result.timings;
      return result;
    },

    async stream(request, context, signal) {
      const { target, body } = upstreamRequest(request, context, true);
      const lines = await timedUpstream(context, () =>
        router.call(target, context, signal, (ollama) => ollama.chatStream(body, signal), 'stream'),
      );
      const state = { sawToolCall: false };
      return accountedEvents(lines, (line) => chunkToEvents(line, state), context);
    },
  };
}
