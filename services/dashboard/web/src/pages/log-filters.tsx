import { type Dialect, dialectSchema } from '@ollama-gateway/contracts';
import { type KeyboardEvent, useState } from 'react';
import { reads } from '../api.js';
import { useRange } from '../hooks/range.js';
import { useApi } from '../hooks/use-api.js';
import { emptyLogFilters, type LogFilters } from '../lib/log-query.js';
import { testIds } from '../test-ids.js';

/**
 * The request log's filters; every control applies on change. The page debounces the search text and applies it at
 * once on Enter (`onSearchNow`). Customer, key and model choices come from the analytics API.
 */
export function LogFiltersForm({
  filters,
  onChange,
  onSearchNow,
}: {
  filters: LogFilters;
  onChange: (f: LogFilters) => void;
  onSearchNow: (q: string) => void;
}) {
  const { query, selection } = useRange();
  // Open on wide screens; on a phone the filters start folded under the search box.
  const [wide] = useState(() => window.matchMedia?.('(min-width: 761px)').matches ?? true);
  const active = [
    filters.errorsOnly,
    filters.model.trim() !== '',
    filters.customerId !== '',
    filters.apiKeyId !== '',
    filters.dialect !== '',
    filters.from !== '' || filters.to !== '',
    filters.includeNoise,
  ].filter(Boolean).length;
  const customers = useApi(query ? reads.customers(query) : null, { poll: false });
  const keys = useApi(query && filters.customerId ? reads.keys(filters.customerId, query) : null, {
    poll: false,
  });
  const models = useApi(query ? reads.models(query) : null, { poll: false });
  const modelNames = [...new Set((models.data?.data ?? []).map((m) => m.model))].sort();

  const set = <K extends keyof LogFilters>(key: K, value: LogFilters[K]) =>
    onChange({ ...filters, [key]: value });

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onSearchNow(filters.q);
    }
  };

  return (
    <form
      className="card log-filters"
      aria-label="Filter the request log"
      onSubmit={(e) => e.preventDefault()}
      data-testid={testIds.logFilters}
    >
      <label className="field search-field">
        <span>Search prompts, responses and errors</span>
        <input
          type="search"
          value={filters.q}
          onChange={(e) => set('q', e.target.value)}
          onKeyDown={onSearchKey}
          placeholder={'words, "a phrase", -exclude'}
          maxLength={500}
          data-testid={testIds.logSearch}
        />
      </label>
      <details className="more-filters" open={wide}>
        <summary>More filters{active > 0 ? ` (${active} active)` : ''}</summary>
        <div className="filters-grid">
          <label className="field">
            <span>Model</span>
            <input
              list="log-model-names"
              value={filters.model}
              onChange={(e) => set('model', e.target.value)}
              placeholder="Any model"
              data-testid={testIds.logModel}
            />
            <datalist id="log-model-names">
              {modelNames.map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </label>
          <label className="field">
            <span>Customer</span>
            <select
              value={filters.customerId}
              onChange={(e) => onChange({ ...filters, customerId: e.target.value, apiKeyId: '' })}
              data-testid={testIds.logCustomer}
            >
              <option value="">Any customer</option>
              {(customers.data?.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Key</span>
            <select
              value={filters.apiKeyId}
              onChange={(e) => set('apiKeyId', e.target.value)}
              disabled={!filters.customerId}
              title={filters.customerId ? undefined : 'Choose a customer first'}
              data-testid={testIds.logKey}
            >
              <option value="">{filters.customerId ? 'Any key' : 'Choose a customer first'}</option>
              {(keys.data?.data ?? []).map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name} ({k.prefix}…)
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Dialect</span>
            <select
              value={filters.dialect}
              onChange={(e) => set('dialect', e.target.value as Dialect | '')}
              data-testid={testIds.logDialect}
            >
              <option value="">Any dialect</option>
              {dialectSchema.options.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>From ({selection.timeZone})</span>
            <input
              type="datetime-local"
              value={filters.from}
              onChange={(e) => set('from', e.target.value)}
              data-testid={testIds.logFrom}
            />
          </label>
          <label className="field">
            <span>To ({selection.timeZone})</span>
            <input
              type="datetime-local"
              value={filters.to}
              onChange={(e) => set('to', e.target.value)}
              data-testid={testIds.logTo}
            />
          </label>
          <div className="checks">
            <label className="check">
              <input
                type="checkbox"
                checked={filters.errorsOnly}
                onChange={(e) => set('errorsOnly', e.target.checked)}
                data-testid={testIds.logErrorsOnly}
              />
              Errors only
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={filters.includeNoise}
                onChange={(e) => set('includeNoise', e.target.checked)}
                data-testid={testIds.logIncludeNoise}
              />
              Show health checks and 404s
            </label>
            <button
              type="button"
              className="small"
              onClick={() => {
                onChange(emptyLogFilters);
                onSearchNow('');
              }}
            >
              Clear filters
            </button>
          </div>
        </div>
      </details>
    </form>
  );
}
