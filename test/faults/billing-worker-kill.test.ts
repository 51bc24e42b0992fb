// Fault: the billing worker killed with SIGKILL while it holds jobs (a batch mid-write), then restarted, under steady
// load. The jobs it held are taken back by BullMQ's stalled-job check once their locks lapse (QUEUE_LOCK_MS: 30 s by
// default, 3 s here so the test is quick; make soak keeps the default), and
// written again: the ledger's unique request_id makes the second write a no-op, so each request still has exactly
// one row and the rollups count it once.
import { QUEUE_NAMES } from '@ollama-gateway/contracts';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import {
  exited,
  processOf,
  reportResult,
  runTag,
  SOAK,
  sleep,
  startFaultStack,
} from './support/fault-stack.js';
import { now, startLoad } from './support/load.js';
import { sampleRss } from './support/memory.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';

let stack: Stack;
let apiKey: string;
let redis: Redis;

beforeAll(async () => {
  stack = await startFaultStack({
    label: 'fworkerkill',
    sim: { ttftMs: 10, tokensPerSecond: 200 },
    env: SOAK ? {} : { QUEUE_LOCK_MS: '3000' },
  });
  ({ key: apiKey } = await stack.createKey());
  redis = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await stack?.stop();
});

/** Jobs the usage queue holds as active (taken by a worker, not finished). */
const activeJobs = () => redis.llen(`${stack.env.QUEUE_PREFIX}:${QUEUE_NAMES.usage}:active`);

describe('fault: billing worker SIGKILLed mid-batch', () => {
  it('loses and doubles nothing: the jobs it held are retried after restart', {
    timeout: 120_000,
  }, async () => {
    const tag = runTag('worker-kill');
    const rss = sampleRss({ 'billing-worker': () => processOf(stack, 'billing-worker').child.pid });
    const load = startLoad({ baseUrl: stack.apiUrl, apiKey, rps: 25, tag, mix: ['chat', 'stream'] });
    await sleep(1_500);

    // Kill at a moment the worker holds jobs: poll the active list (a batch is in progress while it is non-empty).
    const worker = processOf(stack, 'billing-worker');
    let heldAtKill = 0;
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      heldAtKill = await activeJobs();
      if (heldAtKill > 0) break;
      await sleep(2);
    }
    worker.child.kill('SIGKILL');
    const killedAt = now();
    await exited(worker);
    expect(worker.exited?.signal).toBe('SIGKILL');

    await sleep(1_000);
    const restarted = await stack.restart('billing-worker');
    const restartedAt = now();
    await sleep(1_500);
    const outcomes = await load.stop();

    const reconcileFrom = now();
    const r = await reconcile(stack.db, tag, outcomes, { timeoutMs: 75_000 });
    const memory = rss.stop();
    expect(
      outcomes.filter((o) => o.result !== 'ok').map((o) => `${o.n} ${o.result} ${o.error ?? ''}`),
      'the gateway kept serving while the worker was down',
    ).toEqual([]);
    expectReconciled(r, stack);
    await expectRollupsMatchLedger(stack.db);
    expect(restarted.exited).toBeNull();
    // A job the killed worker held and had written (its rows came back as duplicates, or were in before the kill)
    // stays active until the stalled-job check hands it out again: wait for that, up to a few lock periods.
    let active = await activeJobs();
    for (let waited = 0; active > 0 && waited < 20_000; waited += 250) {
      await sleep(250);
      active = await activeJobs();
    }
    expect(active, 'no job left active').toBe(0);

    reportResult('billing-worker-sigkill', {
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      jobsHeldAtKill: heldAtKill,
      workerDownMs: Math.round(restartedAt - killedAt),
      // From the restart until the last row was in the ledger (the stalled jobs' locks had to lapse first).
      recoveryMs: Math.round(reconcileFrom + r.waitedMs - restartedAt),
      lastRowAfterLoadMs: r.waitedMs,
      workerMaxRssMiB: Math.round(memory['billing-worker']!.max),
    });
  });
});
