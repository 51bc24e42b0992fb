import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage, ChatRequest, GenerationOptions, ToolCall } from '../../canonical/chat.types.js';
import { applyTools, tool, toolChoice } from './chat-tools.js';

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

const effort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'], {
  error: "expected one of 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'",
});

const chatCompletionRequest = z.object({
  model: z
    .string({ error: 'you must provide a model parameter' })
    .min(1, 'you must provide a model parameter'),
  messages: z.array(message, { error: 'expected an array of messages' }).min(1, '[] is too short'),
  stream: z.boolean().nullish(),
  stream_options: z
    .object({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() })
    .nullish(),
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
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
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
  tools: z.array(tool, { error: 'expected an array of tools' }).nullish(),
  tool_choice: toolChoice.nullish(),
  reasoning_effort: effort.nullish(),
  reasoning: z.object({ effort: effort.nullish() }).nullish(),
  // Accepted and ignored (documented): nothing in Ollama corresponds to them.
  parallel_tool_calls: z.boolean().nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  modalities: z.array(z.string()).nullish(),
  // Ollama-only extras reachable from OpenAI clients through extra body fields.
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
  think: z
    .union([z.boolean(), z.enum(['low', 'medium', 'high', 'max'])], {
      error: "expected true, false, 'low', 'medium', 'high' or 'max'",
    })
    .nullish(),
  num_ctx: z.number().int().min(1).nullish(),
});

export type OpenAIChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** An http(s) image the gateway must fetch: its bytes go to `message.images[slot]` (a placeholder until then). */
export interface RemoteImage {
  url: string;
  /** e.g. `messages[0].content[1].image_url`, for the error. */
  param: string;
  message: ChatMessage;
  slot: number;
}

export interface ParsedChatRequest {
  request: ChatRequest;
  includeUsage: boolean;
  /** http(s) image URLs still to fetch (only when `allowImageUrls`). */
  remoteImages: RemoteImage[];
}

export interface ParseChatOptions {
  /** Accept http(s) image URLs (IMAGE_URL_FETCH); otherwise they are a 400. */
  allowImageUrls?: boolean;
}

/** Turns zod's path into OpenAI's `param` form: messages[0].content. */
export function paramOf(path: PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** Fields OpenAI has that Ollama cannot honour: a clear 400 rather than a silently different answer. */
const UNSUPPORTED: Record<string, string> = {
  audio: 'audio output is not available: Ollama models answer in text only',
  prediction: 'predicted outputs are not available with Ollama models',
  web_search_options: 'web search is not available with Ollama models',
  functions: "the deprecated 'functions' are not supported: send 'tools' instead",
  function_call: "the deprecated 'function_call' is not supported: send 'tool_choice' instead",
};

function rejectUnsupported(body: Record<string, unknown>): void {
  for (const [field, why] of Object.entries(UNSUPPORTED))
    if (body[field] != null)
      throw badRequest(`Unsupported parameter: '${field}' is not supported by this gateway (${why}).`, {
        param: field,
        code: 'unsupported_parameter',
      });
}

/** Validates an OpenAI chat completion body and translates it into the canonical request (reference §4.1). */
export function parseChatCompletionRequest(
  body: unknown,
  parseOptions: ParseChatOptions = {},
): ParsedChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  rejectUnsupported(body as Record<string, unknown>);
  const parsed = chatCompletionRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = paramOf(issue.path);
    throw badRequest(param ? `Invalid value for '${param}': ${issue.message}.` : `${issue.message}.`, {
      param,
    });
  }
  const input = parsed.data;
  if (input.modalities?.some((modality) => modality !== 'text'))
    throw badRequest(
      'Unsupported parameter: \'modalities\' may only be ["text"] with this gateway (Ollama models answer in text only).',
      { param: 'modalities', code: 'unsupported_parameter' },
    );
  if (input.top_logprobs != null && input.logprobs !== true)
    throw badRequest(
      "Invalid value for 'top_logprobs': 'logprobs' must be true when 'top_logprobs' is set.",
      {
        param: 'top_logprobs',
      },
    );

  const options: GenerationOptions = { ...(input.options ?? {}) };
  if (input.temperature != null) options.temperature = input.temperature;
  if (input.top_p != null) options.top_p = input.top_p;
  const maxTokens = input.max_completion_tokens ?? input.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (input.stop != null) options.stop = typeof input.stop === 'string' ? [input.stop] : input.stop;
  if (input.seed != null) options.seed = input.seed;
  if (input.presence_penalty != null) options.presence_penalty = input.presence_penalty;
  if (input.frequency_penalty != null) options.frequency_penalty = input.frequency_penalty;
  if (input.num_ctx != null) options.num_ctx = input.num_ctx;

  const remoteImages: RemoteImage[] = [];
  const request: ChatRequest = {
    model: input.model,
    messages: toCanonicalMessages(input.messages, parseOptions.allowImageUrls === true, remoteImages),
    stream: input.stream === true,
    options,
  };
  if (input.response_format?.type === 'json_object') request.format = 'json';
  if (input.response_format?.type === 'json_schema')
    request.format = input.response_format.json_schema.schema ?? 'json';
  if (input.keep_alive != null) request.keepAlive = input.keep_alive;
  const think = thinkOf(input);
  if (think !== undefined) request.think = think;
  if (input.logprobs === true) {
    request.logprobs = true;
    if (input.top_logprobs) request.topLogprobs = input.top_logprobs;
  }
  applyTools(input.tools ?? [], input.tool_choice ?? undefined, request);
  return { request, includeUsage: input.stream_options?.include_usage === true, remoteImages };
}

type Effort = z.infer<typeof effort>;

/** reasoning_effort → Ollama `think` (reference §4.1), as Ollama's own OpenAI layer maps it. */
export const THINK_FOR_EFFORT: Record<Effort, NonNullable<ChatRequest['think']>> = {
  none: false,
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'max',
  max: 'max',
};

/**
 * Ollama's own `think` wins, then `reasoning_effort`, then `reasoning.effort`. When the client says nothing, nothing
 * is sent: Ollama then thinks on thinking models (as OpenAI's reasoning models reason by default) and not on others.
 */
function thinkOf(input: OpenAIChatCompletionRequest): ChatRequest['think'] {
  if (input.think != null) return input.think;
  const level = input.reasoning_effort ?? input.reasoning?.effort;
  return level != null ? THINK_FOR_EFFORT[level] : undefined;
}

type InputMessage = OpenAIChatCompletionRequest['messages'][number];

function toCanonicalMessages(
  messages: InputMessage[],
  allowImageUrls: boolean,
  remoteImages: RemoteImage[],
): ChatMessage[] {
  const toolNames = new Map<string, string>();
  const flatten = (content: string | z.infer<typeof contentPart>[], index: number, out: ChatMessage) =>
    flattenContent(content, index, out, allowImageUrls, remoteImages);
  return messages.map((input, index) => {
    switch (input.role) {
      case 'system':
      case 'developer':
        return flatten(input.content, index, { role: 'system', content: '' });
      case 'user':
        return flatten(input.content, index, { role: 'user', content: '' });
      case 'assistant': {
        const out = flatten(input.content ?? '', index, { role: 'assistant', content: '' });
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
        const out = flatten(input.content, index, { role: 'tool', content: '' });
        out.toolCallId = input.tool_call_id;
        const name = toolNames.get(input.tool_call_id);
        if (name) out.toolName = name;
        return out;
      }
      default:
        throw badRequest(`Unsupported role in messages[${index}].`, { param: `messages[${index}].role` });
    }
  });
}

/**
 * Text parts are joined into `out.content`; data-URI images become raw base64 (Ollama wants no prefix); http(s)
 * images get a placeholder slot and are listed in `remoteImages` for the image fetcher (or are a 400 when disabled).
 */
function flattenContent(
  content: string | z.infer<typeof contentPart>[],
  index: number,
  out: ChatMessage,
  allowImageUrls: boolean,
  remoteImages: RemoteImage[],
): ChatMessage {
  if (typeof content === 'string') {
    out.content = content;
    return out;
  }
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((part, partIndex) => {
    if (part.type === 'text') {
      texts.push(part.text);
      return;
    }
    const url = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
    const param = `messages[${index}].content[${partIndex}].image_url`;
    const data = /^data:(?:image\/[a-z0-9.+-]+)?;base64,(.+)$/is.exec(url)?.[1];
    if (data) images.push(data);
    else if (/^https?:\/\//i.test(url)) {
      if (!allowImageUrls)
        throw badRequest(
          'Image URLs are not supported: send the image as a base64 data URI (data:image/png;base64,…).',
          { param, code: 'unsupported_image_url' },
        );
      remoteImages.push({ url, param, message: out, slot: images.length });
      images.push('');
    } else
      throw badRequest('Invalid image: expected a base64 data URI (data:image/png;base64,…).', { param });
  });
  out.content = texts.join('\n');
  if (images.length) out.images = images;
  return out;
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
