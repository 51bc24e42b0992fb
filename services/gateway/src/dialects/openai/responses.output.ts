import type { ChatResult, Usage } from '../../canonical/chat.types.js';
import { unixSeconds } from './response.js';
import type {
  FunctionCallItem as FunctionCallItemType,
  ItemStatus,
  MessageItem as MessageItemType,
  OutputItem,
  ReasoningItem as ReasoningItemType,
  ResponseMeta,
  ResponseObject,
  ResponseStatus,
  ResponsesUsage,
} from './responses.types.js';

// The Responses API `Response` object and its output items, shared by the whole response and the stream renderer.

/** `resp_<request id>`: the request id is what the usage event and the request log are keyed by. */
export const responseId = (requestId: string) => `resp_${requestId}`;

/** Output item ids: `<prefix>_<requestId>_<output index>`, the same in a stream and in the whole response. */
export const itemId = (prefix: 'msg' | 'rs' | 'fc', requestId: string, outputIndex: number) =>
  `${prefix}_${requestId}_${outputIndex}`;

export const toResponsesUsage = (usage: Usage): ResponsesUsage => ({
  input_tokens: usage.promptTokens,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: usage.completionTokens,
  // Ollama does not report thinking tokens apart: they are counted in output_tokens.
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: usage.promptTokens + usage.completionTokens,
});

export const messageItem = (id: string, status: ItemStatus, text: string | null): MessageItemType => ({
  id,
  type: 'message',
  status,
  role: 'assistant',
  content: text === null ? [] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

export const reasoningItem = (id: string, status: ItemStatus, text: string | null): ReasoningItemType => ({
  id,
  type: 'reasoning',
  status,
  summary: [],
  content: text === null ? [] : [{ type: 'reasoning_text', text }],
});

export const functionCallItem = (
  id: string,
  status: ItemStatus,
  call: { id: string; name: string; arguments: string },
  args = call.arguments,
): FunctionCallItemType => ({
  id,
  type: 'function_call',
  status,
  call_id: call.id,
  name: call.name,
  arguments: args,
});

/** The `Response` envelope around `output`: what the request asked for, echoed, and the outcome. */
export function responseObject(
  meta: ResponseMeta,
  state: {
    status: ResponseStatus;
    output: OutputItem[];
    usage?: ResponsesUsage;
    completedAt?: number | null;
    error?: { code: string; message: string } | null;
  },
): ResponseObject {
  const { echo } = meta;
  return {
    id: responseId(meta.requestId),
    object: 'response',
    created_at: meta.createdAt,
    status: state.status,
    background: false,
    completed_at: state.status === 'completed' ? (state.completedAt ?? meta.createdAt) : null,
    error: state.error ?? null,
    incomplete_details: state.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    metadata: echo.metadata,
    model: meta.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: null,
    reasoning: echo.reasoning,
    service_tier: 'default',
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: echo.truncation,
    ...(state.usage ? { usage: state.usage } : {}),
    ...(echo.user !== undefined ? { user: echo.user } : {}),
  };
}

/**
 * A whole canonical answer → `Response`: a reasoning item when the model thought, a message unless the answer is
 * only function calls, then one `function_call` item per call — the same items, ids and statuses the stream
 * renderer builds for that answer. On `length` the item cut short is `incomplete`, and so is the response.
 */
export function toResponse(meta: ResponseMeta, result: ChatResult): ResponseObject {
  const output: OutputItem[] = [];
  const cut = result.finishReason === 'length';
  const hasMessage = result.content !== '' || result.toolCalls.length === 0;
  if (result.thinking) {
    const status = cut && result.content === '' && result.toolCalls.length === 0 ? 'incomplete' : 'completed';
    output.push(reasoningItem(itemId('rs', meta.requestId, output.length), status, result.thinking));
  }
  if (hasMessage) {
    const status = cut && result.toolCalls.length === 0 ? 'incomplete' : 'completed';
    output.push(messageItem(itemId('msg', meta.requestId, output.length), status, result.content));
  }
  for (const call of result.toolCalls)
    output.push(functionCallItem(itemId('fc', meta.requestId, output.length), 'completed', call));
  return responseObject(meta, {
    status: cut ? 'incomplete' : 'completed',
    output,
    usage: toResponsesUsage(result.usage),
    completedAt: unixSeconds(result.createdAt),
  });
}
