import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';
import { QueueWaitExceededError } from './routing.errors.js';

const options = { maxConcurrent: 1, maxQueued: 100, maxWaitMs: 60_000, retryAfterSeconds: 5 };

/** Queues `count` requests of `key`; each pushes `key` to `served` when it gets the slot. */
function enqueue(queue: FairQueue, served: string[], key: string, count: number, priority = 0) {
  return Array.from({ length: count }, () =>
    queue.acquire(key, priority).then(() => {
      served.push(key);
    }),
  );
}

/** Releases the slot `times` times, letting each woken waiter run in between. */
async function serve(queue: FairQueue, times: number) {
  for (let i = 0; i < times; i += 1) {
    queue.release();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('fair queue', () => {
  it('takes a free slot at once and counts slots in use', () => {
    const queue = new FairQueue({ ...options, maxConcurrent: 2 });
    expect(queue.tryAcquire()).toBe(true);
    expect(queue.tryAcquire()).toBe(true);
    expect(queue.tryAcquire()).toBe(false);
    expect(queue.active).toBe(2);
    queue.release();
    expect(queue.active).toBe(1);
  });

  it('serves waiting keys round-robin: a flooding key and a quiet one take turns', async () => {
    const queue = new FairQueue(options);
    expect(queue.tryAcquire()).toBe(true);
    const served: string[] = [];
    const waiting = [...enqueue(queue, served, 'flood', 5), ...enqueue(queue, served, 'quiet', 2)];
    expect(queue.queued).toBe(7);
    await serve(queue, 7);
    await Promise.all(waiting);
    expect(served).toEqual(['flood', 'quiet', 'flood', 'quiet', 'flood', 'flood', 'flood']);
    expect(queue.queued).toBe(0);
    expect(queue.active).toBe(1);
  });

  it('estimates a joining request’s place: one turn per key, all of a higher priority first', async () => {
    const queue = new FairQueue(options);
    queue.tryAcquire();
    const served: string[] = [];
    const waiting = enqueue(queue, served, 'flood', 20);
    expect(queue.estimatePosition('quiet', 0)).toBe(2); // one flood request, then its turn
    waiting.push(...enqueue(queue, served, 'quiet', 1));
    expect(queue.estimatePosition('quiet', 0)).toBe(4); // flood, quiet, flood, then this one
    expect(queue.estimatePosition('flood', 0)).toBe(22);
    waiting.push(...enqueue(queue, served, 'vip', 3, 9));
    expect(queue.estimatePosition('quiet', 0)).toBe(7);
    expect(queue.estimatePosition('vip', 9)).toBe(4);
    queue.rejectAll(new Error('end'));
    await Promise.allSettled(waiting);
  });

  it('serves higher key priority first, round-robin within a priority', async () => {
    const queue = new FairQueue(options);
    queue.tryAcquire();
    const served: string[] = [];
    const waiting = [
      ...enqueue(queue, served, 'low', 2, 0),
      ...enqueue(queue, served, 'high-a', 2, 5),
      ...enqueue(queue, served, 'high-b', 1, 5),
    ];
    await serve(queue, 5);
    await Promise.all(waiting);
    expect(served).toEqual(['high-a', 'high-b', 'high-a', 'low', 'low']);
  });

  it('is bounded: one more than maxQueued is refused at once with 503 queue_full', async () => {
    const queue = new FairQueue({ ...options, maxQueued: 2 });
    queue.tryAcquire();
    const waiting = [queue.acquire('a', 0), queue.acquire('b', 0)];
    const refused = await queue.acquire('c', 0).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QueueWaitExceededError);
    expect(refused).toMatchObject({
      status: 503,
      code: 'queue_full',
      retryAfterSeconds: 5,
      trigger: 'queue_wait',
    });
    expect(queue.queued).toBe(2);
    await serve(queue, 2);
    await Promise.all(waiting);
  });

  it('refuses a waiter after maxWaitMs with 503 queue_wait_exceeded, and forgets it', async () => {
    const queue = new FairQueue({ ...options, maxWaitMs: 30 });
    queue.tryAcquire();
    const began = Date.now();
    const error = await queue.acquire('a', 0).catch((caught: unknown) => caught);
    expect(Date.now() - began).toBeGreaterThanOrEqual(25);
    expect(error).toBeInstanceOf(QueueWaitExceededError);
    expect(error).toMatchObject({ status: 503, code: 'queue_wait_exceeded' });
    expect(queue.queued).toBe(0);
    queue.release();
    expect(queue.active).toBe(0);
  });

  it('a waiter whose client went away leaves the line at once; the slot goes to the next', async () => {
    const queue = new FairQueue(options);
    queue.tryAcquire();
    const controller = new AbortController();
    const leaving = queue.acquire('a', 0, controller.signal).catch((error: unknown) => error);
    const served: string[] = [];
    const staying = enqueue(queue, served, 'b', 1);
    controller.abort();
    expect(queue.queued).toBe(1);
    expect(((await leaving) as Error).name).toBe('AbortError');
    await serve(queue, 1);
    await Promise.all(staying);
    expect(served).toEqual(['b']);
    // An already aborted signal never queues.
    await expect(queue.acquire('c', 0, controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(queue.queued).toBe(0);
  });

  it('a raised limit lets waiters in at once; a lowered one drains before admitting more', async () => {
    const queue = new FairQueue(options);
    queue.tryAcquire();
    const served: string[] = [];
    const waiting = enqueue(queue, served, 'a', 2);
    queue.configure({ ...options, maxConcurrent: 3 });
    await Promise.all(waiting);
    expect(queue.active).toBe(3);
    queue.configure({ ...options, maxConcurrent: 1 });
    queue.release();
    queue.release();
    expect(queue.tryAcquire()).toBe(false);
    queue.release();
    expect(queue.tryAcquire()).toBe(true);
  });

  it('rejectAll refuses every waiter (a host leaving the config)', async () => {
    const queue = new FairQueue(options);
    queue.tryAcquire();
    const waiting = [queue.acquire('a', 0), queue.acquire('b', 1)].map((p) =>
      p.catch((error: unknown) => error),
    );
    queue.rejectAll(new Error('gone'));
    expect((await Promise.all(waiting)).map((error) => (error as Error).message)).toEqual(['gone', 'gone']);
    expect(queue.queued).toBe(0);
  });
});
