import type { ChatResult, FinishReason, ToolCall, Usage } from '../../canonical/chat.types.js';
import type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicStopReason,
  AnthropicToolUseBlock,
  AnthropicUsage,
} from './types.js';

/** `msg_` + the gateway's request id, so a message id leads straight to its usage event and log. */
export const messageId = (requestId: string) => `msg_${requestId}`;

/**
 * Canonical finish reason → stop_reason (reference §5.3). Ollama reports `stop` both for the end of turn and for a
 * stop sequence, and never says which sequence matched, so `stop_sequence` is never produced. Tool calls win over
 * `length`: Ollama sends each call whole, so any call that was emitted is complete.
 */
export function stopReasonOf(finishReason: FinishReason, sawToolCall = false): AnthropicStopReason {
  if (sawToolCall) return 'tool_use';
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    default:
      return 'end_turn';
  }
}

export const toAnthropicUsage = (usage: Usage): AnthropicUsage => ({
  input_tokens: usage.promptTokens,
  output_tokens: usage.completionTokens,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
});

/** A tool call's JSON-string arguments → the `input` object (Ollama always sends an object; anything else is wrapped). */
export function toolInput(call: ToolCall): Record<string, unknown> {
  const value: unknown = JSON.parse(call.arguments);
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { value };
}

export const toToolUseBlock = (call: ToolCall): AnthropicToolUseBlock => ({
  type: 'tool_use',
  id: call.id,
  name: call.name,
  input: toolInput(call),
});

/** A whole canonical answer → `Message` (reference §3.3, §5.2): thinking, then text, then tool_use blocks. */
export function toAnthropicMessage(id: string, model: string, result: ChatResult): AnthropicMessage {
  const content: AnthropicContentBlock[] = [];
  if (result.thinking) content.push({ type: 'thinking', thinking: result.thinking, signature: '' });
  if (result.content) content.push({ type: 'text', text: result.content, citations: null });
  for (const call of result.toolCalls) content.push(toToolUseBlock(call));
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReasonOf(result.finishReason, result.toolCalls.length > 0),
    stop_sequence: null,
    usage: toAnthropicUsage(result.usage),
  };
}
