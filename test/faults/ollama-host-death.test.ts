// Fault: one of two Ollama hosts SIGKILLed while it streams, under steady load in all three dialects through nginx.
// The hosts are simulator processes of their own (test/faults/support/sim-process.ts), both with the model loaded
// so the router spreads the load over them. What the clients must see (docs/routing.md, API-REFERENCE §0):
// - a stream cut mid-way ends with its dialect's error event and a clean close: OpenAI `data: {"error":…}`,
//   Anthropic `event: error`, Ollama a last NDJSON line `{"error":…}`; no connection hangs;
// - a request the dead host had not started answering (queued, waiting for its first token, a whole answer not yet
//   read) is retried on the other host and succeeds;
// - every request sent after the death goes to the healthy host (the first connection error marks the dead one
//   down) and succeeds.
// The ledger: one row per request; a cut stream's row is a 5xx on the dead host carrying the tokens streamed
// before the cut. Ends with the exact reconciliation.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import {
  exited,
  MODEL,
  processOf,
  reportResult,
  runTag,
  SOAK,
  sleep,
  startFaultStack,
} from './support/fault-stack.js';
import { dialectOf, type LoadKind, now, type Outcome, startLoad } from './support/load.js';
import { sampleRss } from './support/memory.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';
import { type SimProcess, startSimProcess } from './support/sim-process.js';

/** 80 tokens at 40/s: a stream lasts about 2 s, so a dozen are in flight on each host at any moment. */
const REPLY_TOKENS = 80;
// An odd-length cycle: with two hosts taking turns, each host still gets every kind.
const MIX: LoadKind[] = [
  'stream',
  'anthropic-stream',
  'ollama-stream',
  'chat',
  'stream',
  'anthropic-stream',
  'ollama-stream',
];

let simDir: string;
let survivor: SimProcess;
let victim: SimProcess;
let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  simDir = mkdtempSync(join(tmpdir(), 'ogw-hostdeath-sims-'));
  const flags = ['--ttft-ms', '20', '--tokens-per-second', '40'];
  [survivor, victim] = await Promise.all([
    startSimProcess('ollama-a', simDir, flags),
    startSimProcess('ollama-b', simDir, flags),
  ]);
  // Loaded on both before the gateway's first health round: neither host is preferred for having it loaded.
  await Promise.all([survivor.preload(MODEL), victim.preload(MODEL)]);
  stack = await startFaultStack({
    label: 'fhostdeath',
    env: { OLLAMA_URLS: `${survivor.url},${victim.url}` },
  });
  ({ key: apiKey } = await stack.createKey());
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await survivor?.stop();
  await victim?.stop();
  if (simDir) rmSync(simDir, { recursive: true, force: true });
});

/** The frames a cut stream must end with, by dialect (the tail the client received). */
const ERROR_END: Record<string, RegExp> = {
  openai: /data: \{"error":\{"message":"[^"]+"[^\n]*\}\}\n\n$/,
  anthropic: /event: error\ndata: \{"type":"error","error":\{"type":"\w+","message":"[^"]+"\}\}\n\n$/,
  ollama: /\n\{"error":"[^"]+"\}\n$/,
};

const describeOutcome = (o: Outcome) =>
  `${o.n} ${o.kind} ${o.result} ${o.httpStatus ?? '-'} tokens ${o.tokens} ${o.error ?? ''}`;

describe('fault: an Ollama host SIGKILLed mid-stream', () => {
  it('cut streams end with their error event and a partial usage row; new requests go to the other host', {
    timeout: 120_000,
  }, async () => {
    const tag = runTag('host-death');
    const gateway = processOf(stack, 'gateway');
    const rss = sampleRss({ gateway: () => gateway.child.pid });
    const load = startLoad({ baseUrl: stack.apiUrl, apiKey, rps: 12, tag, tokens: REPLY_TOKENS, mix: MIX });
    await sleep(2_500);

    // Kill when the victim is in the middle of several streams (each of them has sent some tokens by now).
    let activeAtKill = 0;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      activeAtKill = (await victim.stats()).active;
      if (activeAtKill >= 8) break;
      await sleep(20);
    }
    victim.proc.child.kill('SIGKILL');
    const killedAt = now();
    await exited(victim.proc);
    expect(victim.proc.exited?.signal).toBe('SIGKILL');

    await sleep(SOAK ? 20_000 : 4_000);
    const outcomes = await load.stop();
    const r = await reconcile(stack.db, tag, outcomes, { timeoutMs: 30_000 });
    const memory = rss.stop();
    const rowOf = (o: Outcome) => (o.requestId ? r.byId.get(o.requestId) : undefined);

    // Every request either completed or was a stream cut by the death; nothing else (no HTTP error, no reset).
    expect(
      outcomes.filter((o) => o.result !== 'ok' && o.result !== 'stream-error').map(describeOutcome),
      'requests that neither completed nor ended with an error event',
    ).toEqual([]);

    const cut = outcomes.filter((o) => o.result === 'stream-error');
    expect(cut.length, 'streams were cut by the kill').toBeGreaterThan(0);
    for (const dialect of ['openai', 'anthropic', 'ollama'])
      expect(
        cut.filter((o) => dialectOf(o.kind) === dialect).length,
        `${dialect} streams were cut (victim had ${activeAtKill} in flight)`,
      ).toBeGreaterThan(0);
    for (const o of cut) {
      // Cut, not failed: it began before the kill, got 200 and some tokens, then its dialect's error event, then the
      // end of the body (readStream saw the close; a reset or a hang would have been a network error).
      expect(o.sentAt, `${o.n} was in flight at the kill`).toBeLessThan(killedAt);
      expect(o.httpStatus).toBe(200);
      expect(o.tokens, `${o.n} ${o.kind} got tokens before the cut`).toBeGreaterThan(0);
      expect(o.tokens).toBeLessThan(REPLY_TOKENS);
      expect(o.tail, `${o.n} ${o.kind} ends with its error event`).toMatch(ERROR_END[dialectOf(o.kind)]!);
      // No hung connection: the client knew within a few seconds (it would otherwise wait for the 60 s timeout).
      expect(o.endedAt - killedAt, `${o.n} closed soon after the kill`).toBeLessThan(5_000);
      const row = rowOf(o);
      expect(row, `${o.n} has a usage row`).toBeDefined();
      expect(row!.upstream_host, `${o.n} was on the killed host`).toBe(victim.url);
      expect(row!.status, `${o.n} row records an upstream failure`).toBeGreaterThanOrEqual(500);
      // The partial tokens: at least what reached the client, never the whole reply.
      expect(row!.completion_tokens, `${o.n} ${o.kind} tokens`).toBeGreaterThanOrEqual(o.tokens);
      expect(row!.completion_tokens).toBeLessThan(REPLY_TOKENS);
    }

    // After the death every request was served, by the survivor.
    const after = outcomes.filter((o) => o.sentAt > killedAt);
    expect(after.length).toBeGreaterThan(20);
    expect(
      after.filter((o) => o.result !== 'ok').map(describeOutcome),
      'requests sent after the kill',
    ).toEqual([]);
    expect(
      after
        .filter((o) => rowOf(o)?.upstream_host !== survivor.url)
        .map((o) => `${o.n} ${rowOf(o)?.upstream_host}`),
      'requests after the kill went to the surviving host',
    ).toEqual([]);
    // Before the kill both hosts served (the scenario tests a real failover, not an idle spare).
    const before = outcomes.filter((o) => o.endedAt < killedAt);
    expect(new Set(before.map((o) => rowOf(o)?.upstream_host))).toEqual(new Set([survivor.url, victim.url]));

    const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(metrics, 'the gateway reports the dead host down').toMatch(
      new RegExp(`^gateway_upstream_up\\{host="${victim.url}"[^}]*\\} 0$`, 'm'),
    );

    expectReconciled(r, stack);
    await expectRollupsMatchLedger(stack.db);
    expect(gateway.exited, 'gateway survived').toBeNull();

    const firstAnsweredAfter = Math.min(...after.map((o) => o.headersAt ?? Number.POSITIVE_INFINITY));
    const firstOkAfter = after.filter((o) => o.result === 'ok').sort((a, b) => a.endedAt - b.endedAt)[0]!;
    reportResult('ollama-host-death', {
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      victimActiveAtKill: activeAtKill,
      cutStreams: cut.length,
      cutByDialect: Object.fromEntries(
        ['openai', 'anthropic', 'ollama'].map((d) => [d, cut.filter((o) => dialectOf(o.kind) === d).length]),
      ),
      // From the kill until the last cut stream's client had its error event and close.
      cutClosedWithinMs: Math.round(Math.max(...cut.map((o) => o.endedAt - killedAt))),
      // From the kill until a request sent after it had its answer started by the survivor (response headers, i.e.
      // its first token), and until one had it in full (a stream lasts ~2 s).
      recoveryMs: Math.round(firstAnsweredAfter - killedAt),
      firstCompleteAfterKillMs: Math.round(firstOkAfter.endedAt - killedAt),
      servedAfterKill: after.length,
      gatewayMaxRssMiB: Math.round(memory.gateway!.max),
      lastRowAfterMs: r.waitedMs,
    });
  });
});
