// Fault: Postgres (a private cluster, never the system one) restarted under steady load: a fast shutdown (what
// `docker stop` sends: clients are cut, open transactions roll back), down for a moment (2 s; 20 s under SOAK=1),
// then back on the same port and data. The usage and request-log jobs that could not be written wait in Redis and
// are retried by BullMQ (exponential backoff, 25 attempts) until Postgres answers again; the workers must survive
// their pools' broken connections. The clients see nothing of it: keys, limits and prices read before the outage are
// reused while Postgres does not answer (DB_OUTAGE_GRACE_MS, 5 minutes by default), so every request is served, and
// each has exactly one usage row and one request-log row afterwards.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import { processOf, reportResult, runTag, SOAK, sleep, startFaultStack } from './support/fault-stack.js';
import { now, startLoad } from './support/load.js';
import { sampleRss } from './support/memory.js';
import { type PrivatePostgres, postgresBinDir, startPrivatePostgres } from './support/private-postgres.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';

const DOWN_MS = SOAK ? 20_000 : 2_000;
/** The server binaries are needed for a private cluster; without them the scenario is skipped. */
const HAVE_POSTGRES = postgresBinDir() !== null;

let pg: PrivatePostgres;
let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  if (!HAVE_POSTGRES) return;
  pg = await startPrivatePostgres('pgrestart');
  stack = await startFaultStack({
    label: 'fpostgres',
    sim: { ttftMs: 10, tokensPerSecond: 200 },
    databaseServerUrl: pg.url,
  });
  ({ key: apiKey } = await stack.createKey());
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await pg?.destroy();
});

describe.skipIf(!HAVE_POSTGRES)('fault: Postgres restarted mid-load', () => {
  it('the jobs wait and are retried: every request has exactly one usage and one request-log row', {
    timeout: 180_000,
  }, async () => {
    const tag = runTag('postgres');
    const rss = sampleRss({
      gateway: () => processOf(stack, 'gateway').child.pid,
      'billing-worker': () => processOf(stack, 'billing-worker').child.pid,
    });
    const load = startLoad({
      baseUrl: stack.apiUrl,
      apiKey,
      rps: 15,
      tag,
      mix: ['chat', 'stream', 'anthropic-stream', 'ollama-stream'],
    });
    await sleep(2_000);

    const downAt = now();
    await pg.stop();
    await sleep(DOWN_MS);
    await pg.start();
    const upAt = now();
    // Keep the load going while the workers reconnect and catch up.
    await sleep(3_000);
    const outcomes = await load.stop();

    const reconcileFrom = now();
    const r = await reconcile(stack.db, tag, outcomes, { timeoutMs: 120_000 });
    const memory = rss.stop();

    const refused = outcomes.filter((o) => o.result !== 'ok');
    expect(
      refused.map((o) => `${o.n} ${o.kind} ${o.result} ${o.httpStatus ?? ''} ${o.error ?? ''}`),
      'every request served while Postgres was down (DB_OUTAGE_GRACE_MS)',
    ).toEqual([]);
    expectReconciled(r, stack);
    await expectRollupsMatchLedger(stack.db);
    // The logger's queue went through the same outage: one request-log row per usage row.
    const { rows: logs } = await sql<{ logged: string; unlogged: string }>`
      SELECT count(l.request_id)::text AS logged, count(*) FILTER (WHERE l.request_id IS NULL)::text AS unlogged
      FROM usage_events u LEFT JOIN request_logs l ON l.request_id = u.request_id
      WHERE u.user_agent LIKE ${`${tag}/%`}`.execute(stack.db);
    expect(logs[0]).toEqual({ logged: String(r.rows), unlogged: '0' });
    for (const name of ['gateway', 'billing-worker', 'logger'])
      expect(processOf(stack, name).exited, `${name} survived`).toBeNull();

    reportResult('postgres-restart', {
      sent: r.sent,
      rows: r.rows,
      requestLogRows: Number(logs[0]!.logged),
      missing: r.missing.length,
      doubled: r.doubled.length,
      refusedWhileDown: refused.length,
      postgresDownMs: Math.round(upAt - downAt),
      // From Postgres's return until the last row was in the ledger (BullMQ's backoff decides most of it).
      recoveryMs: Math.round(reconcileFrom + r.waitedMs - upAt),
      gatewayMaxRssMiB: Math.round(memory.gateway!.max),
      workerMaxRssMiB: Math.round(memory['billing-worker']!.max),
    });
  });
});
