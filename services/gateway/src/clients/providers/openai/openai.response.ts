import type { ChatResult, FinishReason, ToolCall, Usage } from '../../../canonical/chat.types.js';
import { toolCallId } from '../../ollama/ollama.mapping.js';
import { argumentsText, canonicalFinish, isoFromUnix, NO_TIMINGS } from '../provider.mapping.js';
import { ProviderError } from '../provider.types.js';
import type { OpenAICompletionIn, OpenAIUsageIn } from './openai.types.js';

/** OpenAI finish_reason → canonical (`content_filter` and anything unknown read as `stop`). */
export function openAIFinish(reason: string | null | undefined, sawToolCall: boolean): FinishReason {
  const base =
    reason === 'length'
      ? 'length'
      : reason === 'tool_calls' || reason === 'function_call'
        ? 'tool_calls'
        : 'stop';
  return canonicalFinish(base, sawToolCall);
}

export const openAIUsage = (usage: OpenAIUsageIn | null | undefined): Usage => ({
  promptTokens: usage?.prompt_tokens ?? 0,
  completionTokens: usage?.completion_tokens ?? 0,
});

/** An OpenAI error body (`{error:{message,type,param,code}}`) → message and code. */
export function describeOpenAIError(json: unknown): { message: string; code: string | null } | null {
  const error = (json as { error?: { message?: unknown; code?: unknown; type?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return null;
  const code =
    typeof error.code === 'string' ? error.code : typeof error.type === 'string' ? error.type : null;
  return { message: typeof error.message === 'string' ? error.message : '', code };
}

/** A `chat.completion` → canonical result; `model` is what the client asked for (echoed as local answers do). */
export function fromOpenAICompletion(name: string, json: OpenAICompletionIn): ChatResult {
  const choice = json.choices?.[0];
  if (!choice?.message)
    throw new ProviderError(0, `${name} answered without a choice.`, false, 'provider_bad_response');
  const message = choice.message;
  const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call) => ({
    id: call.id || toolCallId(),
    name: call.function?.name ?? '',
    arguments: argumentsText(call.function?.arguments ?? ''),
  }));
  return {
    model: json.model ?? '',
    content: message.content ?? '',
    thinking: message.reasoning_content ?? message.reasoning ?? '',
    toolCalls,
    finishReason: openAIFinish(choice.finish_reason, toolCalls.length > 0),
    usage: openAIUsage(json.usage),
    timings: NO_TIMINGS,
    createdAt: isoFromUnix(json.created),
  };
}
