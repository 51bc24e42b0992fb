import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import {
  chunkToEvents,
  finishReasonOf,
  timingsOf,
  toOllamaChatRequest,
  toTokenLogprob,
} from '../clients/ollama/ollama.mapping.js';
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

export function createChatService(deps: { ollama: OllamaClient }): ChatService {
  const { ollama } = deps;

  const noteUpstream = (context: RequestContext, request: ChatRequest) => {
    context.provider = 'ollama';
    context.upstreamHost = ollama.baseUrl;
    context.upstreamModel = request.model;
  };

  return {
    async complete(request, context, signal) {
      noteUpstream(context, request);
      const chunk = await timedUpstream(context, () =>
        ollama.chat(toOllamaChatRequest({ ...request, stream: false }), signal),
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
      noteUpstream(context, request);
      const lines = await timedUpstream(context, () =>
        ollama.chatStream(toOllamaChatRequest({ ...request, stream: true }), signal),
      );
      const state = { sawToolCall: false };
      return accountedEvents(lines, (line) => chunkToEvents(line, state), context);
    },
  };
}
