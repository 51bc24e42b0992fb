import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFaultMode } from './faults.controller.js';
import { OllamaError, readBody, sendError, sendJson, sendText } from './http.util.js';
import type { SimContext } from './sim.context.js';
import type { SimConfig } from './sim.types.js';

/** Timing and length settings a running simulator accepts through POST /_sim/config. */
const TUNABLE = [
  'replyTokens',
  'thinkingTokens',
  'loadMs',
  'ttftMs',
  'tokensPerSecond',
  'keepAliveMs',
  'faultAfterTokens',
  'slowTtftMs',
  'slowTokensPerSecond',
] as const satisfies readonly (keyof SimConfig)[];

function publicConfig(config: SimConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { version: config.version, models: config.models.map((m) => m.name) };
  for (const key of TUNABLE) out[key] = config[key];
  return out;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req, 1024 * 1024);
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new OllamaError(400, 'body must be a JSON object');
}

/** Resets faults, stats and loaded models (in-flight requests keep running). */
export function resetSim(ctx: SimContext): void {
  ctx.faults.reset();
  ctx.stats.reset();
  ctx.scheduler.reset();
}

/**
 * The control API under /_sim (not part of Ollama):
 * POST /_sim/faults {mode, count?} · GET /_sim/faults · POST /_sim/reset · GET /_sim/stats · GET|POST /_sim/config.
 */
export async function handleControl(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  try {
    if (path === '/_sim/stats' && method === 'GET')
      return sendJson(res, 200, ctx.stats.snapshot(ctx.scheduler.loads));
    if (path === '/_sim/faults' && method === 'GET') return sendJson(res, 200, ctx.faults.current());
    if (path === '/_sim/faults' && method === 'POST') {
      const body = await readJson(req);
      const mode = body.mode ?? null;
      const count = body.count ?? null;
      if (mode !== null && !isFaultMode(mode))
        throw new OllamaError(400, `unknown fault mode ${JSON.stringify(mode)}`);
      if (count !== null && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) {
        throw new OllamaError(400, 'count must be a non-negative integer');
      }
      ctx.faults.set({ mode, count });
      return sendJson(res, 200, ctx.faults.current());
    }
    if (path === '/_sim/reset' && method === 'POST') {
      resetSim(ctx);
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_sim/config' && method === 'GET') return sendJson(res, 200, publicConfig(ctx.config));
    if (path === '/_sim/config' && method === 'POST') {
      const body = await readJson(req);
      for (const key of TUNABLE) {
        const value = body[key];
        if (value === undefined) continue;
        if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
          throw new OllamaError(400, `${key} must be a non-negative number`);
        }
        ctx.config[key] = value;
      }
      return sendJson(res, 200, publicConfig(ctx.config));
    }
    sendText(res, 404, '404 page not found', 'text/plain');
  } catch (err) {
    if (err instanceof OllamaError) sendError(res, err.status, err.message);
    else sendError(res, 500, (err as Error).message);
  }
}
