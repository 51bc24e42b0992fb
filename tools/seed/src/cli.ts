import { availableParallelism } from 'node:os';
import { isValidTimeZone } from '@ollama-gateway/db';
import { Command, InvalidArgumentError } from 'commander';
import { CATALOG_CUSTOMERS } from './catalog/customers.catalog.js';
import type { SeedEnv } from './env.js';
import type { SeedOptions } from './seed.service.js';

/** A bad combination of options, found after parsing (exit status 2, like commander's own usage errors). */
export class UsageError extends Error {
  override name = 'UsageError';
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value.replaceAll('_', ''));
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function instant(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected an ISO 8601 time');
  return date;
}

/** The seed's command line; `parse` resolves to the options (or throws CommanderError on a usage error). */
export function buildProgram(env: SeedEnv, onOptions: (options: SeedOptions) => Promise<void>): Command {
  return new Command('seed')
    .description(
      'Write realistic, deterministic demo data: customers, API keys, usage events (generated inside Postgres), ' +
        'request logs, and the rollups rebuilt from them. Seeded customers have e-mails under seed.example.',
    )
    .option('--events <n>', 'usage events to generate', integer(0, 1_000_000_000), 100_000)
    .option(
      '--logs <n>',
      'request logs (bodies) for a share of the events; default events / 10',
      integer(0, 1_000_000_000),
    )
    .option('--days <n>', 'days of history, ending now (or --until)', integer(1, 3650), 90)
    .option('--customers <n>', 'customers to create', integer(1, CATALOG_CUSTOMERS.length), 25)
    .option(
      '--seed <n>',
      'random seed: the same seed (and --until) gives the same data',
      integer(0, 2 ** 31 - 1),
      42,
    )
    .option('--reset', 'first remove previously seeded data (with --events 0: only remove)', false)
    .option('--until <time>', 'end of the seeded range (ISO 8601); default now', instant)
    .option('--database-url <url>', 'Postgres URL (default DATABASE_URL)')
    .option('--time-zone <zone>', 'billing time zone (default BILLING_TIME_ZONE)')
    .option(
      '--jobs <n>',
      'connections generating rows in parallel',
      integer(1, 32),
      Math.min(4, availableParallelism()),
    )
    .option('--chunk-size <n>', 'events per INSERT statement', integer(1000, 10_000_000), 500_000)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .action(async (raw: Record<string, unknown>) => {
      const events = raw.events as number;
      const logs = (raw.logs as number | undefined) ?? Math.floor(events / 10);
      if (logs > events) throw new UsageError(`--logs (${logs}) cannot exceed --events (${events})`);
      const timeZone = (raw.timeZone as string | undefined) ?? env.BILLING_TIME_ZONE;
      if (!isValidTimeZone(timeZone)) throw new UsageError(`unknown time zone "${timeZone}"`);
      const until = (raw.until as Date | undefined) ?? new Date(Math.floor(Date.now() / 60_000) * 60_000);
      await onOptions({
        databaseUrl: (raw.databaseUrl as string | undefined) ?? env.DATABASE_URL,
        events,
        logs,
        days: raw.days as number,
        customers: raw.customers as number,
        reset: raw.reset === true,
        seed: raw.seed as number,
        until,
        timeZone,
        currency: env.CURRENCY,
        jobs: raw.jobs as number,
        chunkSize: raw.chunkSize as number,
      });
    });
}
