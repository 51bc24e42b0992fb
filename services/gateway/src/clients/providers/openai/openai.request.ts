import type { ChatMessage, ChatRequest } from '../../../canonical/chat.types.js';
import { imageMediaType } from '../provider.mapping.js';
import type { ProviderType } from '../provider.types.js';
import type { OpenAIChatBody, OpenAIContentPart, OpenAIMessage } from './openai.types.js';

/**
 * Canonical request → OpenAI chat-completions body for OpenAI, OpenRouter or any OpenAI-compatible server.
 * `think` is not sent: `reasoning_effort` is refused by non-reasoning models, and a fallback must not fail on it.
 * Tool choice arrives already applied by the dialect (a forced tool is the only one sent, with an instruction).
 */
export function toOpenAIChatBody(
  request: ChatRequest,
  model: string,
  type: Exclude<ProviderType, 'anthropic'>,
): OpenAIChatBody {
  const body: OpenAIChatBody = {
    model,
    messages: request.messages.map(toOpenAIMessage),
    stream: request.stream,
  };
  // Ask for the usage chunk: it is what the request is billed by.
  if (request.stream) body.stream_options = { include_usage: true };
  const options = request.options;
  if (typeof options.temperature === 'number') body.temperature = options.temperature;
  if (typeof options.top_p === 'number') body.top_p = options.top_p;
  if (typeof options.num_predict === 'number' && options.num_predict > 0) {
    // OpenAI's current name (its reasoning models refuse max_tokens); other servers know the older one.
    if (type === 'openai') body.max_completion_tokens = options.num_predict;
    else body.max_tokens = options.num_predict;
  }
  if (options.stop?.length) body.stop = options.stop.slice(0, 4);
  if (typeof options.seed === 'number') body.seed = options.seed;
  if (typeof options.presence_penalty === 'number') body.presence_penalty = options.presence_penalty;
  if (typeof options.frequency_penalty === 'number') body.frequency_penalty = options.frequency_penalty;
  if (request.format === 'json') body.response_format = { type: 'json_object' };
  else if (request.format)
    body.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: request.format } };
  if (request.tools?.length) body.tools = request.tools;
  return body;
}

function toOpenAIMessage(message: ChatMessage): OpenAIMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user': {
      if (!message.images?.length) return { role: 'user', content: message.content };
      const parts: OpenAIContentPart[] = [];
      if (message.content) parts.push({ type: 'text', text: message.content });
      for (const image of message.images)
        parts.push({
          type: 'image_url',
          image_url: { url: `data:${imageMediaType(image)};base64,${image}` },
        });
      return { role: 'user', content: parts };
    }
    case 'assistant': {
      if (!message.toolCalls?.length) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
  }
}
