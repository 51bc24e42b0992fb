import type pg from 'pg';
import type { SeedEnv } from './env.js';
import { formatCount, formatDuration } from './progress.js';
import type { SeedOptions, SeedResult } from './seed.service.js';

/** The closing report: what was written, how fast, and how to look at it. Figures are read back from the database. */
export async function summaryLines(
  db: Pick<pg.ClientBase, 'query'>,
  options: SeedOptions,
  result: SeedResult,
  env: SeedEnv,
): Promise<string[]> {
  const lines: string[] = [];
  const { plan, seconds } = result;
  if (!plan) return lines;
  const ids = plan.customers.map((c) => c.id);
  const { rows } = await db.query<{
    requests: string | null;
    errors: string | null;
    billed: string | null;
    reference: string | null;
    electricity: string | null;
    hourly: string;
    model: string;
    model_daily: string;
    daily: string;
    spend: string;
  }>(
    `SELECT sum(requests) AS requests, sum(errors) AS errors, sum(total_cost)::numeric(20, 2) AS billed,
       sum(reference_cost)::numeric(20, 2) AS reference, sum(electricity_cost)::numeric(20, 2) AS electricity,
       count(*) AS hourly,
       (SELECT count(*) FROM model_hourly) AS model,
       (SELECT count(*) FROM model_daily) AS model_daily,
       (SELECT count(*) FROM key_daily WHERE customer_id = ANY($1::uuid[])) AS daily,
       (SELECT count(*) FROM customer_spend WHERE customer_id = ANY($1::uuid[])) AS spend
     FROM usage_hourly WHERE customer_id = ANY($1::uuid[])`,
    [ids],
  );
  const r = rows[0]!;
  const requests = Number(r.requests ?? 0);
  const rate = seconds.events > 0 ? options.events / seconds.events : 0;
  const end = new Date(options.until);
  const fmt = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  lines.push(
    '',
    `Seeded ${plan.customers.length} customers with ${plan.keys.length} API keys, ${formatCount(options.events)} usage events and ${formatCount(options.logs)} request logs in ${formatDuration(seconds.total)}.`,
    `  speed      events ${formatDuration(seconds.events)} (${formatCount(rate)}/s), logs ${formatDuration(seconds.logs)}, rollups ${formatDuration(seconds.rollups)}; ${result.jobs} connection(s)`,
    `  range      ${fmt(plan.start)} → ${fmt(end)} (${options.days} days; daily rhythm and billing months in ${options.timeZone})`,
    `  traffic    ${formatCount(requests)} requests, ${(requests ? (100 * Number(r.errors)) / requests : 0).toFixed(2)} % errors; billed ${r.billed ?? '0'} ${options.currency}, electricity ${r.electricity ?? '0'}, at reference prices ${r.reference ?? '0'}`,
    `  rollups    usage_hourly ${formatCount(Number(r.hourly))}, model_hourly ${formatCount(Number(r.model))}, model_daily ${formatCount(Number(r.model_daily))}, key_daily ${formatCount(Number(r.daily))}, customer_spend ${formatCount(Number(r.spend))} rows (rebuilt from the ledger)`,
    `  prices     ${result.pricesAdded.length > 0 ? `added defaults for ${result.pricesAdded.join(', ')}` : 'every seed model already had a price: kept'}`,
    '',
    `Dashboard: start the stack (make up, or make demo), open http://${env.DASHBOARD_HOST}:${env.DASHBOARD_PORT} and sign in with ADMIN_TOKEN from .env (or DASHBOARD_PASSWORD).`,
    'Seeded customers have e-mails under seed.example and their keys end in "(seed)"; the keys cannot call the gateway.',
    'Remove the seed data: npm run seed -- --reset --events 0',
  );
  return lines;
}
