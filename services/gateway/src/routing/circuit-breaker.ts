export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one request may probe the host. */
  cooldownMs: number;
}

/**
 * One host's circuit breaker. Closed: requests flow and consecutive failures are counted. Open (after
 * `failureThreshold` of them): the host gets nothing for `cooldownMs`. Then half-open: exactly one request probes it;
 * success closes the circuit, failure opens it for another cool-down. Time is passed in, so it is tested without timers.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';

  constructor(private options: BreakerOptions) {}

  get state(): BreakerState {
    return this.current;
  }

  isOpen(): boolean {
    return this.current === 'open';
  }

  /** New thresholds (config reload); the state is kept. */
  configure(options: BreakerOptions): void {
    this.options = options;
  }

  /** Whether a request may be sent now. No side effect: `onDispatch` takes the probe slot. */
  available(now: number): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') return now - this.openedAt >= this.options.cooldownMs;
    return !this.probing;
  }

  /** A request is being sent (after `available` said yes): when the cool-down is over, it is the half-open probe. */
  onDispatch(now: number): void {
    if (this.current === 'open' && now - this.openedAt >= this.options.cooldownMs) this.current = 'half-open';
    if (this.current === 'half-open') this.probing = true;
  }

  /** The host answered (any status that is not its own failure): the circuit closes. */
  onSuccess(): void {
    this.failures = 0;
    this.probing = false;
    this.current = 'closed';
  }

  /** Connection error, 5xx, timeout: counts toward opening; a failed probe opens the circuit again at once. */
  onFailure(now: number): void {
    this.probing = false;
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.current = 'open';
      this.openedAt = now;
    }
  }

  /** The request ended without telling anything about the host (the client left, it waited in the queue too long). */
  onNeutral(): void {
    this.probing = false;
  }

  /** Milliseconds until a probe may be sent (0 when requests may be sent now). */
  retryInMs(now: number): number {
    if (this.current !== 'open') return 0;
    return Math.max(0, this.openedAt + this.options.cooldownMs - now);
  }
}
