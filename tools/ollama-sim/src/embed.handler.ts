import type { ServerResponse } from 'node:http';
import { monoNs, sleep } from './clock.util.js';
import { embeddingVector } from './embedding.generator.js';
import { OllamaError, readBody, sendError, sendJson } from './http.util.js';
import { MIDSTREAM_ERROR } from './inference.runner.js';
import { applyEarlyFault, findModel } from './inference.service.js';
import { checkFields, parseJsonBody, parseKeepAlive, parseOptions } from './request.validator.js';
import type { Handler, RequestInfo, SimContext } from './sim.context.js';
import type { SimModel } from './sim.types.js';
import { embedTokenCount } from './tokens.counter.js';

/** `input` as Ollama's EmbedHandler reads it: a string (empty → none) or an array of strings. */
export function readEmbedInput(input: unknown): string[] {
  if (input === undefined || input === null) return [];
  if (typeof input === 'string') return input.length > 0 ? [input] : [];
  if (Array.isArray(input)) {
    for (const v of input) if (typeof v !== 'string') throw new OllamaError(400, 'invalid input type');
    return input as string[];
  }
  throw new OllamaError(400, 'invalid input type');
}

/** Faults, load and processing time shared by both embedding routes. Returns load ns, or null when handled. */
async function prepare(
  ctx: SimContext,
  res: ServerResponse,
  info: RequestInfo,
  model: SimModel,
  keepAliveMs: number | undefined,
  markerText: string,
): Promise<{ loadNs: bigint; release: () => void; finish: () => boolean } | null> {
  const early = await applyEarlyFault(ctx, res, info, markerText);
  if (!early) return null;
  const loadNs = await ctx.scheduler.acquire(model, keepAliveMs, info.state.signal);
  if (loadNs === null) return null;
  const release = (): void => ctx.scheduler.release(model, keepAliveMs);
  const ttft = early.fault === 'slow' ? ctx.config.slowTtftMs : ctx.config.ttftMs;
  if (!(await sleep(ttft, info.state.signal))) {
    release();
    return null;
  }
  /** Applies drop / error-midstream (there is no stream: both end the request). Returns false when it did. */
  const finish = (): boolean => {
    if (early.fault === 'drop') {
      info.state.serverClosed = true;
      res.socket?.destroy();
      return false;
    }
    if (early.fault === 'error-midstream') {
      sendError(res, 500, MIDSTREAM_ERROR);
      return false;
    }
    return true;
  };
  return { loadNs, release, finish };
}

/** POST /api/embed */
export const handleEmbed: Handler = async (ctx, req, res, info) => {
  const body = parseJsonBody(await readBody(req, ctx.config.maxBodyBytes), 'EmbedRequest');
  checkFields(body, 'EmbedRequest', { model: 'string', truncate: 'bool', dimensions: 'int', options: 'map' });
  const keepAliveMs = parseKeepAlive(body.keep_alive);
  const requested = ((body.model as string | undefined) ?? '').trim();
  info.model = requested;
  if (!requested) throw new OllamaError(400, 'model is required');
  const input = readEmbedInput(body.input);
  const model = findModel(ctx, requested);
  parseOptions(body.options as Record<string, unknown> | undefined);

  const prepared = await prepare(ctx, res, info, model, keepAliveMs, input.join('\n'));
  if (!prepared) return;
  try {
    if (input.length === 0) {
      sendJson(res, 200, { model: requested, embeddings: [] });
      return;
    }
    if (body.truncate === false && input.some((text) => embedTokenCount(text) > model.contextLength)) {
      throw new OllamaError(400, 'the input length exceeds the context length');
    }
    if (!prepared.finish()) return;
    const dimensions = (body.dimensions as number | undefined) ?? 0;
    const embeddings = input.map((text) =>
      embeddingVector(model.name, text, model.embeddingLength, dimensions),
    );
    const promptEvalCount = input.reduce(
      (sum, text) => sum + Math.min(embedTokenCount(text), model.contextLength),
      0,
    );
    sendJson(res, 200, {
      model: requested,
      embeddings,
      total_duration: Number(monoNs() - info.startNs),
      load_duration: Number(prepared.loadNs > 0n ? prepared.loadNs : 1n),
      prompt_eval_count: promptEvalCount,
    });
  } finally {
    prepared.release();
  }
};

/** POST /api/embeddings (legacy): `{prompt}` → `{embedding}`. */
export const handleEmbeddings: Handler = async (ctx, req, res, info) => {
  const body = parseJsonBody(await readBody(req, ctx.config.maxBodyBytes), 'EmbeddingRequest');
  checkFields(body, 'EmbeddingRequest', { model: 'string', prompt: 'string', options: 'map' });
  const keepAliveMs = parseKeepAlive(body.keep_alive);
  const requested = ((body.model as string | undefined) ?? '').trim();
  info.model = requested;
  if (!requested) throw new OllamaError(400, 'model is required');
  const model = findModel(ctx, requested);
  parseOptions(body.options as Record<string, unknown> | undefined);
  const prompt = (body.prompt as string | undefined) ?? '';

  const prepared = await prepare(ctx, res, info, model, keepAliveMs, prompt);
  if (!prepared) return;
  try {
    if (prompt === '') {
      sendJson(res, 200, { embedding: [] });
      return;
    }
    if (!prepared.finish()) return;
    sendJson(res, 200, { embedding: embeddingVector(model.name, prompt, model.embeddingLength) });
  } finally {
    prepared.release();
  }
};
