import { badRequest } from '@ollama-gateway/runtime';
import { z } from 'zod';
import type { ChatMessage, ChatRequest, GenerationOptions, ToolCall } from '../../canonical/chat.types.js';

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.object({
    type: z.string(),
    media_type: z.string().optional(),
    data: z.string().optional(),
  }),
});
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});
const thinkingBlock = z.object({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string().optional(),
});
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });
const contentBlock = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);
type ContentBlock = z.infer<typeof contentBlock>;

const message = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(contentBlock)]),
});

const tool = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  // Optional here so a server tool (no input_schema) gets the clearer "not supported" error below.
  input_schema: z.record(z.string(), z.unknown()).optional(),
  type: z.string().nullish(),
});

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().optional() }),
  z.object({ type: z.literal('adaptive') }),
  z.object({ type: z.literal('disabled') }),
]);

/** What `count_tokens` accepts; `metadata`, `output_config`, `service_tier`, `cache_control`… are accepted and ignored. */
const promptFields = {
  model: z.string().min(1),
  messages: z.array(message).min(1, 'at least one message is required'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
};
const countTokensRequest = z.object(promptFields);
const messagesRequest = z.object({
  ...promptFields,
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
});
type PromptInput = z.infer<typeof countTokensRequest>;

/** Anthropic's validation wording: `max_tokens: Field required`, `messages.0.content: …`. */
function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The request body must be a JSON object.', { code: 'invalid_body' });
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = innermost(parsed.error.issues[0]!);
  const path = issue.path.map(String).join('.');
  let text = issue.message;
  if (issue.code === 'invalid_type' && text.endsWith('received undefined')) text = 'Field required';
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator')
    text = `unsupported type ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type ?? null)}; expected ${(issue as { options?: unknown[] }).options?.map((o) => `'${String(o)}'`).join(', ')}`;
  throw badRequest(path ? `${path}: ${text}` : text, { param: path || null });
}

/**
 * For a value that matched no branch of a union (content: string | blocks), the issue of the branch that got
 * furthest (the one with the longest path), with its path made absolute, so the message names the real problem.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && (!best || first.path.length > best.path.length)) best = first;
  }
  if (!best || best.path.length === 0) return issue;
  return innermost({ ...best, path: [...issue.path, ...best.path] });
}

/** A `/v1/messages` body → the canonical request (reference §5.1). */
export function parseMessagesRequest(body: unknown): ChatRequest {
  const input = parseWith(messagesRequest, body);
  const options: GenerationOptions = { num_predict: input.max_tokens };
  if (input.temperature !== undefined) options.temperature = input.temperature;
  if (input.top_p !== undefined) options.top_p = input.top_p;
  if (input.top_k !== undefined) options.top_k = input.top_k;
  if (input.stop_sequences?.length) options.stop = input.stop_sequences;
  return toCanonical(input, input.stream === true, options);
}

/**
 * A `/v1/messages/count_tokens` body → the canonical request whose prompt Ollama will count: the same prompt a
 * `/v1/messages` call would send (system, tools, tool_choice instruction), generating a single token, no thinking.
 */
export function parseCountTokensRequest(body: unknown): ChatRequest {
  const input = parseWith(countTokensRequest, body);
  return { ...toCanonical(input, false, { num_predict: 1 }), think: false };
}

function toCanonical(input: PromptInput, stream: boolean, options: GenerationOptions): ChatRequest {
  const messages = toCanonicalMessages(input);
  const request: ChatRequest = { model: input.model, messages, stream, options };
  // Anthropic thinks only when asked; Ollama thinks by default on thinking models, so say so either way.
  request.think = input.thinking?.type === 'enabled' || input.thinking?.type === 'adaptive';
  applyTools(input, request);
  return request;
}

/**
 * tools and tool_choice. Ollama cannot force a tool call, so (documented) best effort:
 * - `none`: no tools are sent, so none can be called;
 * - `tool` {name}: only that tool is sent, with a system instruction to call it;
 * - `any`: every tool is sent, with a system instruction to call one of them.
 * The model may still answer in text; the response then has `stop_reason: "end_turn"` as usual.
 */
function applyTools(input: PromptInput, request: ChatRequest): void {
  const choice = input.tool_choice;
  const tools = input.tools ?? [];
  tools.forEach((tool, index) => {
    if (tool.type && tool.type !== 'custom')
      throw badRequest(`tools.${index}: server tool type '${tool.type}' is not supported by this gateway.`, {
        param: `tools.${index}.type`,
      });
    if (!tool.input_schema)
      throw badRequest(`tools.${index}.input_schema: Field required`, {
        param: `tools.${index}.input_schema`,
      });
  });
  if (choice && choice.type !== 'auto' && choice.type !== 'none' && tools.length === 0)
    throw badRequest('tool_choice: may only be specified while providing tools.', { param: 'tool_choice' });
  if (tools.length === 0 || choice?.type === 'none') return;

  let selected = tools;
  if (choice?.type === 'tool') {
    selected = tools.filter((tool) => tool.name === choice.name);
    if (selected.length === 0)
      throw badRequest(`tool_choice: tool '${choice.name}' is not in tools.`, { param: 'tool_choice.name' });
    addSystemInstruction(request.messages, `Respond by calling the tool "${choice.name}".`);
  } else if (choice?.type === 'any') {
    addSystemInstruction(request.messages, 'Respond by calling one of the provided tools.');
  }
  request.tools = selected.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.input_schema,
    },
  }));
}

function addSystemInstruction(messages: ChatMessage[], instruction: string): void {
  const first = messages[0];
  if (first?.role === 'system')
    first.content = first.content ? `${first.content}\n\n${instruction}` : instruction;
  else messages.unshift({ role: 'system', content: instruction });
}

function toCanonicalMessages(input: PromptInput): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (input.system !== undefined) {
    const content =
      typeof input.system === 'string' ? input.system : input.system.map((block) => block.text).join('\n');
    if (content) out.push({ role: 'system', content });
  }
  const toolNames = new Map<string, string>();
  input.messages.forEach((msg, index) => {
    if (typeof msg.content === 'string') {
      out.push({ role: msg.role, content: msg.content });
      return;
    }
    const at = (blockIndex: number) => `messages.${index}.content.${blockIndex}`;
    if (msg.role === 'assistant') out.push(assistantMessage(msg.content, at, toolNames));
    else out.push(...userMessages(msg.role, msg.content, at, toolNames));
  });
  return out;
}

function assistantMessage(
  blocks: ContentBlock[],
  at: (blockIndex: number) => string,
  toolNames: Map<string, string>,
): ChatMessage {
  const texts: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ToolCall[] = [];
  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'thinking':
        thoughts.push(block.thinking);
        break;
      case 'redacted_thinking':
        break; // opaque to any model but Claude
      case 'tool_use':
        toolNames.set(block.id, block.name);
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        break;
      default:
        throw badRequest(`${at(blockIndex)}: '${block.type}' blocks are not allowed in assistant messages.`, {
          param: at(blockIndex),
        });
    }
  });
  const out: ChatMessage = { role: 'assistant', content: texts.join('\n') };
  if (thoughts.length) out.thinking = thoughts.join('\n');
  if (toolCalls.length) out.toolCalls = toolCalls;
  return out;
}

/** A user (or system) turn: its tool results become `tool` messages first, then the rest one user message (§5.1). */
function userMessages(
  role: 'user' | 'system',
  blocks: ContentBlock[],
  at: (blockIndex: number) => string,
  toolNames: Map<string, string>,
): ChatMessage[] {
  const toolMessages: ChatMessage[] = [];
  const texts: string[] = [];
  const images: string[] = [];
  blocks.forEach((block, blockIndex) => {
    switch (block.type) {
      case 'text':
        texts.push(block.text);
        break;
      case 'image':
        if (role === 'system') break;
        images.push(imageData(block, at(blockIndex)));
        break;
      case 'tool_result': {
        if (role === 'system') break;
        toolMessages.push(toolMessage(block, at(blockIndex), toolNames));
        break;
      }
      default:
        throw badRequest(`${at(blockIndex)}: '${block.type}' blocks are not allowed in ${role} messages.`, {
          param: at(blockIndex),
        });
    }
  });
  if (toolMessages.length > 0 && texts.length === 0 && images.length === 0) return toolMessages;
  const rest: ChatMessage = { role, content: texts.join('\n') };
  if (images.length) rest.images = images;
  return [...toolMessages, rest];
}

function toolMessage(
  block: z.infer<typeof toolResultBlock>,
  param: string,
  toolNames: Map<string, string>,
): ChatMessage {
  let content = '';
  const images: string[] = [];
  if (typeof block.content === 'string') content = block.content;
  else if (block.content) {
    const texts: string[] = [];
    block.content.forEach((part, partIndex) => {
      if (part.type === 'text') texts.push(part.text);
      else images.push(imageData(part, `${param}.content.${partIndex}`));
    });
    content = texts.join('\n');
  }
  // Ollama has no error flag on tool results: say it in the content so the model knows the call failed.
  if (block.is_error) content = content ? `Error: ${content}` : 'Error';
  const out: ChatMessage = { role: 'tool', content, toolCallId: block.tool_use_id };
  const name = toolNames.get(block.tool_use_id);
  if (name) out.toolName = name;
  if (images.length) out.images = images;
  return out;
}

function imageData(block: z.infer<typeof imageBlock>, param: string): string {
  const { source } = block;
  if (source.type !== 'base64')
    throw badRequest(
      `${param}.source: invalid image source type: ${source.type}. Only base64 images are supported.`,
      { param: `${param}.source.type`, code: 'unsupported_image_source' },
    );
  if (!source.data)
    throw badRequest(`${param}.source.data: Field required`, { param: `${param}.source.data` });
  return source.data;
}
