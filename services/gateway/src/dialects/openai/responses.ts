import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage, ChatRequest, GenerationOptions } from '../../canonical/chat.types.js';
import { paramOf } from './request.js';
import { applyToolChoice, parseAt, parseTools } from './responses.tools.js';
import type { ResponseEcho, ResponseTextFormat } from './responses.types.js';

/**
 * OpenAI Responses API (`POST /v1/responses`), stateless as Ollama offers it: the request → canonical `ChatRequest`
 * (input items, instructions, tools, text.format, reasoning) plus what the response echoes (the `Response` object
 * itself is built in responses.output.ts). Nothing is stored: `previous_response_id`, `conversation`, `prompt` and item references are refused with a clear 400, and
 * `store: true` is accepted but every response says `store: false` (it cannot be retrieved later).
 */

const effort = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
const textFormat = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      name: z.string().min(1).max(64),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().optional(),
      strict: z.boolean().nullish(),
    }),
  ],
  { error: "type must be one of 'text', 'json_object', 'json_schema'" },
);

const createResponse = z.object({
  model: z
    .string({ error: 'you must provide a model parameter' })
    .min(1, 'you must provide a model parameter'),
  input: z
    .union([z.string(), z.array(z.unknown())], { error: 'expected a string or an array of input items' })
    .nullish(),
  instructions: z.string().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().nullish(),
  max_tool_calls: z.number().int().min(1).nullish(),
  text: z
    .object({ format: textFormat.nullish(), verbosity: z.enum(['low', 'medium', 'high']).nullish() })
    .nullish(),
  reasoning: z
    .object({
      effort: effort.nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
      generate_summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().max(64).nullish(),
  prompt_cache_key: z.string().nullish(),
  store: z.boolean().nullish(),
  background: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  include: z.array(z.string()).nullish(),
  service_tier: z.string().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  // Ollama-only extras reachable from OpenAI clients through extra body fields (as on chat completions).
  options: z.record(z.string(), z.unknown()).nullish(),
  keep_alive: z.union([z.string(), z.number()]).nullish(),
});

const unsupported = (message: string, param: string) =>
  badRequest(message, { param, code: 'unsupported_parameter' });

/** Ollama's `think` for a reasoning effort (reasoning.effort → think). */
const THINK: Record<z.infer<typeof effort>, ChatRequest['think']> = {
  none: false,
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'max',
  max: 'max',
};

export interface ParsedResponsesRequest {
  request: ChatRequest;
  echo: ResponseEcho;
}

/** Validates a `CreateResponse` body and translates it into the canonical request plus what the response echoes. */
export function parseResponsesRequest(body: unknown): ParsedResponsesRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  const input = parseAt(createResponse, body, []);
  if (input.previous_response_id != null)
    throw unsupported(
      'previous_response_id is not supported: this gateway does not store responses. Send the whole conversation in `input` instead.',
      'previous_response_id',
    );
  if (input.conversation != null)
    throw unsupported(
      'conversation is not supported: this gateway does not store conversations. Send the whole conversation in `input` instead.',
      'conversation',
    );
  if (input.prompt != null)
    throw unsupported('Stored prompts (prompt) are not supported by this gateway.', 'prompt');
  if (input.background === true)
    throw unsupported('background responses are not supported by this gateway.', 'background');

  const messages = toCanonicalMessages(input.input ?? [], input.instructions ?? null);
  if (!messages.some((message) => message.role !== 'system'))
    throw badRequest("Missing required parameter: 'input'.", {
      param: 'input',
      code: 'missing_required_parameter',
    });

  const options: GenerationOptions = { ...(input.options ?? {}) };
  if (input.temperature != null) options.temperature = input.temperature;
  if (input.top_p != null) options.top_p = input.top_p;
  if (input.max_output_tokens != null) options.num_predict = input.max_output_tokens;

  const request: ChatRequest = { model: input.model, messages, stream: input.stream === true, options };
  const format = input.text?.format;
  if (format?.type === 'json_object') request.format = 'json';
  if (format?.type === 'json_schema') request.format = format.schema;
  if (input.reasoning?.effort != null) request.think = THINK[input.reasoning.effort];
  if (input.keep_alive != null) request.keepAlive = input.keep_alive;
  const tools = parseTools(input.tools ?? []);
  const toolChoice = applyToolChoice(tools, input.tool_choice, messages);
  if (toolChoice.tools) request.tools = toolChoice.tools;

  const echo: ResponseEcho = {
    instructions: input.instructions ?? null,
    max_output_tokens: input.max_output_tokens ?? null,
    parallel_tool_calls: input.parallel_tool_calls ?? true,
    reasoning: input.reasoning
      ? { effort: input.reasoning.effort ?? null, summary: input.reasoning.summary ?? null }
      : null,
    temperature: input.temperature ?? null,
    text: {
      format: (format ?? { type: 'text' }) as ResponseTextFormat,
      ...(input.text?.verbosity ? { verbosity: input.text.verbosity } : {}),
    },
    tool_choice: toolChoice.echo,
    tools,
    top_p: input.top_p ?? null,
    truncation: input.truncation ?? 'disabled',
    metadata: input.metadata ?? {},
    ...(input.user != null ? { user: input.user } : {}),
  };
  return { request, echo };
}

// ---------------------------------------------------------------------------------------------------------------
// Input items → canonical messages

const textParts = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('input_text'), text: z.string() }),
    z.object({ type: z.literal('output_text'), text: z.string() }),
    z.object({ type: z.literal('refusal'), refusal: z.string() }),
    z.object({
      type: z.literal('input_image'),
      image_url: z.string().nullish(),
      file_id: z.string().nullish(),
      detail: z.string().nullish(),
    }),
    z.object({ type: z.literal('input_file') }),
  ],
  { error: "each content part must have type 'input_text', 'input_image', 'output_text' or 'refusal'" },
);
const content = z.union([z.string(), z.array(textParts)], {
  error: 'expected a string or an array of content parts',
});

const messageInput = z.object({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'system', 'developer', 'assistant'], {
    error: "role must be one of 'user', 'system', 'developer', 'assistant'",
  }),
  content,
});
const functionCallInput = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const functionCallOutputInput = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: content,
});
const reasoningInput = z.object({
  type: z.literal('reasoning'),
  summary: z.array(z.object({ text: z.string() })).nullish(),
  content: z.array(z.object({ text: z.string() })).nullish(),
});

function toCanonicalMessages(input: string | unknown[], instructions: string | null): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (instructions) out.push({ role: 'system', content: instructions });
  if (typeof input === 'string') {
    if (input !== '') out.push({ role: 'user', content: input });
    return out;
  }
  const toolNames = new Map<string, string>();
  // Reasoning items carry the thinking of the assistant turn that follows them (a message or function calls).
  let thinking = '';
  const takeThinking = (message: ChatMessage) => {
    if (thinking) message.thinking = (message.thinking ?? '') + thinking;
    thinking = '';
  };
  input.forEach((raw, index) => {
    const path = ['input', index];
    const item = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const parsed = parseAt(messageInput, raw, path);
        const role = parsed.role === 'developer' ? 'system' : parsed.role;
        const message: ChatMessage = { role, ...flattenContent(parsed.content, [...path, 'content']) };
        if (role === 'assistant') takeThinking(message);
        out.push(message);
        return;
      }
      case 'function_call': {
        const parsed = parseAt(functionCallInput, raw, path);
        const args = parsed.arguments.trim() === '' ? '{}' : parsed.arguments;
        assertJsonObject(args, paramOf([...path, 'arguments'])!);
        toolNames.set(parsed.call_id, parsed.name);
        const call = { id: parsed.call_id, name: parsed.name, arguments: args };
        // Consecutive calls (and a text message just before them) are one assistant turn.
        const last = out.at(-1);
        if (last?.role === 'assistant') {
          last.toolCalls = [...(last.toolCalls ?? []), call];
          takeThinking(last);
        } else {
          const message: ChatMessage = { role: 'assistant', content: '', toolCalls: [call] };
          takeThinking(message);
          out.push(message);
        }
        return;
      }
      case 'function_call_output': {
        const parsed = parseAt(functionCallOutputInput, raw, path);
        const message: ChatMessage = {
          role: 'tool',
          ...flattenContent(parsed.output, [...path, 'output']),
          toolCallId: parsed.call_id,
        };
        const name = toolNames.get(parsed.call_id);
        if (name) message.toolName = name;
        out.push(message);
        return;
      }
      case 'reasoning': {
        const parsed = parseAt(reasoningInput, raw, path);
        const parts = parsed.content?.length ? parsed.content : (parsed.summary ?? []);
        thinking += parts.map((part) => part.text).join('\n\n');
        return;
      }
      case 'item_reference':
        throw unsupported(
          'Item references are not supported: this gateway does not store responses. Send the item itself.',
          paramOf([...path, 'type'])!,
        );
      default:
        throw badRequest(
          type === undefined
            ? `Missing required parameter: '${paramOf([...path, 'type'])}'.`
            : `Invalid value for '${paramOf([...path, 'type'])}': input item type '${String(type)}' is not supported by this gateway.`,
          { param: paramOf([...path, 'type']) },
        );
    }
  });
  return out;
}

/** Text parts are joined into one string (as on chat completions); data-URL images become raw base64. */
function flattenContent(
  value: z.infer<typeof content>,
  path: PropertyKey[],
): Pick<ChatMessage, 'content' | 'images'> {
  if (typeof value === 'string') return { content: value };
  const texts: string[] = [];
  const images: string[] = [];
  value.forEach((part, index) => {
    const param = paramOf([...path, index])!;
    if (part.type === 'input_text' || part.type === 'output_text') texts.push(part.text);
    else if (part.type === 'refusal') texts.push(part.refusal);
    else if (part.type === 'input_image') images.push(imageData(part.image_url, `${param}.image_url`));
    else throw unsupported('File inputs (input_file) are not supported by this gateway.', `${param}.type`);
  });
  return images.length ? { content: texts.join('\n'), images } : { content: texts.join('\n') };
}

function imageData(url: string | null | undefined, param: string): string {
  if (!url)
    throw unsupported('Images by file_id are not supported: send the image as a base64 data URL.', param);
  const match = /^data:(?:image\/[a-z0-9.+-]+)?;base64,(.+)$/is.exec(url);
  if (match) return match[1]!;
  if (/^https?:\/\//i.test(url))
    throw badRequest(
      'Image URLs are not supported: send the image as a base64 data URL (data:image/png;base64,…).',
      { param, code: 'unsupported_image_url' },
    );
  throw badRequest('Invalid image: expected a base64 data URL (data:image/png;base64,…).', { param });
}

function assertJsonObject(text: string, param: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`Invalid value for '${param}': function call arguments must be a JSON object string.`, {
      param,
    });
}
