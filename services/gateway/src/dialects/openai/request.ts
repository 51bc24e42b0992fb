import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage, ChatRequest, GenerationOptions, ToolCall } from '../../canonical/chat.types.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().optional() })]),
});
const contentPart = z.discriminatedUnion('type', [textPart, imagePart], {
  error: "each content part must have type 'text' or 'image_url'",
});
const content = z.union([z.string(), z.array(contentPart)], {
  error: 'expected a string or an array of content parts',
});

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.enum(['system', 'developer']), content, name: z.string().optional() }),
    z.object({ role: z.literal('user'), content, name: z.string().optional() }),
    z.object({
      role: z.literal('assistant'),
      content: content.nullish(),
      tool_calls: z.array(toolCall).optional(),
      reasoning_content: z.string().optional(),
    }),
    z.object({ role: z.literal('tool'), content, tool_call_id: z.string() }),
  ],
  { error: "role must be one of 'system', 'developer', 'user', 'assistant', 'tool'" },
);

const chatCompletionRequest = z.object({
  model: z
    .string({ error: 'you must provide a model parameter' })
    .min(1, 'you must provide a model parameter'),
  messages: z.array(message, { error: 'expected an array of messages' }).min(1, '[] is too short'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z
    .number()
    .int()
    .min(1)
    .max(1, 'n > 1 is not supported: Ollama returns one choice per request')
    .nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  response_format: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).optional() }),
      }),
    ])
    .nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  // Ollama-only extras reachable from OpenAI clients through extra body fields.
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

export type OpenAIChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

export interface ParsedChatRequest {
  request: ChatRequest;
  includeUsage: boolean;
}

/** Turns zod's path into OpenAI's `param` form: messages[0].content. */
export function paramOf(path: PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** Validates an OpenAI chat completion body and translates it into the canonical request (reference §4.1). */
export function parseChatCompletionRequest(body: unknown): ParsedChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = paramOf(issue.path);
    throw badRequest(param ? `Invalid value for '${param}': ${issue.message}.` : `${issue.message}.`, {
      param,
    });
  }
  const input = parsed.data;
  const options: GenerationOptions = { ...(input.options ?? {}) };
  if (input.temperature != null) options.temperature = input.temperature;
  if (input.top_p != null) options.top_p = input.top_p;
  const maxTokens = input.max_completion_tokens ?? input.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (input.stop != null) options.stop = typeof input.stop === 'string' ? [input.stop] : input.stop;
  if (input.seed != null) options.seed = input.seed;
  if (input.presence_penalty != null) options.presence_penalty = input.presence_penalty;
  if (input.frequency_penalty != null) options.frequency_penalty = input.frequency_penalty;

  const request: ChatRequest = {
    model: input.model,
    messages: toCanonicalMessages(input.messages),
    stream: input.stream === true,
    options,
  };
  if (input.response_format?.type === 'json_object') request.format = 'json';
  if (input.response_format?.type === 'json_schema')
    request.format = input.response_format.json_schema.schema ?? 'json';
  if (input.keep_alive != null) request.keepAlive = input.keep_alive;
  // tool_choice "none": send no tools, so the model cannot call one.
  if (input.tools?.length && input.tool_choice !== 'none') request.tools = input.tools;
  return { request, includeUsage: input.stream_options?.include_usage === true };
}

type InputMessage = OpenAIChatCompletionRequest['messages'][number];

function toCanonicalMessages(messages: InputMessage[]): ChatMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((input, index) => {
    switch (input.role) {
      case 'system':
      case 'developer':
        return { role: 'system', ...flattenContent(input.content, index) };
      case 'user':
        return { role: 'user', ...flattenContent(input.content, index) };
      case 'assistant': {
        const out: ChatMessage = { role: 'assistant', ...flattenContent(input.content ?? '', index) };
        if (input.reasoning_content) out.thinking = input.reasoning_content;
        if (input.tool_calls?.length) {
          out.toolCalls = input.tool_calls.map((call, callIndex): ToolCall => {
            assertJsonObject(
              call.function.arguments,
              `messages[${index}].tool_calls[${callIndex}].function.arguments`,
            );
            toolNames.set(call.id, call.function.name);
            return { id: call.id, name: call.function.name, arguments: call.function.arguments };
          });
        }
        return out;
      }
      case 'tool': {
        const out: ChatMessage = {
          role: 'tool',
          ...flattenContent(input.content, index),
          toolCallId: input.tool_call_id,
        };
        const name = toolNames.get(input.tool_call_id);
        if (name) out.toolName = name;
        return out;
      }
      default:
        throw badRequest(`Unsupported role in messages[${index}].`, { param: `messages[${index}].role` });
    }
  });
}

/** Text parts are joined into one string; data-URI images become raw base64 (Ollama wants no prefix). */
function flattenContent(
  content: string | z.infer<typeof contentPart>[],
  index: number,
): Pick<ChatMessage, 'content' | 'images'> {
  if (typeof content === 'string') return { content };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part, partIndex) => {
    if (part.type === 'text') texts.push(part.text);
    else
      images.push(
        imageData(typeof part.image_url === 'string' ? part.image_url : part.image_url.url, index, partIndex),
      );
  });
  return images.length ? { content: texts.join('\n'), images } : { content: texts.join('\n') };
}

function imageData(url: string, index: number, partIndex: number): string {
  const param = `messages[${index}].content[${partIndex}].image_url`;
  const match = /^data:(?:image\/[a-z0-9.+-]+)?;base64,(.+)$/is.exec(url);
  if (match) return match[1]!;
  if (/^https?:\/\//i.test(url))
    throw badRequest(
      'Image URLs are not supported: send the image as a base64 data URI (data:image/png;base64,…).',
      {
        param,
        code: 'unsupported_image_url',
      },
    );
  throw badRequest('Invalid image: expected a base64 data URI (data:image/png;base64,…).', { param });
}

function assertJsonObject(text: string, param: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(`Invalid value for '${param}': tool call arguments must be a JSON object string.`, {
      param,
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`Invalid value for '${param}': tool call arguments must be a JSON object string.`, {
      param,
    });
}
