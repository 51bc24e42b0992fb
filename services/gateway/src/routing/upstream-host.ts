import type { Logger } from '@ollama-gateway/runtime';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { FairQueue } from './fair-queue.js';
import type { HostView } from './host-selector.js';
import type { HostConfig, RoutingConfig } from './routing.config.js';

/** Why a call failed, as far as the host's health is concerned. */
export type HostFailure =
  /** Connection refused/reset/lost before an answer: the host is marked down until a health check says otherwise. */
  | 'connection'
  /** 5xx or no answer in time: counts toward opening the circuit. */
  | 'error'
  /** Ollama's own queue is full (503): try elsewhere, but the host is not sick. */
  | 'busy';

/** Refuses the requests waiting on a host that a reload removed: they choose a host again (ollama.router.ts). */
export class HostRetiredError extends Error {
  override name = 'HostRetiredError';
}

/**
 * One Ollama host as the router sees it: its settings, its HTTP client (a keep-alive pool), its circuit breaker, its
 * fair queue, and what the health checks and passive observations know (alive, models present, models loaded).
 * A config reload updates the settings of a host that stays (same URL) in place, so its queue, breaker and health
 * state carry over; a host that leaves is retired and closes its pool once its requests have finished.
 */
export class UpstreamHost implements HostView {
  alive: boolean | null = null;
  models: Set<string> | null = null;
  missing = new Set<string>();
  loaded = new Set<string>();
  /** When the last health check ended (epoch ms), and why it failed (null: it did not). */
  checkedAt: number | null = null;
  lastError: string | null = null;
  readonly breaker: CircuitBreaker;
  readonly queue: FairQueue;
  private retired = false;

  constructor(
    public settings: HostConfig,
    readonly client: OllamaClient,
    routing: Pick<RoutingConfig, 'queue' | 'breaker'>,
    private readonly logger?: Pick<Logger, 'warn' | 'info'>,
  ) {
    this.breaker = new CircuitBreaker(routing.breaker);
    this.queue = new FairQueue({ ...routing.queue, maxConcurrent: settings.maxConcurrent });
  }

  /** The base URL as configured (trailing slash removed): what usage rows record as upstream_host. */
  get url(): string {
    return this.client.baseUrl;
  }

  get admits(): boolean {
    return this.breaker.state === 'closed' || this.breaker.available(Date.now());
  }

  get busy(): number {
    return this.queue.active + this.queue.queued;
  }

  get maxConcurrent(): number {
    return this.settings.maxConcurrent;
  }

  get weight(): number {
    return this.settings.weight;
  }

  /** New settings from a reload (same URL). */
  configure(settings: HostConfig, routing: Pick<RoutingConfig, 'queue' | 'breaker'>): void {
    this.settings = settings;
    this.breaker.configure(routing.breaker);
    this.queue.configure({ ...routing.queue, maxConcurrent: settings.maxConcurrent });
  }

  /** The host answered a call for `model` (any status that is not its own failure). */
  succeeded(model: string | null): void {
    if (this.breaker.state !== 'closed') this.logger?.info({ host: this.url }, 'upstream host recovered');
    this.breaker.onSuccess();
    if (this.alive !== true) this.alive = true;
    if (model && !this.loaded.has(model)) this.loaded.add(model);
  }

  failed(kind: HostFailure, error: unknown): void {
    if (kind === 'busy') {
      this.breaker.onNeutral();
      return;
    }
    const before = this.breaker.state;
    this.breaker.onFailure(Date.now());
    if (kind === 'connection') this.markDown(error);
    if (before !== 'open' && this.breaker.isOpen())
      this.logger?.warn(
        { host: this.url, err: error },
        'upstream host circuit opened: no requests until its cool-down ends',
      );
  }

  /** The host said it does not have `model` (404): never send it there again until its tags say otherwise. */
  lacks(model: string): void {
    this.models?.delete(model);
    this.missing.add(model);
    this.loaded.delete(model);
  }

  markDown(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    if (this.alive !== false)
      this.logger?.warn({ host: this.url, reason: this.lastError }, 'upstream host is down');
    this.alive = false;
  }

  markUp(): void {
    if (this.alive === false) this.logger?.info({ host: this.url }, 'upstream host is up');
    this.alive = true;
    this.lastError = null;
  }

  /** /api/tags answered: the models it has (the 404s noted since no longer matter). */
  setModels(models: Set<string>): void {
    this.models = models;
    if (this.missing.size > 0) this.missing = new Set();
  }

  setLoaded(models: Set<string>): void {
    this.loaded = models;
  }

  /** Gone from the config: waiting requests are refused, the pool closes once running ones have finished. */
  retire(): void {
    this.retired = true;
    this.queue.rejectAll(new HostRetiredError());
    this.closeIfIdle();
  }

  /** Gives a slot back (see FairQueue.release); a retired host closes its pool when the last one is back. */
  release(): void {
    this.queue.release();
    if (this.retired) this.closeIfIdle();
  }

  private closeIfIdle(): void {
    if (this.queue.active === 0 && this.queue.queued === 0) void this.client.close().catch(() => {});
  }
}

/**
 * The slot a streamed answer holds on its host, given back once: when the client's response closes (the
 * request-context middleware) or when the call's signal aborts (the client left, or the fallback chain gave up on the
 * local host and serves the rest from the cloud), whichever comes first.
 */
export class SlotLease {
  private held = true;

  constructor(private readonly host: UpstreamHost) {}

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.host.release();
  }
}
