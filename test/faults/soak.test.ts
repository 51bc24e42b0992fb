// Soak: a steady mixed load through nginx — plain chat, OpenAI / Anthropic / Ollama streams and streams the client
// abandons — for 10 minutes under SOAK=1 (`make soak`), 20 seconds in `make test`. Every request must succeed (or be
// the disconnect it was meant to be), no process may log an error, the ledger must reconcile exactly, and under
// SOAK=1 each process's memory must be flat: the median RSS of the last fifth of the run within 10% (or 16 MiB) of
// the median of the second fifth (the first is warm-up: JIT, pools, caches).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorLines } from '../hostile/support/hostile-stack.js';
import type { Stack } from '../support/stack.js';
import { processOf, reportResult, runTag, SOAK, sleep, startFaultStack } from './support/fault-stack.js';
import { isDisconnect, startLoad } from './support/load.js';
import { medianBetween, sampleRss } from './support/memory.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';

const DURATION_MS = SOAK ? 600_000 : 20_000;
const RPS = SOAK ? 25 : 20;
const PROCESSES = ['gateway', 'billing-worker', 'logger'] as const;

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  // 16 tokens at 50/s: a stream lasts ~0.3 s, so one abandoned after 4 tokens is still running when the client leaves
  // (at 200/s a loaded machine could deliver the whole stream in one read before the client's abort: a 200 row).
  stack = await startFaultStack({ label: 'fsoak', sim: { ttftMs: 20, tokensPerSecond: 50 } });
  ({ key: apiKey } = await stack.createKey());
});

afterAll(async () => {
  await stack?.stop();
});

describe('soak: steady mixed load', () => {
  it('every request served, no error logged, exact reconciliation, memory flat', {
    timeout: DURATION_MS + 180_000,
  }, async () => {
    const tag = runTag('soak');
    const rss = sampleRss(
      Object.fromEntries(PROCESSES.map((name) => [name, () => processOf(stack, name).child.pid])),
      SOAK ? 2_000 : 500,
    );
    const load = startLoad({
      baseUrl: stack.apiUrl,
      apiKey,
      rps: RPS,
      tag,
      tokens: 16,
      disconnectAfter: 4,
      mix: [
        'chat',
        'stream',
        'anthropic-stream',
        'chat',
        'ollama-stream',
        'disconnect',
        'stream',
        'anthropic-disconnect',
      ],
    });
    await sleep(DURATION_MS);
    const outcomes = await load.stop();
    const memory = rss.stop();
    const r = await reconcile(stack.db, tag, outcomes, { timeoutMs: 60_000 });

    const failed = outcomes.filter((o) => o.result !== (isDisconnect(o.kind) ? 'disconnected' : 'ok'));
    expect(
      failed.slice(0, 10).map((o) => `${o.n} ${o.kind} ${o.result} ${o.httpStatus ?? ''} ${o.error ?? ''}`),
      `${failed.length} requests did not end as they should`,
    ).toEqual([]);
    expectReconciled(r, stack);
    await expectRollupsMatchLedger(stack.db);
    for (const name of PROCESSES) {
      const log = readFileSync(`${stack.dir}/logs/${name}.log`, 'utf8');
      expect(errorLines(log), `${name} log: no error, crash or unhandled rejection`).toEqual([]);
      expect(processOf(stack, name).exited, `${name} is still running`).toBeNull();
    }

    const fifth = DURATION_MS / 5;
    const growth = Object.fromEntries(
      PROCESSES.map((name) => {
        const early = medianBetween(memory[name]!, fifth, 2 * fifth);
        const late = medianBetween(memory[name]!, 4 * fifth, DURATION_MS + 60_000);
        return [
          name,
          { early: Math.round(early), late: Math.round(late), max: Math.round(memory[name]!.max) },
        ];
      }),
    );
    for (const name of PROCESSES) {
      expect(memory[name]!.max, `${name} RSS stays under 400 MiB`).toBeLessThan(400);
      if (SOAK) {
        const { early, late } = growth[name]!;
        expect(late - early, `${name} RSS flat (median ${early} → ${late} MiB)`).toBeLessThanOrEqual(
          Math.max(16, early * 0.1),
        );
      }
    }

    reportResult(SOAK ? 'soak-10min' : 'soak-short', {
      durationS: DURATION_MS / 1000,
      rps: RPS,
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      results: r.results,
      rssMiB: growth,
    });
  });
});
