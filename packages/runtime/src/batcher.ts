export interface BatcherOptions {
  /** A batch is written as soon as it holds this many items. */
  maxBatch: number;
  /** …or this long after its first item arrived, whichever comes first. */
  maxWaitMs: number;
}

export interface Batcher<I, R> {
  /** Queues `item`; settles with its own result once the batch holding it has been written. */
  add(item: I): Promise<R>;
  /** Writes whatever is pending now and waits for every batch in flight. */
  flush(): Promise<void>;
}

/**
 * Collects items from concurrent callers (e.g. the BullMQ jobs in progress) and writes them together. `write` gets a
 * batch and returns one settled result per item, in order, so each caller can succeed or fail on its own; if `write`
 * itself rejects, every item of the batch fails with that error.
 */
export function createBatcher<I, R>(
  write: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
  options: BatcherOptions,
): Batcher<I, R> {
  type Pending = { item: I; resolve: (result: R) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  const inFlight = new Set<Promise<void>>();

  const writeBatch = (batch: Pending[]): Promise<void> => {
    const done = write(batch.map((p) => p.item))
      .then(
        (results) => {
          for (const [i, p] of batch.entries()) {
            const result = results[i];
            if (result?.status === 'fulfilled') p.resolve(result.value);
            else
              p.reject(
                result ? result.reason : new Error('the batch writer returned no result for this item'),
              );
          }
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      )
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
    return done;
  };

  const drain = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return Promise.resolve();
    const batch = pending;
    pending = [];
    return writeBatch(batch);
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= options.maxBatch) void drain();
        else if (!timer) timer = setTimeout(() => void drain(), options.maxWaitMs);
      });
    },
    async flush() {
      await drain();
      await Promise.all([...inFlight]);
    },
  };
}

/** Every value of a batch as a fulfilled result (for writers that succeed or fail as a whole). */
export const allFulfilled = <R>(values: R[]): PromiseSettledResult<R>[] =>
  values.map((value) => ({ status: 'fulfilled', value }));
