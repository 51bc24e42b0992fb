import type { ServerResponse } from 'node:http';
import { markerFault } from './faults.controller.js';
import type { GenerationPlan } from './generation.plan.js';
import { OllamaError, sendJsonText } from './http.util.js';
import { faultTiming, hangUntilAborted, runPlan, sendServerError } from './inference.runner.js';
import { qualifiedName } from './models.catalog.js';
import type { ChunkRenderer } from './response.renderer.js';
import { tokenIntervalMs } from './sim.config.js';
import type { RequestInfo, SimContext } from './sim.context.js';
import type { Capability, FaultMode, SimModel } from './sim.types.js';

/** Ollama's capability check (scheduleRunner → CheckCapabilities); completion is reported per endpoint. */
export function checkCapabilities(
  model: SimModel,
  requested: string,
  endpoint: 'chat' | 'generate',
  needs: Capability[],
): void {
  if (!model.capabilities.includes('completion')) {
    throw new OllamaError(400, `"${requested}" does not support ${endpoint}`);
  }
  const missing = needs.filter((c) => !model.capabilities.includes(c));
  if (missing.length > 0) {
    throw new OllamaError(400, `${qualifiedName(model)} does not support ${missing.join(' ')}`);
  }
}

/** Ollama's thinking rule: on by default for thinking models, 400 when asked of a model without the capability. */
export function resolveThinking(
  model: SimModel,
  requested: string,
  think: boolean | string | undefined,
): boolean {
  const enabled = think !== undefined && think !== false;
  if (model.capabilities.includes('thinking')) return think === undefined ? true : enabled;
  if (enabled) throw new OllamaError(400, `"${requested}" does not support thinking`);
  return false;
}

export function findModel(ctx: SimContext, name: string): SimModel {
  const model = ctx.catalog.find(name);
  if (!model) throw new OllamaError(404, `model "${name}" not found, try pulling it first`);
  return model;
}

/** Applies the fault for this request (marker first, then the control API's). Returns null when it was handled. */
export async function applyEarlyFault(
  ctx: SimContext,
  res: ServerResponse,
  info: RequestInfo,
  markerText: string,
): Promise<{ fault: FaultMode | null } | null> {
  const fault = ctx.faults.take(markerFault(markerText));
  if (fault) ctx.stats.fault();
  if (fault === 'error-500') {
    sendServerError(res);
    return null;
  }
  if (fault === 'hang') {
    await hangUntilAborted(info.state.signal);
    return null;
  }
  return { fault };
}

export interface InferenceJob {
  model: SimModel;
  keepAliveMs: number | undefined;
  stream: boolean;
  markerText: string;
  /** The body of a load-only request (empty prompt / no messages), or null to generate. */
  loadOnlyBody: (() => string) | null;
  plan: () => GenerationPlan;
  renderer: (plan: GenerationPlan) => ChunkRenderer;
}

/** Faults, model load, then the reply (streamed or whole). */
export async function serveInference(
  ctx: SimContext,
  res: ServerResponse,
  info: RequestInfo,
  job: InferenceJob,
): Promise<void> {
  const early = await applyEarlyFault(ctx, res, info, job.markerText);
  if (!early) return;
  const loadNs = await ctx.scheduler.acquire(job.model, job.keepAliveMs, info.state.signal);
  if (loadNs === null) return;
  try {
    if (job.loadOnlyBody) {
      sendJsonText(res, 200, job.loadOnlyBody());
      return;
    }
    const plan = job.plan();
    const { config } = ctx;
    await runPlan({
      res,
      state: info.state,
      plan,
      renderer: job.renderer(plan),
      stream: job.stream,
      fault: early.fault,
      faultAfterTokens: config.faultAfterTokens,
      timing: faultTiming(
        early.fault,
        { ttftMs: config.ttftMs, intervalMs: tokenIntervalMs(config.tokensPerSecond) },
        { ttftMs: config.slowTtftMs, intervalMs: tokenIntervalMs(config.slowTokensPerSecond) },
      ),
      startNs: info.startNs,
      loadNs,
    });
  } finally {
    ctx.scheduler.release(job.model, job.keepAliveMs);
  }
}
