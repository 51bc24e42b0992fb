// The exact reconciliation every fault test ends with: what the client saw (load.ts outcomes) against usage_events.
// A request that got an HTTP response must have exactly one row, under its x-request-id, carrying its user agent
// and the status the client saw; a request with no response (refused, reset) is looked up by its user agent and
// reported. No row may appear that no request explains, and the hourly rollups must add up to the ledger.
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Stack } from '../../support/stack.js';
import { countResults, type Outcome } from './load.js';

type Db = Stack['db'];

interface LedgerRow {
  request_id: string;
  user_agent: string | null;
  status: number;
  completion_tokens: number;
  upstream_host: string | null;
}

export interface Reconciliation {
  /** Requests the client sent. */
  sent: number;
  /** …of which got an HTTP response (and so a request id). */
  answered: number;
  /** …of which got no response at all. */
  unanswered: number;
  /** usage_events rows carrying this run's user agents. */
  rows: number;
  /** Answered requests without a row (request ids). */
  missing: string[];
  /** Request ids or user agents with more than one row. */
  doubled: string[];
  /** Rows no request explains (wrong user agent for its id, or an id no request got). */
  unexpected: string[];
  /** Rows whose status is not what the client saw (`<id>: row 200, client ok`). */
  wrongStatus: string[];
  /** Unanswered requests that have a row anyway (the gateway did serve them). */
  unansweredWithRow: number;
  /** How long until the last expected row was there, from the call. */
  waitedMs: number;
  results: ReturnType<typeof countResults>;
  /** The rows, by request id. */
  byId: Map<string, LedgerRow>;
}

/** The status a row must carry for what the client saw, or null when any is fine. */
function expectedStatus(outcome: Outcome): ((status: number) => boolean) | null {
  switch (outcome.result) {
    case 'ok':
      return (status) => status === 200;
    case 'disconnected':
      return (status) => status === 499;
    case 'stream-error':
    case 'truncated':
      return (status) => status >= 500;
    case 'http-error':
      // nginx answers 503 for a gateway 500 on its auth subrequest (recorded as 500 there).
      return (status) => status === outcome.httpStatus || (outcome.httpStatus === 503 && status === 500);
    default:
      return null;
  }
}

async function rowsFor(db: Db, tag: string): Promise<LedgerRow[]> {
  const { rows } = await sql<LedgerRow>`
    SELECT request_id, user_agent, status, completion_tokens, upstream_host FROM usage_events
    WHERE user_agent LIKE ${`${tag}/%`}`.execute(db);
  return rows;
}

/**
 * Waits (up to `timeoutMs`) until every answered request has its row, then `settleMs` more so late duplicates would
 * show, and compares. Prints one summary line. Does not assert: see expectReconciled.
 */
export async function reconcile(
  db: Db,
  tag: string,
  outcomes: readonly Outcome[],
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<Reconciliation> {
  const began = Date.now();
  const answered = outcomes.filter((o) => o.requestId !== null);
  const wanted = new Set(answered.map((o) => o.requestId!));
  const deadline = began + (options.timeoutMs ?? 60_000);
  let rows = await rowsFor(db, tag);
  let waitedMs = 0;
  for (;;) {
    const have = new Set(rows.map((r) => r.request_id));
    if ([...wanted].every((id) => have.has(id))) {
      waitedMs = Date.now() - began;
      break;
    }
    if (Date.now() > deadline) {
      waitedMs = Date.now() - began;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
    rows = await rowsFor(db, tag);
  }
  await new Promise((r) => setTimeout(r, options.settleMs ?? 1000));
  rows = await rowsFor(db, tag);

  const byId = new Map<string, LedgerRow>();
  const idCount = new Map<string, number>();
  const uaCount = new Map<string, number>();
  for (const row of rows) {
    byId.set(row.request_id, row);
    idCount.set(row.request_id, (idCount.get(row.request_id) ?? 0) + 1);
    if (row.user_agent) uaCount.set(row.user_agent, (uaCount.get(row.user_agent) ?? 0) + 1);
  }
  const byUa = new Map(outcomes.map((o) => [o.userAgent, o]));
  const missing = answered.filter((o) => !byId.has(o.requestId!)).map((o) => o.requestId!);
  const doubled = [
    ...[...idCount].filter(([, count]) => count > 1).map(([id, count]) => `${id} ×${count}`),
    ...[...uaCount].filter(([, count]) => count > 1).map(([ua, count]) => `${ua} ×${count}`),
  ];
  const unexpected: string[] = [];
  for (const row of rows) {
    const outcome = row.user_agent ? byUa.get(row.user_agent) : undefined;
    if (!outcome) unexpected.push(`${row.request_id} (user agent ${row.user_agent})`);
    else if (outcome.requestId !== null && outcome.requestId !== row.request_id)
      unexpected.push(`${row.request_id} (user agent ${row.user_agent} got id ${outcome.requestId})`);
  }
  const wrongStatus: string[] = [];
  for (const outcome of answered) {
    const row = byId.get(outcome.requestId!);
    const accepts = expectedStatus(outcome);
    if (row && accepts && !accepts(row.status))
      wrongStatus.push(
        `${outcome.requestId} (${outcome.kind}): row ${row.status}, client ${outcome.result} ${outcome.httpStatus}`,
      );
  }
  const unansweredWithRow = outcomes.filter(
    (o) => o.requestId === null && (uaCount.get(o.userAgent) ?? 0) > 0,
  ).length;
  const result: Reconciliation = {
    sent: outcomes.length,
    answered: answered.length,
    unanswered: outcomes.length - answered.length,
    rows: rows.length,
    missing,
    doubled,
    unexpected,
    wrongStatus,
    unansweredWithRow,
    waitedMs,
    results: countResults(outcomes),
    byId,
  };
  process.stdout.write(`${summary(tag, result)}\n`);
  return result;
}

export function summary(tag: string, r: Reconciliation): string {
  return (
    `[reconcile ${tag}] sent ${r.sent} (answered ${r.answered}, no response ${r.unanswered}) · rows ${r.rows} · ` +
    `missing ${r.missing.length} · doubled ${r.doubled.length} · unexpected ${r.unexpected.length} · ` +
    `wrong status ${r.wrongStatus.length} · rows for unanswered ${r.unansweredWithRow} · last row after ` +
    `${r.waitedMs} ms · ${JSON.stringify(r.results)}`
  );
}

/** Fails unless every answered request has exactly one row, with the right status, and nothing else is there. */
export function expectReconciled(r: Reconciliation, stack?: Stack): void {
  const context = stack ? `\n${stack.describe()}` : '';
  expect(r.missing, `answered requests without a usage row${context}`).toEqual([]);
  expect(r.doubled, 'request ids or user agents with more than one row').toEqual([]);
  expect(r.unexpected, 'rows no request explains').toEqual([]);
  expect(r.wrongStatus, 'rows whose status is not what the client saw').toEqual([]);
  expect(r.rows, 'rows = answered requests + unanswered ones the gateway served').toBe(
    r.answered + r.unansweredWithRow,
  );
}

/** The hourly rollups (usage_hourly, model_hourly) count every ledger row once: no batch was applied twice. */
export async function expectRollupsMatchLedger(db: Db): Promise<void> {
  const { rows } = await sql<{ source: string; requests: string; prompt: string; completion: string }>`
    SELECT 'ledger' AS source, count(*)::text AS requests, coalesce(sum(prompt_tokens), 0)::text AS prompt,
           coalesce(sum(completion_tokens), 0)::text AS completion FROM usage_events
    UNION ALL
    SELECT 'usage_hourly', coalesce(sum(requests), 0)::text, coalesce(sum(prompt_tokens), 0)::text,
           coalesce(sum(completion_tokens), 0)::text FROM usage_hourly
    UNION ALL
    SELECT 'model_hourly', coalesce(sum(requests), 0)::text, coalesce(sum(prompt_tokens), 0)::text,
           coalesce(sum(completion_tokens), 0)::text FROM model_hourly`.execute(db);
  const ledger = rows.find((row) => row.source === 'ledger')!;
  for (const row of rows) {
    expect(
      { requests: row.requests, prompt: row.prompt, completion: row.completion },
      `${row.source} adds up to the ledger`,
    ).toEqual({ requests: ledger.requests, prompt: ledger.prompt, completion: ledger.completion });
  }
}
