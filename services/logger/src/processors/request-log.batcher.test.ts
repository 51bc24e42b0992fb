import { describe, expect, it, vi } from 'vitest';
import type { RequestLogRecord } from '../repositories/request-logs.repository.js';
import { createRequestLogBatcher } from './request-log.batcher.js';

const record = (requestId: string): RequestLogRecord => ({
  requestId,
  occurredAt: '2026-01-01T00:00:00.000Z',
  customerId: null,
  apiKeyId: null,
  model: 'm',
  endpoint: '/v1/chat/completions',
  dialect: 'openai',
  status: 200,
  stream: false,
  durationMs: 1,
  requestBody: null,
  responseBody: null,
  error: null,
});

describe('request-log batcher', () => {
  it('writes a full batch with one insertBatch and gives each entry its result', async () => {
    const insertBatch = vi.fn(async (records: readonly RequestLogRecord[]) =>
      records.map((r) => r.requestId !== 'b'),
    );
    const insert = vi.fn(async () => true);
    const batcher = createRequestLogBatcher({ insert, insertBatch }, { maxBatch: 3, maxWaitMs: 1000 });
    const results = await Promise.all(['a', 'b', 'c'].map((id) => batcher.insert(record(id))));
    expect(results).toEqual([true, false, true]);
    expect(insertBatch).toHaveBeenCalledTimes(1);
    expect(insert).not.toHaveBeenCalled();
  });

  it('writes a partial batch after maxWaitMs, and on flush', async () => {
    const insertBatch = vi.fn(async (records: readonly RequestLogRecord[]) => records.map(() => true));
    const batcher = createRequestLogBatcher(
      { insert: async () => true, insertBatch },
      { maxBatch: 10, maxWaitMs: 5 },
    );
    await expect(Promise.all([batcher.insert(record('a')), batcher.insert(record('b'))])).resolves.toEqual([
      true,
      true,
    ]);
    const pending = batcher.insert(record('c'));
    await batcher.flush();
    await expect(pending).resolves.toBe(true);
  });

  it('falls back to one insert per entry when the batch fails, so only the bad entry fails', async () => {
    const insertBatch = vi.fn(async () => {
      throw new Error('batch failed');
    });
    const insert = vi.fn(async (r: RequestLogRecord) => {
      if (r.requestId === 'bad') throw new Error('bad row');
      return true;
    });
    const batcher = createRequestLogBatcher({ insert, insertBatch }, { maxBatch: 2, maxWaitMs: 1000 });
    const [good, bad] = await Promise.allSettled([
      batcher.insert(record('ok')),
      batcher.insert(record('bad')),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: true });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'bad row' } });
    expect(insert).toHaveBeenCalledTimes(2);
  });
});
