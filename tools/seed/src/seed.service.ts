import { billingPeriod } from '@ollama-gateway/pricing';
import pg from 'pg';
import { DEFAULT_KWH_PRICE } from './catalog/models.catalog.js';
import { buildComboTables } from './combos.js';
import { buildPlan, type SeedPlan } from './plan.js';
import { createProgress, formatCount, formatDuration } from './progress.js';
import { type ResetResult, resetSeedData } from './reset.repository.js';
import {
  assertSchema,
  defaultReferencePrice,
  ensureDefaultPrices,
  flushGinPendingLists,
  insertCustomersAndKeys,
  rebuildModelDailyNow,
  resolveSeedPrices,
  seedCustomerIds,
  setBudgets,
  updateLastUsed,
} from './seed.repository.js';
import { type GeneratorConstants, insertEventsSql } from './sql/generator.sql.js';
import { insertLogsSql } from './sql/logs.sql.js';
import {
  customerSpendSql,
  keyDailySql,
  modelHourlySql,
  SLICE_FILTER,
  usageHourlySql,
} from './sql/rollups.sql.js';
import { type Statement, setupStatements } from './sql/setup.sql.js';
import { chunks, createWorkerPool } from './worker-pool.js';

export interface SeedOptions {
  databaseUrl: string;
  events: number;
  logs: number;
  days: number;
  customers: number;
  reset: boolean;
  seed: number;
  /** End of the seeded range (exclusive). */
  until: Date;
  /** Billing time zone: customer_spend periods and the daily rhythm. */
  timeZone: string;
  currency: string;
  /** Connections generating rows side by side. */
  jobs: number;
  /** Events per INSERT statement (request logs: a fifth of it). */
  chunkSize: number;
}

export interface SeedResult {
  plan: SeedPlan | null;
  removed: ResetResult | null;
  pricesAdded: string[];
  /** Connections actually used. */
  jobs: number;
  seconds: { total: number; events: number; logs: number; rollups: number };
}

/** Share of log prompts that get a rare sentence (each of the 20 then lands in ~1 of 30,000 rows). */
const RARE_RATE = 20 / 30_000;
/** Ledger rows per rollup slice at most (slices cover disjoint hours and run side by side). */
const ROLLUP_SLICE_EVENTS = 1_000_000;
/** Events per statement from which compiling the generator's expressions (JIT) pays off. */
const JIT_MIN_CHUNK = 100_000;
/** Rows per statement at least (smaller ones cost more in round trips than they save). */
const MIN_CHUNK = 1000;
/** Chunks per connection at least, so every connection has work until near the end. */
const CHUNKS_PER_JOB = 4;

/**
 * Seeds (or, with reset, first removes) demo data: customers and keys, default prices where missing, usage events
 * and request logs generated in Postgres chunk by chunk on `jobs` connections, then the rollups rebuilt from the
 * ledger, keys' last use and budgets. Progress lines go to `write`.
 */
export async function runSeed(options: SeedOptions, write: (line: string) => void): Promise<SeedResult> {
  const started = performance.now();
  const admin = new pg.Client({ connectionString: options.databaseUrl, application_name: 'ogw-seed' });
  await admin.connect();
  try {
    await assertSchema(admin);
    const existing = await seedCustomerIds(admin);
    let removed: SeedResult['removed'] = null;
    if (options.reset) {
      const t = performance.now();
      removed = await resetSeedData(admin, existing);
      write(
        removed.customers === 0
          ? 'No seed data to remove.'
          : `Removed ${removed.customers} seeded customers, ${formatCount(removed.events)} events and ${formatCount(removed.logs)} request logs${removed.truncated ? ' (the tables held only seed data: truncated)' : ''} in ${formatDuration((performance.now() - t) / 1000)}.`,
      );
    } else if (existing.length > 0) {
      throw new Error(
        `This database already holds seed data (${existing.length} seeded customers). Add --reset to replace it.`,
      );
    }
    const seconds = { total: 0, events: 0, logs: 0, rollups: 0 };
    if (options.events === 0 && options.reset) {
      seconds.total = (performance.now() - started) / 1000;
      return { plan: null, removed, pricesAdded: [], jobs: 0, seconds };
    }

    const plan = buildPlan(options);
    await insertCustomersAndKeys(admin, plan);
    const pricesAdded = await ensureDefaultPrices(admin);
    const prices = await resolveSeedPrices(admin, plan);
    const reference = await defaultReferencePrice(admin);
    const constants: GeneratorConstants = {
      seed: options.seed,
      referenceInputPerMillion: reference.inputPerMillion,
      referenceOutputPerMillion: reference.outputPerMillion,
      kwhPrice: DEFAULT_KWH_PRICE,
      currency: options.currency,
    };
    const jobs = Math.max(1, Math.min(options.jobs, Math.ceil(options.events / MIN_CHUNK)));
    const eventChunk = chunkSize(options.events, options.chunkSize, jobs);
    const setup: Statement[] = [
      ...setupStatements(plan, buildComboTables(plan, prices), eventChunk >= JIT_MIN_CHUNK),
      // The rows reference customers, keys and prices this run just wrote or read: skip the per-row foreign-key
      // checks when allowed (superuser): three index probes per row saved. Without the privilege they simply run.
      {
        sql: `DO $$ BEGIN SET session_replication_role = replica; EXCEPTION WHEN insufficient_privilege THEN NULL; END $$`,
        params: [],
      },
    ];
    const pool = await createWorkerPool(options.databaseUrl, jobs, setup);
    try {
      const events = createProgress('events', options.events, write);
      await pool.run(
        chunks(options.events, eventChunk),
        async (client, chunk) => {
          await client.query(insertEventsSql(chunk.from, chunk.to, constants));
        },
        (chunk) => events.add(chunk.to - chunk.from),
      );
      seconds.events = events.elapsedSeconds();

      if (options.logs > 0) {
        const logs = createProgress('logs', options.logs, write);
        const texts = {
          textsPerProfile: plan.textsPerProfile,
          rareCount: plan.rareSentences.length,
          rareRate: RARE_RATE,
        };
        await pool.run(
          chunks(options.logs, chunkSize(options.logs, Math.floor(options.chunkSize / 5), jobs)),
          async (client, chunk) => {
            await client.query(
              insertLogsSql(chunk.from, chunk.to, options.events, options.logs, constants, texts),
            );
          },
          (chunk) => logs.add(chunk.to - chunk.from),
        );
        await flushGinPendingLists(admin);
        seconds.logs = logs.elapsedSeconds();
      }

      const ids = plan.customers.map((c) => c.id);
      const slices = rollupSlices(plan, chunkSize(options.events, ROLLUP_SLICE_EVENTS, jobs));
      const rollups = createProgress('rollups', options.events, write);
      await pool.run(
        slices,
        async (client, slice) => {
          const range = [ids, slice.from, slice.to];
          await client.query('BEGIN');
          try {
            await client.query(usageHourlySql(SLICE_FILTER), range);
            await client.query(modelHourlySql(SLICE_FILTER), range);
            await client.query(keyDailySql(SLICE_FILTER), range);
            await client.query(customerSpendSql(SLICE_FILTER), [...range, options.timeZone]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        },
        (slice) => rollups.add(slice.events),
      );
      if (slices.length > 0) await rebuildModelDailyNow(admin, slices[0]!.from, slices.at(-1)!.to);
      seconds.rollups = rollups.elapsedSeconds();
    } finally {
      await pool.close();
    }

    await updateLastUsed(
      admin,
      plan.keys.map((k) => k.id),
    );
    await setBudgets(admin, plan, billingPeriod(new Date(options.until.getTime() - 1), options.timeZone));
    await admin.query(
      'ANALYZE customers, api_keys, usage_events, request_logs, usage_hourly, model_hourly, model_daily, key_daily, customer_spend',
    );
    seconds.total = (performance.now() - started) / 1000;
    return { plan, removed, pricesAdded, jobs, seconds };
  } finally {
    await admin.end();
  }
}

/** At most `max` rows per chunk, and small enough that each of `jobs` connections gets several chunks. */
function chunkSize(total: number, max: number, jobs: number): number {
  return Math.max(MIN_CHUNK, Math.min(max, Math.ceil(total / (jobs * CHUNKS_PER_JOB))));
}

/** Time slices on hour boundaries with about `target` events each, covering every seeded hour. */
export function rollupSlices(plan: SeedPlan, target: number): { from: Date; to: Date; events: number }[] {
  const slices: { from: Date; to: Date; events: number }[] = [];
  let from: Date | null = null;
  let events = 0;
  for (const hour of plan.hours) {
    from ??= hour.start;
    events += hour.count;
    if (events >= target) {
      const to = new Date(hour.start.getTime() + 3_600_000);
      slices.push({ from, to, events });
      from = null;
      events = 0;
    }
  }
  const last = plan.hours.at(-1);
  if (from && last) slices.push({ from, to: new Date(last.start.getTime() + 3_600_000), events });
  return slices;
}
