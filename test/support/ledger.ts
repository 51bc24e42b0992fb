// What a client saw, checked against the ledger. Every e2e file records each HTTP exchange its client made (through a
// recording `fetch` every official client accepts) and what the client reported, then asserts: exactly one usage_events
// row per request id, nothing else recorded, and the row's tokens equal to the usage the client saw.
import { expect } from 'vitest';
import type { Stack, UsageRow } from './stack.js';

/** One HTTP exchange as the client's fetch saw it. */
export interface Exchange {
  method: string;
  /** Path without the query string, e.g. /v1/chat/completions. */
  path: string;
  status: number;
  /** The response's x-request-id (nginx's id, echoed by the gateway or by nginx itself). */
  requestId: string | null;
  /** The request headers as sent (lower-case names). */
  headers: Record<string, string>;
  /** The JSON request body, when there was one. */
  body: unknown;
}

/** A `fetch` that records every exchange into `log` (the response itself is returned untouched). */
export function recordingFetch(log: Exchange[], base: typeof fetch = fetch): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const request = new Request(input, init);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // Headers with an empty value are dropped by `new Request` in some runtimes: keep what the caller passed.
    if (init?.headers) {
      for (const [name, value] of new Headers(init.headers)) headers[name] = value;
    }
    let body: unknown;
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body);
      } catch {
        body = init.body;
      }
    }
    const response = await base(input, init);
    log.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      requestId: response.headers.get('x-request-id'),
      headers,
      body,
    });
    return response;
  }) as typeof fetch;
}

/** What the client saw for one request. */
export interface Seen {
  what: string;
  requestId: string;
  /** The status the ledger records. */
  status: number;
  /** The HTTP status the client got, when it differs (a stream that failed after its 200). */
  httpStatus?: number;
  stream?: boolean;
  dialect?: 'openai' | 'anthropic' | 'ollama';
  endpoint?: string;
  /** Tokens as the client's usage fields reported them (a field left out is not checked). */
  usage?: { prompt?: number; completion?: number };
  keyId?: string;
}

/** Polls usage_events until it holds `n` rows, then waits a little more so late duplicates would show. */
async function settledRows(stack: Stack, n: number): Promise<UsageRow[]> {
  await stack.waitForUsageRows(n);
  await new Promise((r) => setTimeout(r, 500));
  return stack.db.selectFrom('usage_events').selectAll().orderBy('id').execute();
}

/**
 * Asserts the ledger: every exchange has a request id and exactly one row, no row without an exchange, and every
 * `seen` request's row carries the status, stream flag, dialect, endpoint and tokens the client saw.
 */
export async function expectLedger(stack: Stack, exchanges: Exchange[], seen: Seen[]): Promise<UsageRow[]> {
  const ids = exchanges.map((e) => e.requestId);
  expect(
    exchanges.filter((e) => !e.requestId).map((e) => `${e.method} ${e.path} ${e.status}`),
    'every response carries x-request-id',
  ).toEqual([]);
  expect(new Set(ids).size, 'request ids are unique').toBe(ids.length);
  const rows = await settledRows(stack, exchanges.length);
  const describeRow = (row: UsageRow) =>
    `${row.request_id} ${row.dialect} ${row.endpoint} ${row.status} ${row.error_code ?? ''}`;
  expect(
    rows.map((r) => r.request_id).sort(),
    `one usage row per exchange, nothing else:\n${rows.map(describeRow).join('\n')}`,
  ).toEqual([...(ids as string[])].sort());

  for (const request of seen) {
    expect(ids, `${request.what}: was made through the recorded fetch`).toContain(request.requestId);
    const row = rows.find((r) => r.request_id === request.requestId)!;
    const exchange = exchanges.find((e) => e.requestId === request.requestId)!;
    expect(row.status, `${request.what}: status`).toBe(request.status);
    expect(exchange.status, `${request.what}: HTTP status`).toBe(request.httpStatus ?? request.status);
    if (request.stream !== undefined) expect(row.stream, `${request.what}: stream`).toBe(request.stream);
    if (request.dialect) expect(row.dialect, `${request.what}: dialect`).toBe(request.dialect);
    expect(row.endpoint, `${request.what}: endpoint`).toBe(request.endpoint ?? exchange.path);
    if (request.keyId) expect(row.api_key_id, `${request.what}: key`).toBe(request.keyId);
    if (request.usage) {
      const recorded = { prompt: row.prompt_tokens, completion: row.completion_tokens };
      const expected = { ...recorded, ...request.usage };
      expect(recorded, `${request.what}: tokens the client saw`).toEqual(expected);
    }
  }
  return rows;
}
