// Fault: Redis (a private redis-server with appendonly, as in docker-compose) restarted and then stopped for a while
// under steady load. Redis holds the queues, the limit counters and the pub/sub channels, but the gateway must keep
// answering without it: usage events go to the local spool (SPOOL_DIR) and are replayed when Redis returns, rate
// limits fail open and budgets fail closed (503 limits_unavailable), as docs/billing.md says. Ends with the exact
// reconciliation: every answered request, including those served while Redis was down, has exactly one row.
// The outage is 5 s here and 30 s under SOAK=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import { processOf, reportResult, runTag, SOAK, sleep, startFaultStack } from './support/fault-stack.js';
import { now, type Outcome, sendOne, startLoad } from './support/load.js';
import { sampleRss } from './support/memory.js';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';

const OUTAGE_MS = SOAK ? 30_000 : 5_000;

let redis: PrivateRedis;
let stack: Stack;
let apiKey: string;
let budgetKey: string;
let rpmKey: string;

beforeAll(async () => {
  redis = await startPrivateRedis('redisrestart');
  stack = await startFaultStack({
    label: 'fredis',
    sim: { ttftMs: 10, tokensPerSecond: 200 },
    // Jobs a worker held when Redis went away are taken back once their locks lapse: 3 s here, 30 s under soak.
    env: { REDIS_URL: redis.url, ...(SOAK ? {} : { QUEUE_LOCK_MS: '3000' }) },
  });
  ({ key: apiKey } = await stack.createKey());
  ({ key: budgetKey } = await stack.createKey({ budget: 100 }));
  const { customerId } = await stack.createKey();
  ({ key: rpmKey } = await stack.gatewayctl<{ key: string }>([
    'generate-key',
    customerId,
    '--name',
    'rpm1',
    '--rpm',
    '1',
  ]));
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await redis?.destroy();
});

/** gateway_spool_events from the gateway's /metrics (events waiting in its spool file). */
async function spoolEvents(): Promise<number> {
  const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
  const match = /^gateway_spool_events(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/m.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

describe('fault: Redis restarted, then stopped, mid-load', () => {
  it('keeps serving, spools usage while Redis is down and replays it: nothing lost or doubled', {
    timeout: 180_000,
  }, async () => {
    const tag = runTag('redis');
    const gateway = processOf(stack, 'gateway');
    const rss = sampleRss({ gateway: () => gateway.child.pid });
    const load = startLoad({
      baseUrl: stack.apiUrl,
      apiKey,
      rps: 15,
      tag,
      mix: ['chat', 'stream', 'anthropic-stream', 'ollama-stream'],
    });
    await sleep(1_500);

    // 1. A restart: a clean shutdown (the append-only file is flushed) and straight back up.
    const restartBegan = now();
    await redis.stop();
    await redis.start();
    const restartMs = now() - restartBegan;
    await sleep(2_000);

    // 2. An outage: stopped for OUTAGE_MS, with the limits probed meanwhile.
    await redis.stop();
    const downAt = now();
    await sleep(1_000);
    const probes: Outcome[] = [];
    const probe = async (key: string, n: number) =>
      probes.push(await sendOne({ baseUrl: stack.apiUrl, apiKey: key, tag }, 'chat', n));
    // A key limited to 1 request a minute gets all three: rate limits fail open without Redis.
    for (let i = 0; i < 3; i += 1) await probe(rpmKey, 1_000_000 + i);
    // A customer with a budget is refused: serving it could overspend (fail closed).
    await probe(budgetKey, 1_000_010);
    let spooledDuringOutage = 0;
    while (now() - downAt < OUTAGE_MS) {
      spooledDuringOutage = Math.max(spooledDuringOutage, await spoolEvents());
      await sleep(250);
    }

    // 3. Back: the spool drains once the gateway's connection is ready again.
    await redis.start();
    const upAt = now();
    let spoolDrainedAt: number | null = null;
    while (now() - upAt < 30_000) {
      if ((await spoolEvents()) === 0) {
        spoolDrainedAt = now();
        break;
      }
      await sleep(100);
    }
    await sleep(2_000);
    const outcomes = await load.stop();

    const reconcileFrom = now();
    const r = await reconcile(stack.db, tag, [...outcomes, ...probes], { timeoutMs: 90_000 });
    const memory = rss.stop();

    expect(
      outcomes.filter((o) => o.result !== 'ok').map((o) => `${o.n} ${o.kind} ${o.result} ${o.error ?? ''}`),
      'the gateway kept serving through the restart and the outage',
    ).toEqual([]);
    expect(
      probes.map((p) => p.httpStatus),
      'rpm 1 key: 3 × 200 (fail open); budget: 503',
    ).toEqual([200, 200, 200, 503]);
    // OpenAI sends code null for server errors; the ledger keeps the gateway's code.
    expect(probes[3]!.error).toContain('Budget and quota checks are unavailable');
    expect(spooledDuringOutage, 'events were spooled while Redis was down').toBeGreaterThan(0);
    expect(spoolDrainedAt, 'the spool drained after Redis returned').not.toBeNull();
    expectReconciled(r, stack);
    await expectRollupsMatchLedger(stack.db);
    const refused = await stack.db
      .selectFrom('usage_events')
      .select('error_code')
      .where('request_id', '=', probes[3]!.requestId!)
      .executeTakeFirstOrThrow();
    expect(refused.error_code).toBe('limits_unavailable');
    const servedWhileDown = outcomes.filter((o) => o.sentAt >= downAt && o.endedAt < upAt).length;
    expect(servedWhileDown).toBeGreaterThan(0);

    reportResult('redis-restart-and-outage', {
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      redisRestartMs: Math.round(restartMs),
      outageMs: Math.round(upAt - downAt),
      servedWhileDown,
      spooledEventsMax: spooledDuringOutage,
      spoolDrainedMs: spoolDrainedAt === null ? null : Math.round(spoolDrainedAt - upAt),
      // From Redis's return until the last row was in the ledger.
      recoveryMs: Math.round(reconcileFrom + r.waitedMs - upAt),
      gatewayMaxRssMiB: Math.round(memory.gateway!.max),
    });
  });
});
