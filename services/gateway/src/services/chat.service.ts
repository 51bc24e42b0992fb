import { performance } from 'node:perf_hooks';
import type { ChatEvent, ChatRequest, ChatResult } from '../canonical/chat.types.js';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import {
  chunkToEvents,
  finishReasonOf,
  timingsOf,
  toOllamaChatRequest,
  toTokenLogprob,
} from '../clients/ollama/ollama.mapping.js';
import type { OllamaChatChunk } from '../clients/ollama/ollama.types.js';
import type { RequestContext } from './request-context.js';

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
      const began = performance.now();
      let chunk: OllamaChatChunk;
      try {
        chunk = await ollama.chat(toOllamaChatRequest({ ...request, stream: false }), signal);
      } finally {
        context.upstreamMs += performance.now() - began;
      }
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
      const began = performance.now();
      let lines: AsyncIterable<OllamaChatChunk>;
      try {
        lines = await ollama.chatStream(toOllamaChatRequest({ ...request, stream: true }), signal);
      } finally {
        context.upstreamMs += performance.now() - began;
      }
      return (async function* relay() {
        const state = { sawToolCall: false };
        const iterator = lines[Symbol.asyncIterator]();
        while (true) {
          const waitStart = performance.now();
          let step: IteratorResult<OllamaChatChunk>;
          try {
            step = await iterator.next();
          } finally {
            context.upstreamMs += performance.now() - waitStart;
          }
          if (step.done) return;
          for (const event of chunkToEvents(step.value, state)) {
            if (event.type === 'text' || event.type === 'thinking' || event.type === 'tool_call') {
              // Ollama sends one token per line; this count stands until the final line's exact eval_count.
              context.usage.completionTokens++;
              context.ttftMs ??= performance.now() - context.startedAt;
            } else if (event.type === 'end') {
              context.usage = { ...event.usage };
              context.timings = event.timings;
            }
            yield event;
          }
        }
      })();
    },
  };
}
