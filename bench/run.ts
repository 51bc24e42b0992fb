// `make bench`: starts its own stack (see lib/setup.ts), runs every scenario against the simulator directly (the
// floor), the gateway directly and through nginx — interleaved in rounds so drift hits all three alike — then the
// billing pipeline, and prints one Markdown report (also written to bench/results/latest.md and latest.json).
//
//   node --import tsx bench/run.ts            BENCH_SLICE_MS=1500 BENCH_ROUNDS=3 BENCH_BILLING_EVENTS=20000
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../test/support/stack.js';
import {
  type BurstResult,
  billingBench,
  type LagStats,
  lagStats,
  type PacedResult,
  totalRows,
} from './lib/billing.js';
import {
  type Expected,
  type Kind,
  makePool,
  makeRequester,
  type Sample,
  TARGETS,
  type Target,
  type TargetName,
} from './lib/clients.js';
import { closedLoop } from './lib/load.js';
import { cpuMs, cpuMsOf, loadAverage, rssMb, sampleRss } from './lib/proc.js';
import { type BenchStack, SIM_DEFAULTS, setSimConfig, startBenchStack } from './lib/setup.js';
import { fmt, fmtDelta, fmtInt, percentile } from './lib/stats.js';

const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BILLING_EVENTS = Number(process.env.BENCH_BILLING_EVENTS ?? 20_000);
/** Events per job the gateway's publisher sends at the goal's 5,000 events/s (one job per 5 ms window). */
const GATEWAY_BATCH_AT_GOAL = 25;
const RESULTS = join(ROOT, 'bench', 'results');

interface Scenario {
  id: string;
  title: string;
  kind: Kind;
  connections: number;
  sim: Partial<typeof SIM_DEFAULTS>;
  /** Slice length factor (paced streams take ~0.7 s each). */
  sliceFactor?: number;
  sampleRss?: boolean;
}

const SCENARIOS: Scenario[] = [
  { id: 'chat-c1', title: 'Chat, non-stream, 1 conn', kind: 'chat', connections: 1, sim: {} },
  { id: 'chat-c16', title: 'Chat, non-stream, 16 conns', kind: 'chat', connections: 16, sim: {} },
  {
    id: 'stream-unpaced-c16',
    title: 'Chat stream, unpaced, 128 tokens, 16 conns',
    kind: 'stream',
    connections: 16,
    sim: { replyTokens: 128 },
  },
  {
    id: 'stream-paced-c64',
    title: 'Chat stream, paced 32 tok × 20 ms, 64 streams',
    kind: 'stream',
    connections: 64,
    sim: { replyTokens: 32, tokensPerSecond: 50 },
    sliceFactor: 2,
    sampleRss: true,
  },
  { id: 'embed-c16', title: 'Embeddings, 16 conns', kind: 'embed', connections: 16, sim: {} },
];

interface TargetResult {
  target: TargetName;
  requests: number;
  errors: number;
  firstError?: string;
  rps: number;
  p50: number;
  p99: number;
  ttfbP50?: number;
  ttftP50?: number;
  ttftP99?: number;
  gatewayCpuMsPerReq: number;
  nginxCpuMsPerReq: number;
}

interface ScenarioResult {
  scenario: Scenario;
  targets: Record<TargetName, TargetResult>;
  peakRssMb?: number;
}

const MESSAGES = [{ role: 'user', content: 'Write one sentence about benchmarks.' }];

async function expectedFor(simUrl: string, replyTokens: number): Promise<Expected> {
  const res = await fetch(`${simUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'llama3.2', messages: MESSAGES, stream: false }),
  });
  const json = (await res.json()) as { message: { content: string }; eval_count: number };
  if (json.eval_count !== replyTokens)
    throw new Error(`sim gave ${json.eval_count} tokens, expected ${replyTokens}`);
  return {
    model: 'llama3.2',
    messages: MESSAGES,
    text: json.message.content,
    chunks: replyTokens,
    dims: 384,
  };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runScenario(
  bench: BenchStack,
  scenario: Scenario,
  targets: Target[],
): Promise<ScenarioResult> {
  const simConfig = { ...SIM_DEFAULTS, ...scenario.sim };
  await setSimConfig(bench.simUrl, simConfig);
  const expected = await expectedFor(bench.simUrl, simConfig.replyTokens);
  const pools = new Map(targets.map((t) => [t.name, makePool(t, scenario.connections)]));
  const send = new Map(
    targets.map((t) => [t.name, makeRequester(scenario.kind, t, pools.get(t.name)!, expected)]),
  );
  const slice = SLICE_MS * (scenario.sliceFactor ?? 1);

  // Warm-up (JIT, connection pools, key cache): not counted.
  for (const t of targets) {
    const warm = await closedLoop(scenario.connections, Math.min(500, slice), send.get(t.name)!);
    if (warm.samples.length === 0) {
      throw new Error(`${scenario.id} → ${t.name}: every warm-up request failed: ${warm.firstError}`);
    }
  }

  const acc = new Map<
    TargetName,
    {
      samples: Sample[];
      errors: number;
      firstError?: string;
      elapsed: number;
      gwCpu: number;
      nginxCpu: number;
    }
  >(targets.map((t) => [t.name, { samples: [], errors: 0, elapsed: 0, gwCpu: 0, nginxCpu: 0 }]));
  const rss = scenario.sampleRss ? sampleRss(bench.gatewayPid()) : undefined;
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const gw0 = cpuMs(bench.gatewayPid());
      const nginxPids = bench.nginxWorkerPids();
      const ng0 = cpuMsOf(nginxPids);
      const result = await closedLoop(scenario.connections, slice, send.get(t.name)!);
      const a = acc.get(t.name)!;
      a.gwCpu += cpuMs(bench.gatewayPid()) - gw0;
      a.nginxCpu += cpuMsOf(nginxPids) - ng0;
      a.samples.push(...result.samples);
      a.errors += result.errors;
      a.elapsed += result.elapsedMs;
      if (result.firstError && !a.firstError) a.firstError = result.firstError;
    }
  }
  const peakRssMb = rss?.stop();
  await Promise.all([...pools.values()].map((p) => p.close()));

  const out = {} as Record<TargetName, TargetResult>;
  for (const t of targets) {
    const a = acc.get(t.name)!;
    const n = a.samples.length;
    const ttfb = a.samples.flatMap((s) => (s.ttfbMs === undefined ? [] : [s.ttfbMs]));
    const ttft = a.samples.flatMap((s) => (s.ttftMs === undefined ? [] : [s.ttftMs]));
    out[t.name] = {
      target: t.name,
      requests: n,
      errors: a.errors,
      ...(a.firstError ? { firstError: a.firstError } : {}),
      rps: (n / a.elapsed) * 1000,
      p50: percentile(
        a.samples.map((s) => s.totalMs),
        50,
      ),
      p99: percentile(
        a.samples.map((s) => s.totalMs),
        99,
      ),
      ...(scenario.kind === 'stream'
        ? { ttfbP50: percentile(ttfb, 50), ttftP50: percentile(ttft, 50), ttftP99: percentile(ttft, 99) }
        : {}),
      gatewayCpuMsPerReq: n ? a.gwCpu / n : Number.NaN,
      nginxCpuMsPerReq: n ? a.nginxCpu / n : Number.NaN,
    };
    if (a.errors > 0)
      log(`  ! ${scenario.id} → ${t.name}: ${a.errors} failed checks, first: ${a.firstError}`);
  }
  return { scenario, targets: out, ...(peakRssMb === undefined ? {} : { peakRssMb }) };
}

function resultsTable(results: ScenarioResult[]): string {
  const rows = [
    '| Scenario | Target | req/s | p50 ms | p99 ms | +p50 | +p99 | TTFB p50 | TTFT p50 | TTFT p99 | +TTFT p50 | +TTFT p99 | GW CPU ms/req | nginx CPU ms/req | checked ok / failed |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const base = r.targets.sim;
    for (const name of TARGETS) {
      const t = r.targets[name];
      const direct = name === 'sim';
      const stream = r.scenario.kind === 'stream';
      rows.push(
        `| ${name === 'sim' ? r.scenario.title : ''} | ${name === 'sim' ? 'simulator (floor)' : name === 'gateway' ? 'gateway direct' : 'nginx → gateway'} | ${fmtInt(t.rps)} | ${fmt(t.p50)} | ${fmt(t.p99)} | ${direct ? '' : fmtDelta(t.p50 - base.p50)} | ${direct ? '' : fmtDelta(t.p99 - base.p99)} | ${stream ? fmt(t.ttfbP50) : ''} | ${stream ? fmt(t.ttftP50) : ''} | ${stream ? fmt(t.ttftP99) : ''} | ${stream && !direct ? fmtDelta(t.ttftP50! - base.ttftP50!) : ''} | ${stream && !direct ? fmtDelta(t.ttftP99! - base.ttftP99!) : ''} | ${direct ? '' : fmt(t.gatewayCpuMsPerReq, 3)} | ${name === 'nginx' ? fmt(t.nginxCpuMsPerReq, 3) : ''} | ${fmtInt(t.requests)} / ${t.errors} |`,
      );
    }
  }
  return rows.join('\n');
}

interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
  by: string;
}

function goals(results: ScenarioResult[], peakRss: number, burst: BurstResult, paced: PacedResult): Goal[] {
  const get = (id: string) => results.find((r) => r.scenario.id === id)!;
  const pacedR = get('stream-paced-c64');
  const ttft50 = pacedR.targets.nginx.ttftP50! - pacedR.targets.sim.ttftP50!;
  const ttft99 = pacedR.targets.nginx.ttftP99! - pacedR.targets.sim.ttftP99!;
  const c1 = get('chat-c1');
  const added1 = c1.targets.nginx.p50 - c1.targets.sim.p50;
  const c16 = get('chat-c16');
  const rps = c16.targets.nginx.rps;
  const cpu = c16.targets.nginx.gatewayCpuMsPerReq;
  const goal = (
    g: string,
    target: string,
    value: number,
    limit: number,
    unit: string,
    atMost: boolean,
    d = 2,
  ): Goal => {
    const met = atMost ? value <= limit : value >= limit;
    const diff = atMost ? value - limit : limit - value;
    return {
      goal: g,
      target,
      measured: `${fmt(value, d)} ${unit}`,
      met,
      by: met
        ? `met with ${fmt(Math.abs(diff), d)} ${unit} to spare`
        : `missed by ${fmt(diff, d)} ${unit} (${atMost ? `${fmt(value / limit, 1)}× the limit` : `${fmt((value / limit) * 100, 0)}% of the target`})`,
    };
  };
  return [
    goal('Paced streams (64): added TTFT p50 through nginx', '≤ 1 ms', ttft50, 1, 'ms', true),
    goal('Paced streams (64): added TTFT p99 through nginx', '≤ 3 ms', ttft99, 3, 'ms', true),
    goal('Non-stream, 1 conn: added p50 latency through nginx', '≤ 0.5 ms', added1, 0.5, 'ms', true),
    goal('Non-stream, 16 conns: requests/s through nginx', '≥ 3,000 req/s', rps, 3000, 'req/s', false, 0),
    goal(
      'Gateway CPU per non-stream request (through nginx, auth subrequest included)',
      '≤ 0.3 ms',
      cpu,
      0.3,
      'ms',
      true,
      3,
    ),
    goal('Gateway RSS with 64 open streams (peak)', '≤ 150 MB', peakRss, 150, 'MB', true, 0),
    goal(
      "Billing worker usage events/s into Postgres (the gateway's 25-event batches)",
      '≥ 5,000 /s',
      burst.workerEventsPerSecond,
      5000,
      'events/s',
      false,
      0,
    ),
    goal(
      `Queue lag p99 at the gateway's peak rate (${fmtInt(paced.ratePerSecond)} events/s)`,
      '< 1 s',
      paced.p99Ms,
      1000,
      'ms',
      true,
      0,
    ),
  ];
}

async function main(): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  const load = loadAverage();
  log(`load average before the run: ${load}`);
  const started = performance.now();
  const bench = await startBenchStack();
  log(
    `stack up in ${fmt((performance.now() - started) / 1000, 1)} s (sim ${bench.simUrl}, nginx ${bench.stack.apiUrl})`,
  );
  const runId = Date.now().toString(36);
  try {
    const targets: Target[] = [
      { name: 'sim', url: bench.simUrl },
      { name: 'gateway', url: bench.stack.gatewayUrl, auth: `Bearer ${bench.key}` },
      { name: 'nginx', url: bench.stack.apiUrl, auth: `Bearer ${bench.key}` },
    ];
    const rssStart = rssMb(bench.gatewayPid());
    const results: ScenarioResult[] = [];
    for (const scenario of SCENARIOS) {
      const t0 = performance.now();
      results.push(await runScenario(bench, scenario, targets));
      const r = results.at(-1)!;
      log(
        `${scenario.id}: ${TARGETS.map((n) => `${n} ${fmtInt(r.targets[n].rps)} req/s p50 ${fmt(r.targets[n].p50)}`).join(' · ')} (${fmt((performance.now() - t0) / 1000, 1)} s)`,
      );
    }
    await setSimConfig(bench.simUrl, SIM_DEFAULTS);
    const rssEnd = rssMb(bench.gatewayPid());
    const peakRss = results.find((r) => r.peakRssMb !== undefined)?.peakRssMb ?? Number.NaN;

    // Billing: first the rows of the traffic above (the gateway's own events), then a burst and a paced run.
    const published = results.reduce((n, r) => n + r.targets.gateway.requests + r.targets.nginx.requests, 0);
    const drainStart = performance.now();
    for (;;) {
      const rows = await totalRows(bench.stack);
      if (rows >= published || performance.now() - drainStart > 60_000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const realLag: LagStats = await lagStats(bench.stack, '%');
    log(
      `usage rows of the load: ${realLag.rows} (≥ ${published} checked requests), lag p99 ${fmt(realLag.p99Ms, 0)} ms`,
    );
    const billing = billingBench(bench.stack, {
      customerId: bench.customerId,
      keyId: bench.keyId,
      upstream: bench.simUrl,
      runId,
    });
    let single: BurstResult;
    let burst: BurstResult;
    let paced: PacedResult;
    try {
      single = await billing.burst(BILLING_EVENTS);
      log(
        `billing burst, one job per event: ${fmtInt(single.workerEventsPerSecond)} events/s (worker), ${fmtInt(single.endToEndEventsPerSecond)} end to end`,
      );
      // What the gateway's publisher sends at 5,000 events/s: a job per 5 ms window, i.e. 25 events each.
      burst = await billing.burst(BILLING_EVENTS, GATEWAY_BATCH_AT_GOAL);
      log(
        `billing burst, ${GATEWAY_BATCH_AT_GOAL} events per job: ${fmtInt(burst.workerEventsPerSecond)} events/s (worker), ${fmtInt(burst.endToEndEventsPerSecond)} end to end`,
      );
      const peak = Math.max(
        ...results.filter((r) => r.scenario.kind === 'chat').map((r) => r.targets.nginx.rps),
      );
      paced = await billing.paced(Math.round(peak), 4);
      log(
        `billing paced at ${fmtInt(paced.ratePerSecond)}/s: lag p50 ${fmt(paced.p50Ms, 0)} ms p99 ${fmt(paced.p99Ms, 0)} ms`,
      );
    } finally {
      await billing.close();
    }

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load before the run ${load}`;
    const resources = [
      '| Resource | Value |',
      '| --- | --- |',
      `| Gateway RSS: after start-up / peak with 64 open streams / at the end | ${fmt(rssStart, 0)} / ${fmt(peakRss, 0)} / ${fmt(rssEnd, 0)} MB |`,
      `| Usage rows from the load above; queue lag p50 / p99 / max (publication → row) | ${fmtInt(realLag.rows)}; ${fmt(realLag.p50Ms, 0)} / ${fmt(realLag.p99Ms, 0)} / ${fmt(realLag.maxMs, 0)} ms |`,
      ...[single, burst].map(
        (b) =>
          `| Billing burst, ${b.perJob === 1 ? 'one job per event' : `${b.perJob} events per job (the gateway's batches at 5,000 events/s)`}: ${fmtInt(b.events)} events enqueued in ${fmt(b.enqueueMs / 1000, 2)} s, all rows after ${fmt(b.endToEndMs / 1000, 2)} s | ${fmtInt(b.workerEventsPerSecond)} events/s (worker, first → last row); ${fmtInt(b.endToEndEventsPerSecond)} events/s end to end |`,
      ),
      `| Billing paced at the gateway's peak (${fmtInt(paced.ratePerSecond)} events/s for ${paced.seconds} s): queue lag p50 / p99 / max | ${fmt(paced.p50Ms, 0)} / ${fmt(paced.p99Ms, 0)} / ${fmt(paced.maxMs, 0)} ms |`,
    ].join('\n');
    const goalRows = [
      '| Goal (issue 8) | Target | Measured | Status |',
      '| --- | --- | --- | --- |',
      ...goals(results, peakRss, burst, paced).map(
        (g) => `| ${g.goal} | ${g.target} | ${g.measured} | ${g.met ? '**met**' : '**not met**'}: ${g.by} |`,
      ),
      '| No memory growth over a 10-minute run | flat | not measured (a `make bench` run lasts ~2 min) | – |',
    ].join('\n');
    const report = [
      `# Benchmark ${new Date().toISOString()}`,
      '',
      `Machine: ${machine}. Slices of ${SLICE_MS} ms × ${ROUNDS} rounds per target, interleaved; every response checked.`,
      '',
      resultsTable(results),
      '',
      resources,
      '',
      goalRows,
      '',
    ].join('\n');
    process.stdout.write(`\n${report}`);
    writeFileSync(join(RESULTS, 'latest.md'), report);
    writeFileSync(
      join(RESULTS, 'latest.json'),
      JSON.stringify(
        { machine, load, results, rssStart, peakRss, rssEnd, realLag, single, burst, paced },
        null,
        2,
      ),
    );
    log(`\nwritten to bench/results/latest.md (total ${fmt((performance.now() - started) / 1000, 0)} s)`);
    const failed = results.reduce((n, r) => n + TARGETS.reduce((m, t) => m + r.targets[t].errors, 0), 0);
    if (failed > 0) {
      log(`${failed} responses failed their check (see above).`);
      process.exitCode = 1;
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
