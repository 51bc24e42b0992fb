import { QueueWaitExceededError } from './routing.errors.js';

export interface FairQueueOptions {
  /** Requests running at once; the rest wait. */
  maxConcurrent: number;
  /** Requests that may wait; one more is refused at once (503 `queue_full`). */
  maxQueued: number;
  /** Longest wait for a slot; then 503 `queue_wait_exceeded`. */
  maxWaitMs: number;
  /** `retry-after` seconds on both refusals. */
  retryAfterSeconds: number;
}

interface Waiter {
  keyId: string;
  level: Level;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** The waiters of one priority, per key; Map order is the round-robin order (a served key moves to the back). */
interface Level {
  priority: number;
  keys: Map<string, Waiter[]>;
}

/**
 * One host's concurrency limit with a bounded, fair waiting line in front of it. Slots are handed out round-robin
 * across API keys (a key with 50 waiting requests and a key with 1 take turns), higher key priority first; so a
 * flooding key cannot starve the others. A waiter leaves at once when its signal aborts (the client went away), and
 * is refused after `maxWaitMs`.
 *
 * The fast path (`tryAcquire` while nobody waits) allocates nothing and awaits nothing.
 */
export class FairQueue {
  /** Slots in use. */
  active = 0;
  /** Requests waiting. */
  queued = 0;
  private readonly levels: Level[] = [];

  constructor(private options: FairQueueOptions) {}

  /** New limits (config reload). A raised `maxConcurrent` lets waiters in at once; waiters keep their deadlines. */
  configure(options: FairQueueOptions): void {
    this.options = options;
    while (this.queued > 0 && this.active < this.options.maxConcurrent) {
      this.active += 1;
      this.next()!.resolve();
    }
  }

  get maxConcurrent(): number {
    return this.options.maxConcurrent;
  }

  /** Takes a slot when one is free and nobody is waiting for it. */
  tryAcquire(): boolean {
    if (this.queued > 0 || this.active >= this.options.maxConcurrent) return false;
    this.active += 1;
    return true;
  }

  /**
   * Waits for a slot (call after `tryAcquire` said no). Resolves when the slot is this request's; rejects with
   * QueueWaitExceededError when the line is full or the wait passes `maxWaitMs`, and with the signal's reason when it
   * aborts. The caller must `release()` a slot it got.
   */
  acquire(keyId: string, priority: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
    const { maxQueued, maxWaitMs, retryAfterSeconds } = this.options;
    if (this.queued >= maxQueued)
      return Promise.reject(
        new QueueWaitExceededError(
          503,
          'unavailable',
          'The model server is busy: too many requests are waiting for it. Retry later.',
          { code: 'queue_full', retryAfterSeconds },
        ),
      );
    return new Promise<void>((resolve, reject) => {
      const level = this.level(priority);
      const waiter: Waiter = { keyId, level, resolve, reject, timer: undefined, signal, onAbort: undefined };
      const settle = () => {
        if (waiter.timer) clearTimeout(waiter.timer);
        if (waiter.onAbort) signal?.removeEventListener('abort', waiter.onAbort);
      };
      waiter.resolve = () => {
        settle();
        resolve();
      };
      waiter.reject = (error) => {
        settle();
        reject(error);
      };
      waiter.timer = setTimeout(() => {
        this.remove(waiter);
        waiter.reject(
          new QueueWaitExceededError(
            503,
            'unavailable',
            `The model server is busy: the request waited ${maxWaitMs} ms for a free slot. Retry later.`,
            { code: 'queue_wait_exceeded', retryAfterSeconds },
          ),
        );
      }, maxWaitMs);
      waiter.timer.unref();
      if (signal) {
        waiter.onAbort = () => {
          this.remove(waiter);
          waiter.reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      const list = level.keys.get(keyId);
      if (list) list.push(waiter);
      else level.keys.set(keyId, [waiter]);
      this.queued += 1;
    });
  }

  /**
   * Where a request of `keyId` joining now would stand (1 = next to be served): every waiter of a higher priority,
   * and at its own priority one turn per key for each of its own requests already waiting. Later arrivals of a higher
   * priority can still pass it. O(keys waiting); only computed for requests that wait.
   */
  estimatePosition(keyId: string, priority: number): number {
    let ahead = 0;
    for (const level of this.levels) {
      if (level.priority > priority) {
        for (const list of level.keys.values()) ahead += list.length;
      } else if (level.priority === priority) {
        const turns = (level.keys.get(keyId)?.length ?? 0) + 1;
        for (const [key, list] of level.keys)
          ahead += key === keyId ? list.length : Math.min(list.length, turns);
      }
    }
    return ahead + 1;
  }

  /** Gives a slot back: the next waiter (round-robin across keys, by priority) gets it at once. */
  release(): void {
    if (this.queued > 0 && this.active <= this.options.maxConcurrent) {
      this.next()!.resolve();
      return;
    }
    if (this.active > 0) this.active -= 1;
  }

  /** Refuses every waiter (the host left the config and is closing). */
  rejectAll(error: unknown): void {
    let waiter = this.next();
    while (waiter) {
      waiter.reject(error);
      waiter = this.next();
    }
  }

  private level(priority: number): Level {
    for (const level of this.levels) if (level.priority === priority) return level;
    const level: Level = { priority, keys: new Map() };
    this.levels.push(level);
    this.levels.sort((a, b) => b.priority - a.priority);
    return level;
  }

  /** Takes the next waiter out of the line: highest priority with waiters, the key whose turn it is, its oldest. */
  private next(): Waiter | undefined {
    for (const level of this.levels) {
      if (level.keys.size === 0) continue;
      const [keyId, list] = level.keys.entries().next().value as [string, Waiter[]];
      const waiter = list.shift()!;
      level.keys.delete(keyId);
      if (list.length > 0) level.keys.set(keyId, list);
      this.queued -= 1;
      return waiter;
    }
    return undefined;
  }

  private remove(waiter: Waiter): void {
    const list = waiter.level.keys.get(waiter.keyId);
    const index = list ? list.indexOf(waiter) : -1;
    if (!list || index === -1) return;
    list.splice(index, 1);
    if (list.length === 0) waiter.level.keys.delete(waiter.keyId);
    this.queued -= 1;
  }
}
