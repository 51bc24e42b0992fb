import { rfc3339Nano } from './clock.util.js';
import { markerTokens } from './faults.controller.js';
import { buildPlan } from './generation.plan.js';
import { OllamaError, readBody, sendJson } from './http.util.js';
import { checkCapabilities, findModel, resolveThinking, serveInference } from './inference.service.js';
import { checkFields, parseJsonBody, parseKeepAlive, parseOptions, parseThink } from './request.validator.js';
import { contextTokens, generateRenderer } from './response.renderer.js';
import type { Handler } from './sim.context.js';
import type { Capability, ChatMessage } from './sim.types.js';
import { conversationKey } from './text.generator.js';
import { promptTokenCount } from './tokens.counter.js';

/** The messages a generate request stands for: `[system?, {user: prompt}]` (the reply key). */
export function generateMessages(prompt: string, system?: string): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (system) out.push({ role: 'system', content: system });
  out.push({ role: 'user', content: prompt });
  return out;
}

/** prompt_eval_count of a generate request: promptTokenCount of `[system?, prompt, suffix?]`. */
export function generatePromptTokenCount(prompt: string, system?: string, suffix?: string): number {
  const parts = generateMessages(prompt, system);
  if (suffix) parts.push({ role: 'user', content: suffix });
  return promptTokenCount(parts);
}

/** POST /api/generate */
export const handleGenerate: Handler = async (ctx, req, res, info) => {
  const body = parseJsonBody(await readBody(req, ctx.config.maxBodyBytes), 'GenerateRequest');
  checkFields(body, 'GenerateRequest', {
    model: 'string',
    prompt: 'string',
    suffix: 'string',
    system: 'string',
    template: 'string',
    context: 'array',
    stream: 'bool',
    raw: 'bool',
    images: 'strings',
    options: 'map',
    truncate: 'bool',
    shift: 'bool',
    logprobs: 'bool',
    top_logprobs: 'int',
  });
  const keepAliveMs = parseKeepAlive(body.keep_alive);
  const think = parseThink(body.think);
  const topLogprobs = (body.top_logprobs as number | undefined) ?? 0;
  if (topLogprobs < 0 || topLogprobs > 20)
    throw new OllamaError(400, 'top_logprobs must be between 0 and 20');

  const requested = ((body.model as string | undefined) ?? '').trim();
  info.model = requested;
  if (!requested) throw new OllamaError(404, `model '${requested}' not found`);
  const model = findModel(ctx, requested);
  const prompt = (body.prompt as string | undefined) ?? '';
  const system = (body.system as string | undefined) ?? '';
  const suffix = (body.suffix as string | undefined) ?? '';
  const raw = body.raw === true;

  if (prompt === '' && keepAliveMs === 0) {
    ctx.scheduler.unload(model);
    sendJson(res, 200, {
      model: requested,
      created_at: rfc3339Nano(),
      response: '',
      done: true,
      done_reason: 'unload',
    });
    return;
  }
  const context = body.context as unknown[] | undefined;
  if (raw && (body.template || system || (context && context.length > 0))) {
    throw new OllamaError(400, 'raw mode does not support template, system, or context');
  }
  const thinking = resolveThinking(model, requested, think);
  const needs: Capability[] = suffix ? ['insert'] : [];
  checkCapabilities(model, requested, 'generate', needs);
  const options = parseOptions(body.options as Record<string, unknown> | undefined);
  const key = conversationKey(generateMessages(prompt, system));
  const promptEvalCount = generatePromptTokenCount(prompt, system, suffix);

  await serveInference(ctx, res, info, {
    model,
    keepAliveMs,
    stream: body.stream !== false,
    markerText: prompt,
    loadOnlyBody:
      prompt === ''
        ? () =>
            JSON.stringify({
              model: requested,
              created_at: rfc3339Nano(),
              response: '',
              done: true,
              done_reason: 'load',
            })
        : null,
    plan: () =>
      buildPlan({
        key,
        promptEvalCount,
        replyTokens: markerTokens(prompt) ?? ctx.config.replyTokens,
        thinkingTokens: ctx.config.thinkingTokens,
        thinking,
        toolCalls: [],
        format:
          body.format === 'json' || (body.format && typeof body.format === 'object') ? body.format : null,
        numPredict: options.numPredict,
        stop: options.stop,
      }),
    renderer: (plan) =>
      generateRenderer(requested, raw ? null : contextTokens(key, promptEvalCount + plan.steps.length)),
  });
};
