import { rfc3339FromMs } from './clock.util.js';
import type { Cancellation, SimStats } from './sim.types.js';

/** Counters the control API and the programmatic API expose. */
export class StatsRecorder {
  private requests = 0;
  private byPath: Record<string, number> = {};
  private cancellations: Cancellation[] = [];
  private active = 0;
  private faultsInjected = 0;

  begin(path: string): void {
    this.requests++;
    this.byPath[path] = (this.byPath[path] ?? 0) + 1;
    this.active++;
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
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
