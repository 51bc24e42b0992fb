import type { ChatRequest } from '../../../canonical/chat.types.js';
import { imageMediaType } from '../provider.mapping.js';
import type { AnthropicBlockOut, AnthropicMessageOut, AnthropicMessagesBody } from './anthropic.types.js';

interface FunctionTool {
  function?: { name?: string; description?: string; parameters?: unknown };
}

/**
 * Canonical request → Anthropic Messages body. System messages become `system`; tool results become `tool_result`
 * blocks of a user turn and consecutive turns of one role are merged (Anthropic wants tool results of one assistant
 * turn together, in the next user turn); assistant thinking from earlier turns is dropped (it would need Anthropic's
 * signature). `max_tokens` is required: the request's own or `defaultMaxTokens`. `temperature` is capped at 1
 * (Anthropic's range is 0–1). `think` is not sent (extended thinking is refused by models without it).
 */
export function toAnthropicBody(
  request: ChatRequest,
  model: string,
  defaultMaxTokens: number,
): AnthropicMessagesBody {
  const system: string[] = [];
  const messages: AnthropicMessageOut[] = [];
  const add = (role: 'user' | 'assistant', blocks: AnthropicBlockOut[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
        if (message.content) system.push(message.content);
        break;
      case 'user': {
        const blocks: AnthropicBlockOut[] = (message.images ?? []).map((data) => ({
          type: 'image',
          source: { type: 'base64', media_type: imageMediaType(data), data },
        }));
        // Anthropic refuses empty text blocks: an empty user turn adds nothing.
        if (message.content.trim()) blocks.push({ type: 'text', text: message.content });
        add('user', blocks);
        break;
      }
      case 'assistant': {
        const blocks: AnthropicBlockOut[] = message.content ? [{ type: 'text', text: message.content }] : [];
        for (const call of message.toolCalls ?? [])
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseObject(call.arguments) });
        add('assistant', blocks);
        break;
      }
      case 'tool':
        add('user', [
          { type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content },
        ]);
        break;
    }
  }

  const options = request.options;
  const body: AnthropicMessagesBody = {
    model,
    max_tokens:
      typeof options.num_predict === 'number' && options.num_predict > 0
        ? options.num_predict
        : defaultMaxTokens,
    messages,
    stream: request.stream,
  };
  if (system.length) body.system = system.join('\n\n');
  if (typeof options.temperature === 'number')
    body.temperature = Math.min(1, Math.max(0, options.temperature));
  if (typeof options.top_p === 'number') body.top_p = options.top_p;
  if (typeof options.top_k === 'number') body.top_k = options.top_k;
  if (options.stop?.length) body.stop_sequences = options.stop;
  if (request.tools?.length)
    body.tools = (request.tools as FunctionTool[]).map((tool) => ({
      name: tool.function?.name ?? '',
      ...(tool.function?.description ? { description: tool.function.description } : {}),
      input_schema: tool.function?.parameters ?? { type: 'object', properties: {} },
    }));
  return body;
}

function parseObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
