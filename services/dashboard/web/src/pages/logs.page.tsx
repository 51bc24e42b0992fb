import type { LogRow } from '@ollama-gateway/contracts';
import { useState } from 'react';
import { reads } from '../api.js';
import { type Column, DataTable } from '../components/data-table.js';
import { EmptyState, ErrorBox, Spinner } from '../components/status.js';
import { useRange } from '../hooks/range.js';
import { useApi } from '../hooks/use-api.js';
import { useDebouncedValue } from '../hooks/use-debounced-value.js';
import { canGoNewer, currentCursor, firstPage, newer, older, pageNumber } from '../lib/cursor.js';
import { formatDateTime, formatDuration } from '../lib/format.js';
import { emptyLogFilters, hasActiveFilters, type LogFilters, logQueryString } from '../lib/log-query.js';
import { testIds } from '../test-ids.js';
import { LogDetailPanel } from './log-detail.js';
import { LogFiltersForm } from './log-filters.js';

function columns(timeZone: string): Column<LogRow>[] {
  return [
    {
      key: 'occurredAt',
      header: 'Time',
      value: (r) => r.occurredAt,
      render: (r) => <span className="nowrap">{formatDateTime(r.occurredAt, timeZone)}</span>,
    },
    {
      key: 'status',
      header: 'Status',
      numeric: true,
      value: (r) => r.status,
      render: (r) => <span className={r.status >= 400 ? 'badge error' : 'badge ok'}>{r.status}</span>,
    },
    { key: 'model', header: 'Model', value: (r) => r.model },
    {
      key: 'customerName',
      header: 'Customer',
      value: (r) => r.customerName ?? '',
      render: (r) => r.customerName ?? '—',
    },
    {
      key: 'keyPrefix',
      header: 'Key',
      value: (r) => r.keyPrefix ?? '',
      render: (r) => (r.keyPrefix ? <code>{r.keyPrefix}…</code> : '—'),
    },
    { key: 'dialect', header: 'Dialect', value: (r) => r.dialect },
    {
      key: 'endpoint',
      header: 'Endpoint',
      value: (r) => r.endpoint,
      render: (r) => <code>{r.endpoint}</code>,
    },
    { key: 'stream', header: 'Stream', value: (r) => r.stream, render: (r) => (r.stream ? 'yes' : 'no') },
    {
      key: 'durationMs',
      header: 'Duration',
      numeric: true,
      value: (r) => r.durationMs,
      render: (r) => formatDuration(r.durationMs),
    },
    {
      key: 'preview',
      header: 'Prompt / error',
      value: (r) => r.error ?? r.preview,
      render: (r) => <span className={r.error ? 'preview bad' : 'preview'}>{r.error ?? r.preview}</span>,
    },
  ];
}

/** The request log: newest first, 20 a page, keyset paging, search and filters, and a detail panel per request. */
export function LogsPage() {
  const { selection } = useRange();
  const timeZone = selection.timeZone;
  const [filters, setFilters] = useState<LogFilters>(emptyLogFilters);
  const [stack, setStack] = useState(firstPage);
  const [openId, setOpenId] = useState<string | null>(null);
  // The search text applies 400 ms after typing stops, or at once on Enter.
  const [search, searchNow] = useDebouncedValue(filters.q, 400);
  const query = logQueryString({ ...filters, q: search }, currentCursor(stack), timeZone);
  // Only the newest page follows auto-refresh; an older page is a fixed window.
  const logs = useApi(query.ok ? reads.logs(query.query) : null, { poll: pageNumber(stack) === 1 });
  const nextCursor = logs.data?.nextCursor ?? null;

  const applyFilters = (next: LogFilters) => {
    setFilters(next);
    setStack(firstPage());
  };

  return (
    <section className="page" aria-labelledby="logs-title">
      <div className="page-head">
        <h1 id="logs-title">Request log</h1>
      </div>
      <LogFiltersForm filters={filters} onChange={applyFilters} onSearchNow={searchNow} />
      {query.ok ? null : (
        <p className="form-error" role="alert">
          {query.error}
        </p>
      )}
      {logs.error ? <ErrorBox title="Request log" error={logs.error} onRetry={logs.reload} /> : null}
      <DataTable
        name="logs"
        title="Requests"
        caption={<span className="visually-hidden">Select a row to see the request's details</span>}
        columns={columns(timeZone)}
        rows={logs.data?.data}
        loading={logs.loading}
        rowKey={(r) => r.requestId}
        rowTestId={(r) => testIds.logRow(r.requestId)}
        onOpen={(r) => setOpenId(r.requestId)}
        empty={
          hasActiveFilters(filters) ? (
            <EmptyState title="No requests match these filters">
              <p>Try a broader search or clear the filters.</p>
            </EmptyState>
          ) : (
            <EmptyState title="No requests yet">
              <p>
                Send one through the gateway, e.g. <code>curl $GATEWAY_URL/v1/chat/completions</code> with an
                API key. Health checks and 404s are hidden unless you tick “Show health checks and 404s”.
              </p>
            </EmptyState>
          )
        }
      />
      <nav className="pager" aria-label="Request log pages">
        <button
          type="button"
          onClick={() => setStack(newer(stack))}
          disabled={!canGoNewer(stack)}
          data-testid={testIds.logNewer}
        >
          ← Newer
        </button>
        <span data-testid={testIds.logPage} aria-live="polite">
          Page {pageNumber(stack)}
        </span>
        {logs.loading ? <Spinner label="Loading requests" /> : null}
        <button
          type="button"
          onClick={() => setStack(older(stack, nextCursor))}
          disabled={!nextCursor}
          data-testid={testIds.logOlder}
        >
          Older →
        </button>
      </nav>
      {openId ? (
        <LogDetailPanel requestId={openId} timeZone={timeZone} onClose={() => setOpenId(null)} />
      ) : null}
    </section>
  );
}
