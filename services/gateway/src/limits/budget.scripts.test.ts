import { AppError, createRedis } from '@ollama-gateway/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNTER_ADJUST, runScript } from './budget.scripts.js';

describe('budget and quota scripts when Redis is down', () => {
  // Port 1: nothing listens there, and a producer connection fails at once instead of queueing the command.
  const redis = createRedis('redis://127.0.0.1:1', 'producer', 'budget-scripts-test');
  afterAll(() => redis.disconnect());

  it('fail closed with a 503 the client can retry, never an internal error', async () => {
    const error = await runScript(redis, COUNTER_ADJUST, ['test:budget:key'], ['0', '60']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'limits_unavailable', retryAfterSeconds: 5 });
  });
});
