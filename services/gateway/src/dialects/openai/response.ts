import type {
  ChatResult,
  TokenAlternative,
  TokenLogprob,
  ToolCall,
  Usage,
} from '../../canonical/chat.types.js';
import type {
  OpenAIChatCompletion,
  OpenAIChoiceLogprobs,
  OpenAITokenLogprob,
  OpenAIToolCall,
  OpenAIUsage,
} from './types.js';

export const SYSTEM_FINGERPRINT = 'fp_ollama';

export const toOpenAIUsage = (usage: Usage): OpenAIUsage => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
});

export const toOpenAIToolCall = (call: ToolCall): OpenAIToolCall => ({
  id: call.id,
  type: 'function',
  function: { name: call.name, arguments: call.arguments },
});

const encoder = new TextEncoder();

/** The token's UTF-8 bytes: as the upstream reported them, else encoded from the token text. */
const bytesOf = (entry: TokenAlternative): number[] => entry.bytes ?? [...encoder.encode(entry.token)];

/** Canonical token logprob → OpenAI's ChatCompletionTokenLogprob (top_logprobs is [] when none were asked for). */
export const toOpenAITokenLogprob = (entry: TokenLogprob): OpenAITokenLogprob => ({
  token: entry.token,
  logprob: entry.logprob,
  bytes: bytesOf(entry),
  top_logprobs: (entry.topLogprobs ?? []).map((top) => ({
    token: top.token,
    logprob: top.logprob,
    bytes: bytesOf(top),
  })),
});

export const toOpenAILogprobs = (entries: TokenLogprob[]): OpenAIChoiceLogprobs => ({
  content: entries.map(toOpenAITokenLogprob),
  refusal: null,
});

/** Unix seconds of an RFC 3339 timestamp (Ollama's created_at), or now when it cannot be read. */
export function unixSeconds(createdAt: string | undefined): number {
  const ms = createdAt ? Date.parse(createdAt) : Number.NaN;
  return Math.floor((Number.isNaN(ms) ? Date.now() : ms) / 1000);
}

/** A whole canonical answer → `chat.completion` (reference §4.2). `model` echoes what the client asked for. */
export function toChatCompletion(id: string, model: string, result: ChatResult): OpenAIChatCompletion {
  const message: OpenAIChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: result.toolCalls.length > 0 && result.content === '' ? null : result.content,
    refusal: null,
    annotations: [],
  };
  if (result.toolCalls.length > 0) message.tool_calls = result.toolCalls.map(toOpenAIToolCall);
  if (result.thinking) message.reasoning_content = result.thinking;
  return {
    id,
    object: 'chat.completion',
    created: unixSeconds(result.createdAt),
    model,
    choices: [
      {
        index: 0,
        message,
        logprobs: result.logprobs ? toOpenAILogprobs(result.logprobs) : null,
        finish_reason: result.finishReason,
      },
    ],
    usage: toOpenAIUsage(result.usage),
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}
