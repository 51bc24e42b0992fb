import { createDb, type Db, sql } from '@ollama-gateway/db';
import { createTestDatabase, type TestDatabase } from '@ollama-gateway/db/testing';
import { createLogger } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRetentionRepository, RETENTION_LOCK_KEY } from '../repositories/retention.repository.js';
import { createRetentionService, type RetentionPolicy } from './retention.service.js';

const NOW = new Date('2026-03-31T12:00:00Z');
const DAY = 86_400_000;
const logger = createLogger('retention-int', 'silent');

let testDb: TestDatabase;
let db: Db;
let customerId: string;
let seq = 0;

function daysAgo(days: number): Date {
  return new Date(NOW.getTime() - days * DAY);
}

async function seed(table: 'request_logs' | 'usage_events', ages: number[]) {
  if (table === 'request_logs') {
    await db
      .insertInto('request_logs')
      .values(
        ages.map((age) => ({
          request_id: `rl-${++seq}`,
          occurred_at: daysAgo(age),
          model: 'llama3.1:8b',
          endpoint: '/v1/chat/completions',
          dialect: 'openai',
          status: 200,
          duration_ms: 10,
        })),
      )
      .execute();
  } else {
    await db
      .insertInto('usage_events')
      .values(
        ages.map((age) => ({
          request_id: `ue-${++seq}`,
          occurred_at: daysAgo(age),
          customer_id: customerId,
          model: 'llama3.1:8b',
          provider: 'ollama',
          endpoint: '/v1/chat/completions',
          dialect: 'openai',
          status: 200,
          stream: false,
          total_ms: 10,
        })),
      )
      .execute();
  }
}

async function count(table: 'request_logs' | 'usage_events' | 'usage_hourly' | 'customer_spend') {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n);
}

function service(policy: Partial<RetentionPolicy>, onDb: Db = db) {
  return createRetentionService({
    repository: createRetentionRepository(onDb),
    policy: { requestLogDays: 30, usageEventDays: 0, batchSize: 3, pauseMs: 1, ...policy },
    intervalMs: 60_000,
    logger,
    now: () => NOW,
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase('retention');
  db = testDb.db;
  customerId = (
    await db.insertInto('customers').values({ name: 'Retained' }).returning('id').executeTakeFirstOrThrow()
  ).id;
});

afterAll(async () => {
  await testDb?.drop();
});

beforeEach(async () => {
  await sql`TRUNCATE request_logs, usage_events, usage_hourly, customer_spend`.execute(db);
  // Rollups: old buckets and periods must survive every prune.
  await db
    .insertInto('usage_hourly')
    .values([
      { bucket: daysAgo(400), model: 'llama3.1:8b', provider: 'ollama', requests: 5 },
      { bucket: daysAgo(1), model: 'llama3.1:8b', provider: 'ollama', requests: 2 },
    ])
    .execute();
  await db
    .insertInto('customer_spend')
    .values([
      { customer_id: customerId, period: '2025-01-01', requests: 5, total_cost: '1.5' },
      { customer_id: customerId, period: '2026-03-01', requests: 2, total_cost: '0.5' },
    ])
    .execute();
});

describe('retention', () => {
  it('deletes rows older than the cut-off in several batches, keeping newer rows and the rollups', async () => {
    await seed('request_logs', [31, 40, 45, 60, 90, 120, 365, 400, 31, 500, 29, 10, 0]); // 10 old, 3 new
    await seed('usage_events', [35, 36, 37, 38, 1]);

    const result = await service({ requestLogDays: 30, usageEventDays: 30 }).runOnce();

    expect(result.skipped).toBeUndefined();
    expect(result.deleted).toEqual({ request_logs: 10, usage_events: 4 });
    // request_logs: 3 + 3 + 3 + 1; usage_events: 3 + 1.
    expect(result.batches).toBe(6);
    const left = await db.selectFrom('request_logs').select('occurred_at').execute();
    expect(left).toHaveLength(3);
    for (const row of left) expect(row.occurred_at.getTime()).toBeGreaterThanOrEqual(daysAgo(30).getTime());
    expect(await count('usage_events')).toBe(1);
    expect(await count('usage_hourly')).toBe(2);
    expect(await count('customer_spend')).toBe(2);
  });

  it('keeps usage_events (the ledger) by default and everything with 0 days', async () => {
    await seed('request_logs', [100, 200]);
    await seed('usage_events', [100, 200]);

    const byDefault = await service({ requestLogDays: 30 }).runOnce();
    expect(byDefault.deleted).toEqual({ request_logs: 2, usage_events: 0 });
    expect(await count('usage_events')).toBe(2);

    await seed('request_logs', [100, 200]);
    const keepAll = await service({ requestLogDays: 0, usageEventDays: 0 }).runOnce();
    expect(keepAll.skipped).toBe('disabled');
    expect(keepAll.batches).toBe(0);
    expect(await count('request_logs')).toBe(2);
    expect(await count('usage_events')).toBe(2);
    expect(await count('usage_hourly')).toBe(2);
    expect(await count('customer_spend')).toBe(2);
  });

  it('dry run counts without deleting', async () => {
    await seed('request_logs', [100, 200, 1]);
    const result = await service({}).runOnce({ dryRun: true });
    expect(result.deleted.request_logs).toBe(2);
    expect(await count('request_logs')).toBe(3);
  });

  it('skips the run while another session holds the advisory lock', async () => {
    await seed('request_logs', [100, 200]);
    const otherDb = createDb(testDb.url, { max: 1, applicationName: 'retention-other' });
    try {
      await otherDb.connection().execute(async (other) => {
        await sql`SELECT pg_advisory_lock(hashtext(${RETENTION_LOCK_KEY}))`.execute(other);
        const result = await service({}).runOnce();
        expect(result.skipped).toBe('locked');
        expect(await count('request_logs')).toBe(2);
        await sql`SELECT pg_advisory_unlock(hashtext(${RETENTION_LOCK_KEY}))`.execute(other);
      });
      expect((await service({}).runOnce()).deleted.request_logs).toBe(2);
    } finally {
      await otherDb.destroy();
    }
  });

  it('two concurrent runs (two replicas) do not both delete', async () => {
    await seed(
      'request_logs',
      Array.from({ length: 30 }, (_, i) => 31 + i),
    );
    const replicaDb = createDb(testDb.url, { max: 2, applicationName: 'retention-replica' });
    try {
      const [a, b] = await Promise.all([
        service({ batchSize: 2, pauseMs: 20 }).runOnce(),
        service({ batchSize: 2, pauseMs: 20 }, replicaDb).runOnce(),
      ]);
      const deleters = [a, b].filter((r) => r.deleted.request_logs > 0);
      expect(deleters).toHaveLength(1);
      expect([a, b].map((r) => r.skipped)).toContain('locked');
      expect(a.deleted.request_logs + b.deleted.request_logs).toBe(30);
      expect(await count('request_logs')).toBe(0);
    } finally {
      await replicaDb.destroy();
    }
  });

  it('stop() interrupts a run between batches and stops the interval', async () => {
    await seed(
      'request_logs',
      Array.from({ length: 20 }, (_, i) => 31 + i),
    );
    const svc = createRetentionService({
      repository: createRetentionRepository(db),
      policy: { requestLogDays: 30, usageEventDays: 0, batchSize: 2, pauseMs: 200 },
      intervalMs: 60_000,
      firstRunDelayMs: 0,
      logger,
      now: () => NOW,
    });
    svc.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await svc.stop();
    const left = await count('request_logs');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(20);
  });
});
