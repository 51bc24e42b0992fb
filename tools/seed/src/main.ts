#!/usr/bin/env node
// `npm run seed -- --events 10000000`: realistic demo data. Usage errors exit 2, anything else 1.
import { CommanderError } from 'commander';
import pg from 'pg';
import { buildProgram, UsageError } from './cli.js';
import { loadSeedEnv, type SeedEnv } from './env.js';
import { formatCount } from './progress.js';
import { runSeed, type SeedOptions } from './seed.service.js';
import { summaryLines } from './summary.js';

const write = (line: string) => process.stdout.write(`${line}\n`);

/** The database's name and host, never its password. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.pathname.slice(1))} on ${u.host}`;
  } catch {
    return 'the database';
  }
}

async function seed(env: SeedEnv, options: SeedOptions): Promise<void> {
  write(
    `Seeding ${where(options.databaseUrl)} (seed ${options.seed}): ${options.customers} customers, ${formatCount(options.events)} events, ${formatCount(options.logs)} request logs over ${options.days} days${options.reset ? ', after removing earlier seed data' : ''}.`,
  );
  const result = await runSeed(options, write);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    for (const line of await summaryLines(client, options, result, env)) write(line);
  } finally {
    await client.end();
  }
}

try {
  const env = loadSeedEnv();
  await buildProgram(env, (options) => seed(env, options)).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
