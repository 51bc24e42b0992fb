import type { CancelSignal } from './cancel.signal.js';
import { monoNs, sleep } from './clock.util.js';
import type { SimModel } from './sim.types.js';

interface LoadedModel {
  model: SimModel;
  /** Epoch ms after which the model counts as unloaded; Infinity for keep_alive < 0. */
  expiresAt: number;
  keepAliveMs: number;
  active: number;
  loading?: Promise<boolean>;
}

export interface PsEntry {
  model: SimModel;
  expiresAt: number;
}

/**
 * Which models are "in memory". A model pays `loadMs` on first use and again after its keep_alive expired; concurrent
 * requests share one load. keep_alive 0 unloads when the last request using the model finishes.
 */
export class ModelScheduler {
  private readonly loaded = new Map<string, LoadedModel>();
  loads = 0;

  constructor(private readonly timing: { loadMs: number; keepAliveMs: number }) {}

  /** Waits until the model is loaded. Returns the nanoseconds spent loading, or null if aborted. */
  async acquire(
    model: SimModel,
    keepAliveMs: number | undefined,
    signal: CancelSignal,
  ): Promise<bigint | null> {
    const start = monoNs();
    const now = Date.now();
    let entry = this.loaded.get(model.name);
    if (entry && entry.active === 0 && !entry.loading && entry.expiresAt <= now) {
      this.loaded.delete(model.name);
      entry = undefined;
    }
    const keepAlive = keepAliveMs ?? this.timing.keepAliveMs;
    if (!entry) {
      this.loads++;
      entry = { model, expiresAt: now + keepAlive, keepAliveMs: keepAlive, active: 0 };
      const loadMs = this.timing.loadMs;
      if (loadMs > 0) {
        const loading = sleep(loadMs);
        entry.loading = loading;
        loading.then(() => {
          if (entry) entry.loading = undefined;
        });
      }
      this.loaded.set(model.name, entry);
    }
    entry.active++;
    entry.keepAliveMs = keepAlive;
    entry.expiresAt = Date.now() + keepAlive;
    if (entry.loading) {
      const loading = entry.loading;
      const aborted = new Promise<boolean>((resolve) => {
        signal.onAbort(() => resolve(false));
      });
      const ok = await Promise.race([loading, aborted]);
      if (!ok) {
        this.release(model, keepAliveMs);
        return null;
      }
    }
    return monoNs() - start;
  }

  /** Marks one request done; sets the expiry from its keep_alive (0 unloads). */
  release(model: SimModel, keepAliveMs: number | undefined): void {
    const entry = this.loaded.get(model.name);
    if (!entry) return;
    entry.active = Math.max(0, entry.active - 1);
    const keepAlive = keepAliveMs ?? entry.keepAliveMs;
    entry.keepAliveMs = keepAlive;
    entry.expiresAt = Date.now() + keepAlive;
    if (keepAlive === 0 && entry.active === 0) this.loaded.delete(model.name);
  }

  /** Ollama's expireRunner: drops the model now (keep_alive 0 with an empty prompt). */
  unload(model: SimModel): void {
    const entry = this.loaded.get(model.name);
    if (entry && entry.active === 0) this.loaded.delete(model.name);
    else if (entry) entry.keepAliveMs = 0;
  }

  /** Loaded models, longest remaining time first (as /api/ps sorts them). */
  list(): PsEntry[] {
    const now = Date.now();
    const out: PsEntry[] = [];
    for (const [name, entry] of this.loaded) {
      if (entry.active === 0 && !entry.loading && entry.expiresAt <= now) {
        this.loaded.delete(name);
        continue;
      }
      const expiresAt = entry.active > 0 ? now + entry.keepAliveMs : entry.expiresAt;
      out.push({ model: entry.model, expiresAt });
    }
    return out.sort((a, b) => b.expiresAt - a.expiresAt);
  }

  reset(): void {
    this.loaded.clear();
    this.loads = 0;
  }
}
