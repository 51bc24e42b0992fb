import type { Dialect } from '@ollama-gateway/contracts';
import { type Db, sql } from '@ollama-gateway/db';

/** One request's log entry as the logger writes it. Bodies are any JSON value, or null for none. */
export interface RequestLogRecord {
  requestId: string;
  occurredAt: string | Date;
  customerId: string | null;
  apiKeyId: string | null;
  model: string;
  endpoint: string;
  dialect: Dialect;
  status: number;
  stream: boolean;
  durationMs: number;
  requestBody: unknown;
  responseBody: unknown;
  error: string | null;
}

/** A stored entry, as read back. */
export interface RequestLogEntry extends Omit<RequestLogRecord, 'occurredAt' | 'dialect'> {
  id: string;
  occurredAt: Date;
  dialect: string;
}

export interface SearchOptions {
  /** Default 50, at most 200. */
  limit?: number;
  offset?: number;
}

export interface RequestLogsRepository {
  /** Inserts the entry; false when its request id is already stored (a replayed job). */
  insert(record: RequestLogRecord): Promise<boolean>;
  /**
   * Inserts many entries with one multi-row INSERT … ON CONFLICT (request_id) DO NOTHING; for each record (in order),
   * false when its request id was already stored (or appears earlier in the same batch).
   */
  insertBatch(records: readonly RequestLogRecord[]): Promise<boolean[]>;
  /**
   * Full-text search over request bodies, response bodies and errors (web-search syntax: `word`, `"a phrase"`,
   * `-excluded`, `a or b`), newest first. A blank query lists the newest entries.
   */
  search(query: string, options?: SearchOptions): Promise<RequestLogEntry[]>;
  findByRequestId(requestId: string): Promise<RequestLogEntry | undefined>;
}

export const MAX_SEARCH_LIMIT = 200;

export function createRequestLogsRepository(db: Db): RequestLogsRepository {
  const select = () =>
    db
      .selectFrom('request_logs')
      .select([
        'id',
        'request_id',
        'occurred_at',
        'customer_id',
        'api_key_id',
        'model',
        'endpoint',
        'dialect',
        'status',
        'stream',
        'duration_ms',
        'request_body',
        'response_body',
        'error',
      ]);

  return {
    async insert(record) {
      const result = await db
        .insertInto('request_logs')
        .values(toRow(record))
        .onConflict((oc) => oc.column('request_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      return result !== undefined;
    },

    async insertBatch(records) {
      if (records.length === 0) return [];
      const rows = await db
        .insertInto('request_logs')
        .values(records.map(toRow))
        .onConflict((oc) => oc.column('request_id').doNothing())
        .returning('request_id')
        .execute();
      const inserted = new Set(rows.map((row) => row.request_id));
      // A request id inserted by this statement counts once: a second record with the same id in the batch is a replay.
      return records.map((record) => inserted.delete(record.requestId));
    },

    async search(query, options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_SEARCH_LIMIT);
      const offset = Math.max(Math.trunc(options.offset ?? 0), 0);
      let builder = select().orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset);
      const text = stripNul(query).trim();
      if (text) builder = builder.where(sql<boolean>`search @@ websearch_to_tsquery('simple', ${text})`);
      return (await builder.execute()).map(toEntry);
    },

    async findByRequestId(requestId) {
      const row = await select().where('request_id', '=', requestId).executeTakeFirst();
      return row ? toEntry(row) : undefined;
    },
  };
}

// An escape is real when preceded by an even number of backslashes (`\\u0000` is a literal backslash + "u0000").
const ESCAPED_NUL = /(?<=(?:^|[^\\])(?:\\\\)*)\\u0000/g;
// JSON.stringify escapes only lone surrogates (valid pairs are written as is); jsonb rejects them.
const ESCAPED_LONE_SURROGATE = /(?<=(?:^|[^\\])(?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * A body as jsonb input text: null for no body, a JSON string for a string body, JSON otherwise. NUL characters,
 * which Postgres jsonb cannot hold, are removed, and lone surrogates become U+FFFD.
 */
export function toJsonb(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return null;
  return json.replace(ESCAPED_NUL, '').replace(ESCAPED_LONE_SURROGATE, '\\ufffd');
}

function toRow(record: RequestLogRecord) {
  return {
    request_id: record.requestId,
    occurred_at: record.occurredAt,
    customer_id: record.customerId,
    api_key_id: record.apiKeyId,
    model: stripNul(record.model),
    endpoint: stripNul(record.endpoint),
    dialect: record.dialect,
    status: record.status,
    stream: record.stream,
    duration_ms: record.durationMs,
    request_body: toJsonb(record.requestBody),
    response_body: toJsonb(record.responseBody),
    error: record.error === null ? null : stripNul(record.error),
  };
}

function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

function toEntry(row: {
  id: string;
  request_id: string;
  occurred_at: Date;
  customer_id: string | null;
  api_key_id: string | null;
  model: string;
  endpoint: string;
  dialect: string;
  status: number;
  stream: boolean;
  duration_ms: number;
  request_body: unknown;
  response_body: unknown;
  error: string | null;
}): RequestLogEntry {
  return {
    id: row.id,
    requestId: row.request_id,
    occurredAt: row.occurred_at,
    customerId: row.customer_id,
    apiKeyId: row.api_key_id,
    model: row.model,
    endpoint: row.endpoint,
    dialect: row.dialect,
    status: row.status,
    stream: row.stream,
    durationMs: row.duration_ms,
    requestBody: row.request_body,
    responseBody: row.response_body,
    error: row.error,
  };
}
