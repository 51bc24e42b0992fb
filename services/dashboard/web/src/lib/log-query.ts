import type { Dialect } from '@ollama-gateway/contracts';
import { wallTimeToIso } from './time-zone.js';

/** The request log's filter form. Times are `datetime-local` values read in the dashboard's time zone. */
export interface LogFilters {
  q: string;
  errorsOnly: boolean;
  model: string;
  customerId: string;
  apiKeyId: string;
  dialect: Dialect | '';
  from: string;
  to: string;
  includeNoise: boolean;
}

export const emptyLogFilters: LogFilters = {
  q: '',
  errorsOnly: false,
  model: '',
  customerId: '',
  apiKeyId: '',
  dialect: '',
  from: '',
  to: '',
  includeNoise: false,
};

export const LOG_PAGE_SIZE = 20;

export type LogQueryResult = { ok: true; query: string } | { ok: false; error: string };

/** The query string for GET /api/logs. Only set filters are sent (includeNoise only when true). */
export function logQueryString(
  filters: LogFilters,
  cursor: string | null,
  timeZone: string,
  limit = LOG_PAGE_SIZE,
): LogQueryResult {
  const params = new URLSearchParams();
  const q = filters.q.trim();
  if (q) params.set('q', q.slice(0, 500));
  if (filters.errorsOnly) params.set('status', 'errors');
  if (filters.model.trim()) params.set('model', filters.model.trim());
  if (filters.customerId) params.set('customerId', filters.customerId);
  if (filters.apiKeyId) params.set('apiKeyId', filters.apiKeyId);
  if (filters.dialect) params.set('dialect', filters.dialect);
  const from = filters.from ? wallTimeToIso(filters.from, timeZone) : null;
  const to = filters.to ? wallTimeToIso(filters.to, timeZone) : null;
  if (filters.from && !from) return { ok: false, error: 'The "from" time is not a valid date and time' };
  if (filters.to && !to) return { ok: false, error: 'The "to" time is not a valid date and time' };
  if (from && to && from >= to) return { ok: false, error: '"From" must be before "to"' };
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  if (filters.includeNoise) params.set('includeNoise', 'true');
  if (cursor) params.set('cursor', cursor);
  params.set('limit', String(limit));
  return { ok: true, query: params.toString() };
}

/** True when any filter narrows the log (for the empty state's wording). */
export function hasActiveFilters(filters: LogFilters): boolean {
  return (
    filters.q.trim() !== '' ||
    filters.errorsOnly ||
    filters.model.trim() !== '' ||
    filters.customerId !== '' ||
    filters.apiKeyId !== '' ||
    filters.dialect !== '' ||
    filters.from !== '' ||
    filters.to !== ''
  );
}
