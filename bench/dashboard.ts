// `make bench-dashboard`: the dashboard's read API against a large, realistic data set. Prepares (once) the database
// ogw_bench_dashboard with 10M usage events and 1M request logs via the seed tool, starts the built dashboard server
// on it, logs in, and times every panel over HTTP for the periods today / 7d / 30d / all, plus the request-log list
// and five searches of common and rare words. Prints one Markdown table (p50/p95 per panel against the goals: every
// overview panel p95 < 200 ms, log search p95 < 500 ms) and writes it to bench/results/dashboard-latest.md.
//
//   node --import tsx bench/dashboard.ts [--fresh]     BENCH_DASHBOARD_CALLS=30 BENCH_DASHBOARD_EVENTS=10000000
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../test/support/stack.js';
import { prepareBenchData } from './dashboard-data.js';
import { type DashboardServer, startDashboard } from './dashboard-server.js';
import { loadAverage } from './lib/proc.js';
import { fmt, fmtInt, percentile } from './lib/stats.js';

const CALLS = Number(process.env.BENCH_DASHBOARD_CALLS ?? 30);
const WARMUP = 3;
const EVENTS = Number(process.env.BENCH_DASHBOARD_EVENTS ?? 10_000_000);
const LOGS = Number(process.env.BENCH_DASHBOARD_LOGS ?? EVENTS / 10);
const DB_NAME = process.env.BENCH_DASHBOARD_DB ?? 'ogw_bench_dashboard';
const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RESULTS = join(ROOT, 'bench', 'results');
const PANEL_GOAL_MS = 200;
const SEARCH_GOAL_MS = 500;

const PERIODS = ['today', '7d', '30d', 'all'] as const;
const PANELS = ['overview', 'timeseries', 'models', 'customers'] as const;
/** Searches from common to rare (the seed's texts: support chats, code, contracts, agents, batch jobs). */
const SEARCHES = [
  { q: 'customer', kind: 'common word' },
  { q: 'invoice', kind: 'common word' },
  { q: 'probation', kind: 'less common word' },
  { q: '"late payment interest"', kind: 'phrase' },
  { q: 'tardigrade', kind: 'rare word' },
] as const;

interface Row {
  panel: string;
  detail: string;
  goalMs: number;
  samples: number[];
  note?: string;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function measure(server: DashboardServer, path: string): Promise<number[]> {
  for (let i = 0; i < WARMUP; i += 1) await server.get(path);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i += 1) samples.push((await server.get(path)).ms);
  return samples;
}

/** Named periods while the data reaches now; otherwise the same windows ending where the data ends. */
function rangeQuery(period: (typeof PERIODS)[number], dataEnd: Date, live: boolean): string {
  if (live || period === 'all') return `period=${period}&tz=UTC`;
  const to = new Date(Math.ceil(dataEnd.getTime() / 3_600_000) * 3_600_000);
  const hours = period === 'today' ? to.getUTCHours() || 24 : period === '7d' ? 7 * 24 : 30 * 24;
  const from = new Date(to.getTime() - hours * 3_600_000);
  return `period=custom&from=${from.toISOString()}&to=${to.toISOString()}&tz=UTC`;
}

async function rollupCounts(url: string): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(`SELECT
      (SELECT count(*) FROM usage_hourly) AS usage_hourly, (SELECT count(*) FROM model_hourly) AS model_hourly,
      (SELECT count(*) FROM model_daily) AS model_daily, (SELECT count(*) FROM key_daily) AS key_daily,
      (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM api_keys) AS keys,
      (SELECT setting FROM pg_settings WHERE name = 'shared_buffers') AS shared_buffers_8k,
      (SELECT setting FROM pg_settings WHERE name = 'work_mem') AS work_mem_kb,
      current_setting('server_version') AS pg_version`);
    return rows[0]!;
  } finally {
    await client.end();
  }
}

async function searchHits(url: string, q: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM request_logs WHERE search @@ websearch_to_tsquery('simple', $1)",
      [q],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

function report(rows: Row[], header: string[]): string {
  const lines = [
    ...header,
    '',
    '| Panel | Range / query | p50 ms | p95 ms | max ms | Goal (p95) | |',
    '|---|---|--:|--:|--:|--:|---|',
  ];
  for (const row of rows) {
    const p95 = percentile(row.samples, 95);
    lines.push(
      `| ${row.panel} | ${row.detail}${row.note ? ` (${row.note})` : ''} | ${fmt(percentile(row.samples, 50), 1)} | ${fmt(p95, 1)} | ${fmt(Math.max(...row.samples), 1)} | < ${row.goalMs} | ${p95 < row.goalMs ? 'met' : '**missed**'} |`,
    );
  }
  const missed = rows.filter((r) => percentile(r.samples, 95) >= r.goalMs);
  lines.push(
    '',
    missed.length === 0
      ? 'Every panel meets its goal.'
      : `${missed.length} of ${rows.length} rows miss their goal: ${missed.map((r) => `${r.panel} ${r.detail}`).join('; ')}.`,
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const fresh = process.argv.includes('--fresh');
  const data = await prepareBenchData({
    serverUrl: SERVER_URL,
    name: DB_NAME,
    events: EVENTS,
    logs: LOGS,
    fresh,
    log,
  });
  const live = Date.now() - data.to.getTime() < 2 * 3_600_000;
  const info = await rollupCounts(data.url);
  log(`Starting the dashboard server on ${data.name} (load average now: ${loadAverage()})`);
  const server = await startDashboard(data.url, RESULTS);
  const rows: Row[] = [];
  try {
    for (const panel of PANELS)
      for (const period of PERIODS) {
        const samples = await measure(server, `/api/${panel}?${rangeQuery(period, data.to, live)}`);
        rows.push({ panel, detail: period, goalMs: PANEL_GOAL_MS, samples });
        log(
          `  ${panel} ${period}: p50 ${fmt(percentile(samples, 50), 1)} ms, p95 ${fmt(percentile(samples, 95), 1)} ms`,
        );
      }
    const first = (await server.get('/api/logs?limit=20')).body as { nextCursor: string | null };
    const logCases: Row[] = [
      { panel: 'logs', detail: 'newest 20', goalMs: SEARCH_GOAL_MS, samples: [] },
      { panel: 'logs', detail: 'page 2 (cursor)', goalMs: SEARCH_GOAL_MS, samples: [] },
      { panel: 'logs', detail: 'errors only', goalMs: SEARCH_GOAL_MS, samples: [] },
    ];
    const paths = [
      '/api/logs?limit=20',
      `/api/logs?limit=20&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
      '/api/logs?limit=20&status=errors',
    ];
    for (const [i, row] of logCases.entries()) {
      row.samples = await measure(server, paths[i]!);
      rows.push(row);
      log(`  logs ${row.detail}: p95 ${fmt(percentile(row.samples, 95), 1)} ms`);
    }
    for (const search of SEARCHES) {
      const samples = await measure(server, `/api/logs?limit=20&q=${encodeURIComponent(search.q)}`);
      const hits = await searchHits(data.url, search.q);
      rows.push({
        panel: 'log search',
        detail: `\`${search.q}\``,
        note: `${search.kind}, ${fmtInt(hits)} hits`,
        goalMs: SEARCH_GOAL_MS,
        samples,
      });
      log(`  search ${search.q}: p95 ${fmt(percentile(samples, 95), 1)} ms (${hits} hits)`);
    }
  } finally {
    await server.stop();
  }
  const cpu = cpus();
  const header = [
    `# Dashboard benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GB RAM, load average at start ${loadAverage()}; Node ${process.version}; PostgreSQL ${info.pg_version} (shared_buffers ${Math.round((Number(info.shared_buffers_8k) * 8) / 1024)} MB, work_mem ${Math.round(Number(info.work_mem_kb) / 1024)} MB).`,
    `- Data: \`${data.name}\`, ${fmtInt(data.events)} usage events and ${fmtInt(data.logs)} request logs from ${data.from.toISOString().slice(0, 16)} to ${data.to.toISOString().slice(0, 16)} UTC, ${info.customers} customers, ${info.keys} keys; rollups: usage_hourly ${fmtInt(Number(info.usage_hourly))}, model_hourly ${fmtInt(Number(info.model_hourly))}, model_daily ${fmtInt(Number(info.model_daily))}, key_daily ${fmtInt(Number(info.key_daily))} rows; database ${data.databaseSize}.`,
    data.seedSeconds === null
      ? '- Seed: reused an existing database (`--fresh` rebuilds it).'
      : `- Seed: ${Math.round(data.seedSeconds)} s including migrations (events at ${fmtInt(data.seedEventsPerSecond ?? Number.NaN)}/s), then VACUUM ANALYZE.`,
    `- Method: \`make bench-dashboard\` (\`node --import tsx bench/dashboard.ts\`): the built dashboard server as a child process, ${WARMUP} warm-up calls then ${CALLS} timed calls per row, one at a time, over HTTP with keep-alive, logged in with a session cookie; time zone UTC.${live ? '' : ' The data ends before now, so today/7d/30d are the same windows ending at the data’s last hour (custom ranges).'}`,
  ];
  const markdown = report(rows, header);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'dashboard-latest.md'), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`Written to ${join(RESULTS, 'dashboard-latest.md')}`);
}

await main();
