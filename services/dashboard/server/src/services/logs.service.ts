import type { LogDetail, LogPage, LogQuery, LogRow } from '@ollama-gateway/contracts';
import { badRequest, notFound } from '@ollama-gateway/runtime';
import type { LogListRow, LogsRepository } from '../repositories/logs.repository.js';

export const PREVIEW_CHARS = 160;

export interface LogsService {
  page(query: LogQuery): Promise<LogPage>;
  detail(requestId: string): Promise<LogDetail>;
}

const EXACT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The opaque cursor: base64url of `[occurred_at with µs, id]` of the last row of a page. */
export function encodeCursor(row: { occurred_at_exact: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.occurred_at_exact, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { occurredAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      EXACT_TIME.test(value[0]) &&
      typeof value[1] === 'string' &&
      /^\d{1,18}$/.test(value[1])
    )
      return { occurredAt: value[0], id: value[1] };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('cursor: not a cursor from a previous page', { code: 'invalid_request', param: 'cursor' });
}

/** At most PREVIEW_CHARS characters (code points), with an ellipsis when cut. */
export function clipPreview(text: string): string {
  const chars = Array.from(text);
  return chars.length <= PREVIEW_CHARS ? text : `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}

function toLogRow(row: LogListRow): LogRow {
  return {
    requestId: row.request_id,
    occurredAt: row.occurred_at.toISOString(),
    customerId: row.customer_id,
    customerName: row.customer_name,
    apiKeyId: row.api_key_id,
    keyPrefix: row.key_prefix,
    model: row.model,
    endpoint: row.endpoint,
    dialect: row.dialect,
    status: row.status,
    stream: row.stream,
    durationMs: row.duration_ms,
    preview: clipPreview(row.preview),
    error: row.error,
  };
}

/** The request log: raw request_logs rows (drill-down and search), newest first, keyset-paginated. */
export function createLogsService(deps: { logs: LogsRepository }): LogsService {
  return {
    async page(query) {
      const q = query.q?.trim();
      const rows = await deps.logs.list({
        q: q || undefined,
        errorsOnly: query.status === 'errors',
        model: query.model,
        customerId: query.customerId,
        apiKeyId: query.apiKeyId,
        dialect: query.dialect,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        includeNoise: query.includeNoise,
        before: query.cursor ? decodeCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toLogRow),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
      };
    },

    async detail(requestId) {
      const [row, ledger] = await Promise.all([deps.logs.find(requestId), deps.logs.ledger(requestId)]);
      if (!row) throw notFound(`No request log with id ${requestId}`, { code: 'not_found' });
      return {
        ...toLogRow(row),
        requestBody: row.request_body ?? null,
        responseBody: row.response_body ?? null,
        usage: ledger
          ? {
              promptTokens: ledger.prompt_tokens,
              completionTokens: ledger.completion_tokens,
              totalMs: ledger.total_ms,
              ttftMs: ledger.ttft_ms,
              gatewayOverheadMs: ledger.gateway_overhead_ms,
              loadDurationMs: ledger.load_ms,
              promptEvalDurationMs: ledger.prompt_eval_ms,
              evalDurationMs: ledger.eval_ms,
              upstreamHost: ledger.upstream_host,
              provider: ledger.provider,
              totalCost: ledger.total_cost,
              energyWh: ledger.energy_wh,
              electricityCost: ledger.electricity_cost,
              referenceCost: ledger.reference_cost,
              currency: ledger.currency,
            }
          : null,
      };
    },
  };
}
