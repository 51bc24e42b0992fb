// `make bench-profile`: the same stack as `make bench`, with the gateway restarted under `node --cpu-prof`, driven
// with non-streaming chat (or, with BENCH_PROFILE_KIND=stream, unpaced streams) at 16 connections (BENCH_PROFILE_CONNS)
// through nginx;
// prints the top self-time functions and packages and writes them to bench/results/profile.md (the raw .cpuprofile
// stays in bench/results/ for Chrome DevTools).
//
//   node --import tsx bench/profile.ts    BENCH_PROFILE_MS=8000 BENCH_PROFILE_KIND=chat|stream BENCH_PROFILE_CONNS=16
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ROOT } from '../test/support/stack.js';
import { makePool, makeRequester, type Target } from './lib/clients.js';
import { profileMarkdown, summarizeProfile } from './lib/cpuprofile.js';
import { closedLoop } from './lib/load.js';
import { cpuMsOf } from './lib/proc.js';
import { SIM_DEFAULTS, startBenchStack } from './lib/setup.js';

/** Calls per Redis command (cmdstat_evalsha:calls=…), summed. */
async function redisCalls(url: string): Promise<{ total: number; byCommand: Record<string, number> }> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info('commandstats');
    const byCommand: Record<string, number> = {};
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand[m[1]!] = Number(m[2]);
    delete byCommand.info;
    return { total: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand };
  } finally {
    redis.disconnect();
  }
}

const PROFILE_MS = Number(process.env.BENCH_PROFILE_MS ?? 8000);
const CONNS = Number(process.env.BENCH_PROFILE_CONNS ?? 16);
const KIND = process.env.BENCH_PROFILE_KIND === 'stream' ? 'stream' : 'chat';
const KIND_LABEL = KIND === 'stream' ? 'streaming chat (unpaced)' : 'non-streaming chat';
const RESULTS = join(ROOT, 'bench', 'results');
const DIR = join(RESULTS, 'cpuprofile');

async function main(): Promise<void> {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const bench = await startBenchStack();
  let requests = 0;
  let redisLine = '';
  let cpuTable = '';
  try {
    const gateway = await bench.restartGateway(['--cpu-prof', `--cpu-prof-dir=${DIR}`]);
    const messages = [{ role: 'user', content: 'Write one sentence about benchmarks.' }];
    const reply = (await (
      await fetch(`${bench.simUrl}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2', messages, stream: false }),
      })
    ).json()) as { message: { content: string } };
    const target: Target = { name: 'nginx', url: bench.stack.apiUrl, auth: `Bearer ${bench.key}` };
    const pool = makePool(target, CONNS);
    const send = makeRequester(KIND, target, pool, {
      model: 'llama3.2',
      messages,
      text: reply.message.content,
      chunks: SIM_DEFAULTS.replyTokens,
      dims: 384,
    });
    await closedLoop(CONNS, 1000, send); // warm-up (in the profile too; start-up dominates nothing after this)
    const roles = await bench.pidsByRole();
    const cpuBefore = Object.fromEntries(Object.entries(roles).map(([role, pids]) => [role, cpuMsOf(pids)]));
    const before = await redisCalls(bench.stack.env.REDIS_URL!);
    const result = await closedLoop(CONNS, PROFILE_MS, send);
    const after = await redisCalls(bench.stack.env.REDIS_URL!);
    requests = result.samples.length;
    const cpuRows = Object.entries(roles).map(([role, pids]) => {
      const ms = cpuMsOf(pids) - cpuBefore[role]!;
      return `| ${role} | ${(ms / Math.max(1, requests)).toFixed(3)} | ${((ms / PROFILE_MS) * 100).toFixed(0)} % |`;
    });
    cpuTable = `${requests} requests in ${PROFILE_MS} ms (${((requests * 1000) / PROFILE_MS).toFixed(0)} req/s). CPU per request by process (/proc utime+stime; the gateway runs under --cpu-prof, which costs it some):\n\n| Process | CPU ms/request | share of one core |\n| --- | ---: | ---: |\n${cpuRows.join('\n')}`;
    redisLine = `Redis commands per request (INFO commandstats delta on the bench's own redis-server; the billing worker and logger included): ${((after.total - before.total) / Math.max(1, requests)).toFixed(1)}; top: ${Object.entries(
      after.byCommand,
    )
      .map(([cmd, n]) => [cmd, (n - (before.byCommand[cmd] ?? 0)) / Math.max(1, requests)] as const)
      .filter(([, n]) => n >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([cmd, n]) => `${cmd} ${n.toFixed(2)}`)
      .join(', ')}.`;
    process.stderr.write(`profiled ${requests} requests (${result.errors} failed checks) through nginx\n`);
    await pool.close();
    await gateway.stop(30_000); // SIGTERM: the gateway exits cleanly and node writes the profile
  } finally {
    await bench.stop();
  }
  const file = readdirSync(DIR).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${DIR}`);
  const report = `# Gateway CPU profile: ${KIND_LABEL}, ${CONNS} connection(s) through nginx, ${PROFILE_MS} ms\n\nProfile: bench/results/cpuprofile/${file}\n\n${cpuTable}\n\n${redisLine}\n\n${profileMarkdown(summarizeProfile(join(DIR, file)), requests)}\n`;
  writeFileSync(join(RESULTS, 'profile.md'), report);
  process.stdout.write(report);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
