import type { Logger } from 'pino';
import type { RetentionRepository, RetentionTable } from '../repositories/retention.repository.js';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  /** Days request_logs rows are kept; 0 keeps them forever. */
  requestLogDays: number;
  /** Days usage_events rows (the billing ledger) are kept; 0 keeps them forever. */
  usageEventDays: number;
  /** Most rows deleted per statement (one short transaction each). */
  batchSize: number;
  /** Pause between two batches, so other writers get the table between them. Default 100 ms. */
  pauseMs?: number;
}

export interface RetentionRunResult {
  /** 'locked': another replica was running retention; 'disabled': both tables are kept forever. */
  skipped?: 'locked' | 'disabled';
  /** Rows deleted (or, in a dry run, that would be deleted) per table. */
  deleted: Record<RetentionTable, number>;
  batches: number;
  /** True when shutdown stopped the run between two batches. */
  interrupted: boolean;
  ms: number;
}

export interface RetentionServiceOptions {
  repository: RetentionRepository;
  policy: RetentionPolicy;
  logger: Logger;
  /** Time between the end of one run and the start of the next. */
  intervalMs: number;
  /** Delay before the first run after `start()`. Default 10 s, so startup is not slowed by a big first prune. */
  firstRunDelayMs?: number;
  now?: () => Date;
}

export interface RetentionService {
  /** Prunes once: older rows are deleted in batches under the advisory lock. Logs one line with the counts. */
  runOnce(options?: { dryRun?: boolean }): Promise<RetentionRunResult>;
  /** Starts the periodic runs (one at a time; a failed run is logged and retried at the next tick). */
  start(): void;
  /** Stops the timer, interrupts a running prune after its current batch and waits for it. */
  stop(): Promise<void>;
}

/** Cut-off for keeping `days` days before `now`, or undefined when `days` is 0 (keep forever). */
export function retentionCutoff(now: Date, days: number): Date | undefined {
  return days > 0 ? new Date(now.getTime() - days * DAY_MS) : undefined;
}

export function createRetentionService(options: RetentionServiceOptions): RetentionService {
  const { repository, policy, logger, intervalMs } = options;
  const now = options.now ?? (() => new Date());
  const pauseMs = policy.pauseMs ?? 100;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let wakePause: (() => void) | undefined;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const handle = setTimeout(done, ms);
      function done() {
        clearTimeout(handle);
        wakePause = undefined;
        resolve();
      }
      wakePause = done;
    });

  async function runOnce(runOptions: { dryRun?: boolean } = {}): Promise<RetentionRunResult> {
    const started = Date.now();
    const at = now();
    const targets = (
      [
        ['request_logs', retentionCutoff(at, policy.requestLogDays)],
        ['usage_events', retentionCutoff(at, policy.usageEventDays)],
      ] as const
    ).filter((target): target is readonly [RetentionTable, Date] => target[1] !== undefined);
    const result: RetentionRunResult = {
      deleted: { request_logs: 0, usage_events: 0 },
      batches: 0,
      interrupted: false,
      ms: 0,
    };
    if (targets.length === 0) {
      result.skipped = 'disabled';
    } else {
      const locked = await repository.withLock(async (session) => {
        for (const [table, cutoff] of targets) {
          if (runOptions.dryRun) {
            result.deleted[table] = await session.countOlderThan(table, cutoff);
            continue;
          }
          for (;;) {
            if (stopped) {
              result.interrupted = true;
              return;
            }
            const count = await session.deleteBatch(table, cutoff, policy.batchSize);
            result.batches += 1;
            result.deleted[table] += count;
            if (count < policy.batchSize) break;
            if (pauseMs > 0) await pause(pauseMs);
          }
        }
      });
      if (!locked.acquired) result.skipped = 'locked';
    }
    result.ms = Date.now() - started;
    logger.info(
      {
        requestLogs: result.deleted.request_logs,
        usageEvents: result.deleted.usage_events,
        batches: result.batches,
        requestLogDays: policy.requestLogDays,
        usageEventDays: policy.usageEventDays,
        ms: result.ms,
        ...(result.skipped ? { skipped: result.skipped } : {}),
        ...(result.interrupted ? { interrupted: true } : {}),
        ...(runOptions.dryRun ? { dryRun: true } : {}),
      },
      runOptions.dryRun ? 'retention dry run' : 'retention run',
    );
    return result;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = runOnce()
        .catch((error: unknown) => logger.error({ err: error }, 'retention run failed'))
        .finally(() => {
          running = undefined;
          schedule(intervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    runOnce,
    start() {
      if (timer || running) return;
      stopped = false;
      schedule(options.firstRunDelayMs ?? 10_000);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      wakePause?.();
      await running;
    },
  };
}
