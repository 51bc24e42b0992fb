import type { ServerResponse } from 'node:http';
import type { CancelSignal } from './cancel.signal.js';
import { monoNs, rfc3339Nano, sleep } from './clock.util.js';
import type { GenerationPlan } from './generation.plan.js';
import { NDJSON_TYPE, sendError, sendJsonText, writeChunk } from './http.util.js';
import type { ChunkRenderer, Metrics } from './response.renderer.js';
import type { FaultMode } from './sim.types.js';

export const MIDSTREAM_ERROR = 'an error was encountered while running the model: simulated error-midstream';
export const SERVER_ERROR = 'llama runner process has terminated: simulated error-500';

/** Per-request state shared with the server (for cancellation records). */
export interface RequestState {
  signal: CancelSignal;
  /** Token chunks written so far. */
  tokensSent: number;
  /** Set when the simulator itself cut the connection (drop fault): not a client cancellation. */
  serverClosed: boolean;
}

export interface RunTiming {
  ttftMs: number;
  /** Milliseconds per token; 0 = unpaced. */
  intervalMs: number;
}

export interface RunInput {
  res: ServerResponse;
  state: RequestState;
  plan: GenerationPlan;
  renderer: ChunkRenderer;
  stream: boolean;
  fault: FaultMode | null;
  faultAfterTokens: number;
  timing: RunTiming;
  /** Monotonic time the request arrived, and the nanoseconds spent loading the model. */
  startNs: bigint;
  loadNs: bigint;
}

/** Cuts the connection once what was written so far has reached the client (drop fault). */
async function dropConnection(input: RunInput): Promise<void> {
  input.state.serverClosed = true;
  const socket = input.res.socket;
  if (socket && !socket.destroyed) {
    // An empty write's callback runs once everything queued before it has been flushed.
    await new Promise<void>((resolve) => {
      socket.write('', () => resolve());
      socket.once('close', () => resolve());
    });
  }
  socket?.destroy();
  input.res.destroy();
}

/**
 * Plays a plan: waits the time to first token, then writes one NDJSON line per step (paced or as fast as the socket
 * takes them), then the done line with metrics measured from the real elapsed time. Stops at once on abort.
 */
export async function runPlan(input: RunInput): Promise<void> {
  const { res, state, plan, renderer, timing } = input;
  const promptStart = monoNs();
  if (timing.ttftMs > 0 && !(await sleep(timing.ttftMs, state.signal))) return;
  const promptEvalNs = monoNs() - promptStart;
  const faultAt = input.fault === 'error-midstream' || input.fault === 'drop' ? input.faultAfterTokens : -1;

  if (!input.stream) {
    const evalStart = monoNs();
    const steps = faultAt >= 0 ? Math.min(faultAt, plan.steps.length) : plan.steps.length;
    if (timing.intervalMs > 0 && !(await sleep(steps * timing.intervalMs, state.signal))) return;
    if (input.fault === 'drop') return dropConnection(input);
    if (input.fault === 'error-midstream') return sendError(res, 500, MIDSTREAM_ERROR);
    const metrics = buildMetrics(input, promptEvalNs, monoNs() - evalStart);
    state.tokensSent = plan.steps.length;
    sendJsonText(res, 200, renderer.whole(plan.steps, rfc3339Nano(), plan.doneReason, metrics));
    return;
  }

  res.writeHead(200, { 'Content-Type': NDJSON_TYPE });
  const evalStart = monoNs();
  const evalStartMs = performance.now();
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) {
    if (i === faultAt) break;
    if (timing.intervalMs > 0) {
      const wait = evalStartMs + (i + 1) * timing.intervalMs - performance.now();
      if (!(await sleep(wait, state.signal))) return;
    }
    if (state.signal.aborted) return;
    const pending = writeChunk(res, `${renderer.chunk(steps[i] as (typeof steps)[number], rfc3339Nano())}\n`);
    state.tokensSent++;
    if (pending) {
      await pending;
      if (state.signal.aborted) return;
    }
  }
  if (faultAt >= 0) {
    if (input.fault === 'drop') return dropConnection(input);
    res.end(`${JSON.stringify({ error: MIDSTREAM_ERROR })}\n`);
    return;
  }
  const metrics = buildMetrics(input, promptEvalNs, monoNs() - evalStart);
  res.end(`${renderer.final(rfc3339Nano(), plan.doneReason, metrics)}\n`);
}

function buildMetrics(input: RunInput, promptEvalNs: bigint, evalNs: bigint): Metrics {
  return {
    totalDuration: monoNs() - input.startNs,
    loadDuration: input.loadNs,
    promptEvalCount: input.plan.promptEvalCount,
    promptEvalDuration: promptEvalNs > 0n ? promptEvalNs : 1n,
    evalCount: input.plan.steps.length,
    evalDuration: input.plan.steps.length > 0 && evalNs <= 0n ? 1n : evalNs,
  };
}

/** Waits until the client goes away (hang fault). */
export function hangUntilAborted(signal: CancelSignal): Promise<void> {
  return signal.whenAborted();
}

export function faultTiming(fault: FaultMode | null, base: RunTiming, slow: RunTiming): RunTiming {
  return fault === 'slow' ? slow : base;
}

export function sendServerError(res: ServerResponse): void {
  sendError(res, 500, SERVER_ERROR);
}
