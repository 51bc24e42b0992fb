import { rfc3339Nano } from './clock.util.js';
import { markerTokens } from './faults.controller.js';
import { buildPlan } from './generation.plan.js';
import { OllamaError, readBody, sendJson } from './http.util.js';
import { checkCapabilities, findModel, resolveThinking, serveInference } from './inference.service.js';
import { withLogprobs } from './logprobs.generator.js';
import {
  checkFields,
  checkMessages,
  parseJsonBody,
  parseKeepAlive,
  parseOptions,
  parseThink,
} from './request.validator.js';
import { chatRenderer } from './response.renderer.js';
import type { Handler } from './sim.context.js';
import type { Capability, ChatMessage, ToolDefinition } from './sim.types.js';
import { conversationKey } from './text.generator.js';
import { promptTokenCount } from './tokens.counter.js';
import { buildToolCalls, selectTools } from './tool-call.builder.js';

/** Text of the last user message (where fault and length markers are read). */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.role === 'user') return m.content;
  }
  return '';
}

function readMessages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw)) return [];
  const out: ChatMessage[] = [];
  for (const m of raw) {
    if (!m || typeof m !== 'object') continue;
    const msg = m as Partial<ChatMessage>;
    out.push({ ...msg, role: (msg.role ?? '').toLowerCase(), content: msg.content ?? '' });
  }
  return out;
}

function readTools(raw: unknown): ToolDefinition[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (t): t is ToolDefinition =>
      !!t &&
      typeof t === 'object' &&
      !!(t as ToolDefinition).function &&
      typeof (t as ToolDefinition).function.name === 'string',
  );
}

/** POST /api/chat */
export const handleChat: Handler = async (ctx, req, res, info) => {
  const body = parseJsonBody(await readBody(req, ctx.config.maxBodyBytes), 'ChatRequest');
  checkFields(body, 'ChatRequest', {
    model: 'string',
    stream: 'bool',
    tools: 'array',
    options: 'map',
    truncate: 'bool',
    shift: 'bool',
    logprobs: 'bool',
    top_logprobs: 'int',
  });
  checkMessages(body.messages);
  const keepAliveMs = parseKeepAlive(body.keep_alive);
  const think = parseThink(body.think);
  const topLogprobs = (body.top_logprobs as number | undefined) ?? 0;
  if (topLogprobs < 0 || topLogprobs > 20)
    throw new OllamaError(400, 'top_logprobs must be between 0 and 20');

  const requested = ((body.model as string | undefined) ?? '').trim();
  if (!requested) throw new OllamaError(400, 'model is required');
  info.model = requested;
  const model = findModel(ctx, requested);
  const messages = readMessages(body.messages);

  if (messages.length === 0 && keepAliveMs === 0) {
    ctx.scheduler.unload(model);
    sendJson(res, 200, {
      model: requested,
      created_at: rfc3339Nano(),
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'unload',
    });
    return;
  }

  const tools = readTools(body.tools);
  const thinking = resolveThinking(model, requested, think);
  const needs: Capability[] = tools.length > 0 ? ['tools'] : [];
  checkCapabilities(model, requested, 'chat', needs);
  const options = parseOptions(body.options as Record<string, unknown> | undefined);
  const stream = body.stream !== false;
  const userText = lastUserText(messages);
  const lastIsUser = messages.length > 0 && messages[messages.length - 1]?.role === 'user';

  await serveInference(ctx, res, info, {
    model,
    keepAliveMs,
    stream,
    markerText: userText,
    loadOnlyBody:
      messages.length === 0
        ? () =>
            JSON.stringify({
              model: requested,
              created_at: rfc3339Nano(),
              message: { role: 'assistant', content: '' },
              done: true,
              done_reason: 'load',
            })
        : null,
    plan: () => {
      const key = conversationKey(messages);
      const plan = buildPlan({
        key,
        promptEvalCount: promptTokenCount(messages),
        replyTokens: markerTokens(userText) ?? ctx.config.replyTokens,
        thinkingTokens: ctx.config.thinkingTokens,
        thinking,
        toolCalls: lastIsUser ? buildToolCalls(selectTools(tools, userText)) : [],
        format:
          body.format === 'json' || (body.format && typeof body.format === 'object') ? body.format : null,
        numPredict: options.numPredict,
        stop: options.stop,
      });
      return body.logprobs === true ? withLogprobs(plan, key, topLogprobs) : plan;
    },
    renderer: () => chatRenderer(requested),
  });
};
