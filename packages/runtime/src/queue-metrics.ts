import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';

/** The job states a scrape reports (BullMQ's names; `prioritized` jobs wait too, in priority order). */
const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** How long a scrape waits for Redis before leaving the series out (a worker's connection queues commands forever). */
const COUNT_TIMEOUT_MS = 1000;

/**
 * `queue_jobs{queue,state}`: the jobs of a BullMQ queue by state, read from Redis at each scrape. A job is a batch of
 * up to 100 events (see EventBatch), so this is the backlog in jobs, not events; `billing_queue_lag_seconds` says
 * how late the events are. While Redis does not answer the series are absent, and the rest of /metrics is served.
 * Returns the Queue handle's close (it shares the caller's connection, which it does not close).
 */
export function registerQueueJobsGauge(
  registry: Registry,
  options: { queue: string; connection: Redis; prefix: string },
): () => Promise<void> {
  const queue = new Queue(options.queue, { connection: options.connection, prefix: options.prefix });
  new Gauge({
    name: 'queue_jobs',
    help: 'Jobs in the BullMQ queue by state (waiting, prioritized, active, delayed, failed); each job holds up to 100 events.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), COUNT_TIMEOUT_MS);
      });
      const counts = await Promise.race([queue.getJobCounts(...STATES).catch(() => null), timeout]);
      clearTimeout(timer);
      if (!counts) return;
      for (const state of STATES) this.set({ queue: options.queue, state }, counts[state] ?? 0);
    },
  });
  return () => queue.close();
}
