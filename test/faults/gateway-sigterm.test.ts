// Fault: the gateway sent SIGTERM (a deploy, `docker stop`) under steady load of long-ish streams through nginx.
// What a graceful shutdown must give (ARCHITECTURE §4 "Shutdown", SHUTDOWN_GRACE_MS in docs/configuration.md):
// - new connections to the gateway's port are refused at once; through nginx a new request gets nginx's own clean
//   503 in its dialect (the upstream is gone) and never half an answer;
// - every request the gateway had already begun answering completes normally, within the bound;
// - usage is flushed before the process exits, with code 0, within the bound;
// - once the gateway is started again the load is served again.
// Ends with the exact reconciliation: every request the client saw complete has exactly one usage row, and the
// ones nginx refused have none (the gateway never saw them).
import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import {
  exited,
  processOf,
  reportResult,
  runTag,
  SOAK,
  sleep,
  startFaultStack,
} from './support/fault-stack.js';
import { now, type Outcome, startLoad } from './support/load.js';
import { sampleRss } from './support/memory.js';
import { expectReconciled, expectRollupsMatchLedger, reconcile } from './support/reconcile.js';

/** The drain bound. The short variant streams for ~3 s; under SOAK=1 for ~20 s with the default bound (30 s). */
const GRACE_MS = SOAK ? 30_000 : 8_000;
const TOKENS_PER_SECOND = 20;
const REPLY_TOKENS = SOAK ? 400 : 60;
/** Time the process may take after the drain to flush usage and close its clients. */
const EXIT_MARGIN_MS = 2_000;

let stack: Stack;
let apiKey: string;

beforeAll(async () => {
  stack = await startFaultStack({
    label: 'fsigterm',
    sim: { ttftMs: 20, tokensPerSecond: TOKENS_PER_SECOND },
    env: { SHUTDOWN_GRACE_MS: String(GRACE_MS) },
  });
  ({ key: apiKey } = await stack.createKey());
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

/** Whether a TCP connection to the port is refused (true) or accepted (false). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** nginx's own 503 when its upstream is gone (nginx.conf.template, @unavailable), in any dialect. */
const isNginxUnavailable = (o: Outcome) =>
  o.result === 'http-error' && o.httpStatus === 503 && /the gateway is unavailable/i.test(o.error ?? '');

const describeOutcome = (o: Outcome) =>
  `${o.n} ${o.kind} ${o.result} ${o.httpStatus ?? '-'} tokens ${o.tokens} ${o.error ?? ''}`;

describe('fault: gateway SIGTERM under streaming load', () => {
  it('refuses new connections, lets in-flight streams finish, flushes usage and exits 0 within the bound', {
    timeout: 180_000,
  }, async () => {
    const tag = runTag('sigterm');
    const rss = sampleRss({ gateway: () => processOf(stack, 'gateway').child.pid });
    const load = startLoad({
      baseUrl: stack.apiUrl,
      apiKey,
      rps: 8,
      tag,
      tokens: REPLY_TOKENS,
      mix: ['stream', 'anthropic-stream', 'ollama-stream', 'chat'],
    });
    await sleep(SOAK ? 12_000 : 2_500);

    const gateway = processOf(stack, 'gateway');
    const port = Number(new URL(stack.gatewayUrl).port);
    gateway.child.kill('SIGTERM');
    const termAt = now();
    let exitedAt = 0;
    const gone = exited(gateway).then(() => {
      exitedAt = now();
    });
    // Probe the port while the gateway drains: every new connection must be refused.
    const probes: { atMs: number; refused: boolean }[] = [];
    await sleep(100);
    while (!gateway.exited) {
      const at = now();
      const wasRefused = await refused(port);
      if (!gateway.exited) probes.push({ atMs: at - termAt, refused: wasRefused });
      await sleep(100);
    }
    await gone;
    const drainMs = exitedAt - termAt;

    await sleep(500);
    await stack.restart('gateway');
    const restartedAt = now();
    await sleep(SOAK ? 15_000 : 3_000);
    const outcomes = await load.stop();
    const memory = rss.stop();

    expect(gateway.exited, 'exit code 0 after SIGTERM').toEqual({ code: 0, signal: null });
    expect(drainMs, 'exited within the drain bound').toBeLessThan(GRACE_MS + EXIT_MARGIN_MS);
    expect(probes.length, 'the port was probed during the drain').toBeGreaterThan(0);
    expect(
      probes.filter((p) => !p.refused).map((p) => Math.round(p.atMs)),
      'new connections to the gateway port accepted after SIGTERM (ms after it)',
    ).toEqual([]);

    // Nothing ended badly: each request completed, or nginx refused it cleanly in its dialect.
    expect(
      outcomes.filter((o) => o.result !== 'ok' && !isNginxUnavailable(o)).map(describeOutcome),
      'requests that neither completed nor got nginx’s clean 503',
    ).toEqual([]);
    // Every stream the gateway was answering at SIGTERM finished normally, within the bound.
    const inFlight = outcomes.filter(
      (o) => o.kind !== 'chat' && o.headersAt !== null && o.headersAt < termAt && o.endedAt > termAt,
    );
    expect(inFlight.length, 'streams were in flight at SIGTERM').toBeGreaterThan(5);
    expect(inFlight.filter((o) => o.result !== 'ok').map(describeOutcome)).toEqual([]);
    for (const o of inFlight) expect(o.tokens, `${o.n} ${o.kind} streamed in full`).toBe(REPLY_TOKENS);
    const lastInFlightEndMs = Math.max(...inFlight.map((o) => o.endedAt - termAt));
    expect(lastInFlightEndMs).toBeLessThan(GRACE_MS);
    // Refusals only between the SIGTERM and the restart; everything after the restart is served.
    const refusedByNginx = outcomes.filter(isNginxUnavailable);
    expect(
      refusedByNginx.filter((o) => o.sentAt < termAt - 50 || o.sentAt > restartedAt).map(describeOutcome),
      'refusals outside the downtime',
    ).toEqual([]);
    const afterRestart = outcomes.filter((o) => o.sentAt > restartedAt);
    expect(afterRestart.length).toBeGreaterThan(10);
    expect(afterRestart.filter((o) => o.result !== 'ok').map(describeOutcome)).toEqual([]);

    // The gateway never saw what nginx refused: those count as unanswered, and must have no row.
    const forLedger = outcomes.map((o) => (isNginxUnavailable(o) ? { ...o, requestId: null } : o));
    const r = await reconcile(stack.db, tag, forLedger, { timeoutMs: 30_000 });
    expectReconciled(r, stack);
    expect(r.unansweredWithRow, 'rows for requests nginx refused').toBe(0);
    expect(r.rows).toBe(outcomes.filter((o) => o.result === 'ok').length);
    await expectRollupsMatchLedger(stack.db);

    const firstAnsweredAfterRestart = Math.min(
      ...afterRestart.map((o) => o.headersAt ?? Number.POSITIVE_INFINITY),
    );
    reportResult('gateway-sigterm', {
      sent: r.sent,
      rows: r.rows,
      missing: r.missing.length,
      doubled: r.doubled.length,
      inFlightAtSigterm: inFlight.length,
      lastInFlightEndMs: Math.round(lastInFlightEndMs),
      drainAndExitMs: Math.round(drainMs),
      graceMs: GRACE_MS,
      refusedProbes: `${probes.filter((p) => p.refused).length}/${probes.length}`,
      refusedByNginx: refusedByNginx.length,
      // Down from the SIGTERM until the restarted gateway was ready, then until a new request had its first answer.
      downMs: Math.round(restartedAt - termAt),
      recoveryMs: Math.round(firstAnsweredAfterRestart - restartedAt),
      gatewayMaxRssMiB: Math.round(memory.gateway!.max),
      lastRowAfterMs: r.waitedMs,
    });
  });
});
