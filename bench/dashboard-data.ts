// The dashboard benchmark's database: ogw_bench_dashboard with 10,000,000 usage events and 1,000,000 request logs
// written by the seed tool (tools/seed), then VACUUM ANALYZE. Prepared once and reused while it still holds exactly
// that (seed 42, same counts); `--fresh` drops and rebuilds it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDatabase, migrate } from '@ollama-gateway/db';
import pg from 'pg';
import { ROOT } from '../test/support/stack.js';

export interface BenchData {
  url: string;
  name: string;
  events: number;
  logs: number;
  /** The newest and oldest ledger rows. */
  from: Date;
  to: Date;
  databaseSize: string;
  /** Seconds the seed took (null when an existing database was reused). */
  seedSeconds: number | null;
  seedEventsPerSecond: number | null;
}

export interface DataOptions {
  serverUrl: string;
  name: string;
  events: number;
  logs: number;
  fresh: boolean;
  log: (line: string) => void;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-dashboard' });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Whether the database exists and holds the seeded data set this benchmark expects. */
async function holdsDataSet(url: string, events: number, logs: number): Promise<boolean> {
  try {
    return await withClient(url, async (client) => {
      const { rows } = await client.query<{ events: string; logs: string; customers: string }>(
        `SELECT (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM request_logs) AS logs,
           (SELECT count(*) FROM customers WHERE email LIKE '%@%.seed.example') AS customers`,
      );
      const row = rows[0]!;
      return Number(row.events) === events && Number(row.logs) === logs && Number(row.customers) > 0;
    });
  } catch {
    return false;
  }
}

function runSeed(url: string, events: number, logs: number, log: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'tools/seed/dist/main.js'),
        '--events',
        String(events),
        '--logs',
        String(logs),
        '--seed',
        '42',
        '--database-url',
        url,
      ],
      { cwd: ROOT, env: { ...process.env, ENV_FILE: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const relay = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`    ${line}`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`seed exited with code ${code}`)),
    );
  });
}

export async function prepareBenchData(options: DataOptions): Promise<BenchData> {
  const url = databaseUrl(options.serverUrl, options.name);
  const admin = databaseUrl(options.serverUrl, 'postgres');
  let seedSeconds: number | null = null;
  let seedEventsPerSecond: number | null = null;
  if (options.fresh || !(await holdsDataSet(url, options.events, options.logs))) {
    options.log(
      `Preparing ${options.name}: ${options.events.toLocaleString('en-US')} events and ${options.logs.toLocaleString('en-US')} request logs (once; --fresh rebuilds it)`,
    );
    await withClient(admin, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${options.name}" WITH (FORCE)`),
    );
    await ensureDatabase(url);
    await migrate(url);
    const started = performance.now();
    const output = await runSeed(url, options.events, options.logs, options.log);
    seedSeconds = (performance.now() - started) / 1000;
    const rate = /events [^(]*\(([\d,]+)\/s\)/.exec(output)?.[1];
    seedEventsPerSecond = rate ? Number(rate.replaceAll(',', '')) : null;
    options.log('VACUUM ANALYZE');
    await withClient(url, (client) => client.query('VACUUM (ANALYZE)'));
  } else {
    options.log(`Reusing ${options.name} (it holds the expected data set; --fresh rebuilds it)`);
  }
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ from: Date; to: Date; size: string }>(
      `SELECT min(occurred_at) AS from, max(occurred_at) AS to, pg_size_pretty(pg_database_size(current_database())) AS size
       FROM usage_events`,
    );
    const row = rows[0]!;
    return {
      url,
      name: options.name,
      events: options.events,
      logs: options.logs,
      from: row.from,
      to: row.to,
      databaseSize: row.size,
      seedSeconds,
      seedEventsPerSecond,
    };
  });
}
