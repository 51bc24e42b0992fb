import type { ChatResult, FinishReason, ToolCall } from '../../../canonical/chat.types.js';
import { toolCallId } from '../../ollama/ollama.mapping.js';
import { canonicalFinish, NO_TIMINGS } from '../provider.mapping.js';
import type { AnthropicMessageIn } from './anthropic.types.js';

/** Anthropic stop_reason → canonical: max_tokens (and a full context window) is `length`, tool_use is `tool_calls`. */
export function anthropicFinish(reason: string | null | undefined, sawToolCall: boolean): FinishReason {
  if (reason === 'tool_use') return 'tool_calls';
  const base = reason === 'max_tokens' || reason === 'model_context_window_exceeded' ? 'length' : 'stop';
  return canonicalFinish(base, sawToolCall);
}

/** An Anthropic error body (`{type:"error", error:{type, message}}`) → message and code (the error type). */
export function describeAnthropicError(json: unknown): { message: string; code: string | null } | null {
  const error = (json as { error?: { message?: unknown; type?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return null;
  return {
    message: typeof error.message === 'string' ? error.message : '',
    code: typeof error.type === 'string' ? error.type : null,
  };
}

/** A `message` → canonical result (thinking, text and tool_use blocks in order). */
export function fromAnthropicMessage(json: AnthropicMessageIn): ChatResult {
  let content = '';
  let thinking = '';
  const toolCalls: ToolCall[] = [];
  for (const block of json.content ?? []) {
    if (block.type === 'text') content += block.text ?? '';
    else if (block.type === 'thinking') thinking += block.thinking ?? '';
    else if (block.type === 'tool_use')
      toolCalls.push({
        id: block.id || toolCallId(),
        name: block.name ?? '',
        arguments: JSON.stringify(block.input ?? {}),
      });
  }
  return {
    model: json.model ?? '',
    content,
    thinking,
    toolCalls,
    finishReason: anthropicFinish(json.stop_reason, toolCalls.length > 0),
    usage: { promptTokens: json.usage?.input_tokens ?? 0, completionTokens: json.usage?.output_tokens ?? 0 },
    timings: NO_TIMINGS,
    createdAt: new Date().toISOString(),
  };
}
