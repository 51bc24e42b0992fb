import { rfc3339FromMs } from './clock.util.js';
import type { Cancellation, SimStats } from './sim.types.js';

/** What the recorder reads of a request in flight (the server's RequestInfo). */
export interface OpenRequest {
  path: string;
  model: string;
  startMs: number;
  state: { tokensSent: number };
}

/** Counters the control API and the programmatic API expose. */
export class StatsRecorder {
  private requests = 0;
  private byPath: Record<string, number> = {};
  private cancellations: Cancellation[] = [];
  private active = 0;
  private readonly open = new Set<OpenRequest>();
  private faultsInjected = 0;

  begin(request: OpenRequest): void {
    this.requests++;
    this.byPath[request.path] = (this.byPath[request.path] ?? 0) + 1;
    this.active++;
    this.open.add(request);
  }

  end(request: OpenRequest): void {
    this.active = Math.max(0, this.active - 1);
    this.open.delete(request);
  }

  fault(): void {
    this.faultsInjected++;
  }

  cancelled(path: string, model: string, startedAtMs: number, tokensSent: number): void {
    const atMs = performance.timeOrigin + performance.now();
    this.cancellations.push({
      path,
      model,
      at: rfc3339FromMs(atMs),
      atMs,
      afterMs: atMs - startedAtMs,
      tokensSent,
    });
  }

  snapshot(loads: number): SimStats {
    return {
      requests: this.requests,
      byPath: { ...this.byPath },
      cancellations: this.cancellations.map((c) => ({ ...c })),
      active: this.active,
      inFlight: [...this.open].map((r) => ({
        path: r.path,
        model: r.model,
        afterMs: performance.timeOrigin + performance.now() - r.startMs,
        tokensSent: r.state.tokensSent,
      })),
      faultsInjected: this.faultsInjected,
      loads,
    };
  }

  /** Clears everything but the in-flight count. */
  reset(): void {
    this.requests = 0;
    this.byPath = {};
    this.cancellations = [];
    this.faultsInjected = 0;
  }
}
