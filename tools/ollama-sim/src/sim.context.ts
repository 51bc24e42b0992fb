import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultController } from './faults.controller.js';
import type { RequestState } from './inference.runner.js';
import type { ModelScheduler } from './model.scheduler.js';
import type { ModelCatalog } from './models.catalog.js';
import type { SimConfig } from './sim.types.js';
import type { StatsRecorder } from './stats.recorder.js';

/** The simulator's state, shared by every handler. */
export interface SimContext {
  config: SimConfig;
  catalog: ModelCatalog;
  scheduler: ModelScheduler;
  faults: FaultController;
  stats: StatsRecorder;
}

/** What the server knows about one request while it runs. */
export interface RequestInfo {
  path: string;
  /** Model named by the request, once parsed (for cancellation records). */
  model: string;
  startNs: bigint;
  startMs: number;
  state: RequestState;
}

export type Handler = (
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
) => Promise<void> | void;
