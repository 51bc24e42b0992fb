import { isEventBatch } from '@ollama-gateway/contracts';
import type { Queue } from 'bullmq';

/**
 * Waits for the event of `requestId` to be in `queue`: a job of its own (job id = request id) or one event of a batch
 * job (`{ events }`). For tests: a batch is found by scanning the queue's jobs, fine at test sizes.
 */
export async function waitForQueuedEvent<T>(queue: Queue, requestId: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await queue.getJob(requestId);
    if (job) return job.data as T;
    for (const candidate of await queue.getJobs([
      'waiting',
      'prioritized',
      'delayed',
      'active',
      'completed',
    ])) {
      if (!candidate || !isEventBatch(candidate.data)) continue;
      const event = candidate.data.events.find((e) => (e as { requestId?: unknown }).requestId === requestId);
      if (event) return event as T;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no event for request ${requestId} in queue ${queue.name} after ${timeoutMs} ms`);
}
