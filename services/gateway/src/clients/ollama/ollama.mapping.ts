import { randomBytes } from 'node:crypto';
import type {
  ChatEvent,
  ChatRequest,
  FinishReason,
  TokenAlternative,
  TokenLogprob,
  ToolCall,
  UpstreamTimings,
} from '../../canonical/chat.types.js';
import type {
  OllamaChatChunk,
  OllamaChatRequest,
  OllamaLogprob,
  OllamaMessage,
  OllamaTokenLogprob,
  OllamaToolCall,
} from './ollama.types.js';

/** Canonical request → Ollama `/api/chat` body. `stream` is always explicit (Ollama defaults to true). */
export function toOllamaChatRequest(request: ChatRequest): OllamaChatRequest {
  const body: OllamaChatRequest = {
    model: request.model,
    messages: request.messages.map((message) => {
      const out: OllamaMessage = { role: message.role, content: message.content };
      if (message.images?.length) out.images = message.images;
      if (message.thinking) out.thinking = message.thinking;
      if (message.toolCalls?.length)
        out.tool_calls = message.toolCalls.map((call) => ({
          id: call.id,
          function: { name: call.name, arguments: JSON.parse(call.arguments) as Record<string, unknown> },
        }));
      if (message.toolName) out.tool_name = message.toolName;
      if (message.toolCallId) out.tool_call_id = message.toolCallId;
      return out;
    }),
    stream: request.stream,
  };
  if (Object.keys(request.options).length > 0) body.options = request.options;
  if (request.format !== undefined) body.format = request.format;
  if (request.keepAlive !== undefined) body.keep_alive = request.keepAlive;
  if (request.think !== undefined) body.think = request.think;
  if (request.tools?.length) body.tools = request.tools;
  if (request.logprobs) {
    body.logprobs = true;
    if (request.topLogprobs) body.top_logprobs = request.topLogprobs;
  }
  return body;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

function toToolCall(call: OllamaToolCall): ToolCall {
  return {
    id: call.id || toolCallId(),
    name: call.function.name,
    arguments: JSON.stringify(call.function.arguments ?? {}),
  };
}

export function timingsOf(chunk: OllamaChatChunk): UpstreamTimings {
  return {
    loadDurationNs: chunk.load_duration ?? null,
    promptEvalDurationNs: chunk.prompt_eval_duration ?? null,
    evalDurationNs: chunk.eval_duration ?? null,
    totalDurationNs: chunk.total_duration ?? null,
  };
}

/** Ollama done_reason → canonical finish reason (reference §4.3). */
export function finishReasonOf(doneReason: string | undefined, sawToolCall: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return sawToolCall ? 'tool_calls' : 'stop';
}

/**
 * Translates one Ollama stream line into canonical events. Stateful only in `state.sawToolCall`.
 * Content on the final `done:true` line is emitted before the end event.
 */
export function chunkToEvents(chunk: OllamaChatChunk, state: { sawToolCall: boolean }): ChatEvent[] {
  if (typeof chunk.error === 'string') return [{ type: 'error', message: chunk.error }];
  const events: ChatEvent[] = [];
  const message = chunk.message;
  if (message?.thinking) events.push({ type: 'thinking', text: message.thinking });
  if (message?.content) {
    // Ollama's logprobs cover the tokens of this chunk; they are kept with the content (thinking-only chunks drop
    // theirs: OpenAI's logprobs.content describes the answer, not the reasoning).
    const logprobs = chunk.logprobs?.length ? chunk.logprobs.map(toTokenLogprob) : undefined;
    events.push(
      logprobs ? { type: 'text', text: message.content, logprobs } : { type: 'text', text: message.content },
    );
  }
  if (message?.tool_calls?.length) {
    state.sawToolCall = true;
    for (const call of message.tool_calls) events.push({ type: 'tool_call', call: toToolCall(call) });
  }
  if (chunk.done) {
    events.push({
      type: 'end',
      finishReason: finishReasonOf(chunk.done_reason, state.sawToolCall),
      usage: { promptTokens: chunk.prompt_eval_count ?? 0, completionTokens: chunk.eval_count ?? 0 },
      timings: timingsOf(chunk),
      createdAt: chunk.created_at ?? new Date().toISOString(),
    });
  }
  return events;
}

function toAlternative(entry: OllamaTokenLogprob): TokenAlternative {
  const out: TokenAlternative = { token: entry.token, logprob: entry.logprob };
  if (entry.bytes) out.bytes = entry.bytes;
  return out;
}

/** Ollama api.Logprob → canonical. */
export function toTokenLogprob(entry: OllamaLogprob): TokenLogprob {
  const out: TokenLogprob = toAlternative(entry);
  if (entry.top_logprobs) out.topLogprobs = entry.top_logprobs.map(toAlternative);
  return out;
}
