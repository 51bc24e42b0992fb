/**
 * Stable `data-testid`s for end-to-end tests (playwright: `page.getByTestId(testIds.loginForm)`). Components use these
 * constants, so renaming one here renames it everywhere. Plain data: safe to import from a node test.
 *
 * Session      login-form, login-secret, login-submit, login-error, logout
 * Shell        nav, nav-toggle, refresh-toggle (aria-pressed=true while paused), refresh-now, admin-disabled-note
 * Range        period-select, custom-from, custom-to, custom-apply, tz-select, tz-custom, range-error
 * Overview     stat-<name> (card; value inside in stat-<name>-value), chart-requests-cost, chart-tokens-per-second,
 *              chart-errors, chart-model-share, overview-empty
 * Tables       table-<name> (models, customers, keys, plans, prices, reference-prices, logs),
 *              export-csv-<name>, export-json-<name>, row-<name>-<id> (focusable row)
 * Models       table-models
 * Customers    customer-create-open, customer-create-form, customer-open-<id>, customer-edit-open,
 *              customer-edit-form, plan-edit-<name>, plan-edit-form
 * Keys         key-create-open, key-create-form, key-secret-modal, key-secret (readonly input holding the secret once),
 *              key-secret-copy, key-secret-done, key-edit-<id>, key-edit-form, revoke-key-<id>, revoke-confirm-<id>
 * Request log  log-search, log-filters, log-errors-only, log-include-noise, log-model, log-customer, log-key,
 *              log-dialect, log-from, log-to, log-row-<requestId>, log-older, log-newer, log-page,
 *              log-detail (the panel), log-detail-close, log-request-json, log-response-json, log-timings
 * Pricing      price-form, price-edit-<id>, reference-edit-<name>, reference-form, electricity-form,
 *              electricity-source
 * States       loading, error-box, error-retry, empty-state, modal-close
 */

export type StatName =
  | 'requests'
  | 'tokens-in'
  | 'tokens-out'
  | 'error-rate'
  | 'avg-latency'
  | 'p95-latency'
  | 'avg-ttft'
  | 'p95-ttft'
  | 'tokens-per-second'
  | 'energy'
  | 'electricity-cost'
  | 'billed'
  | 'reference-cost'
  | 'savings';

export const testIds = {
  loginForm: 'login-form',
  loginSecret: 'login-secret',
  loginSubmit: 'login-submit',
  loginError: 'login-error',
  logout: 'logout',

  nav: 'nav',
  navToggle: 'nav-toggle',
  refreshToggle: 'refresh-toggle',
  refreshNow: 'refresh-now',
  adminDisabledNote: 'admin-disabled-note',

  periodSelect: 'period-select',
  customFrom: 'custom-from',
  customTo: 'custom-to',
  customApply: 'custom-apply',
  tzSelect: 'tz-select',
  tzCustom: 'tz-custom',
  rangeError: 'range-error',

  stat: (name: StatName) => `stat-${name}`,
  statValue: (name: StatName) => `stat-${name}-value`,
  chartRequestsCost: 'chart-requests-cost',
  chartTokensPerSecond: 'chart-tokens-per-second',
  chartErrors: 'chart-errors',
  chartModelShare: 'chart-model-share',
  overviewEmpty: 'overview-empty',

  table: (name: string) => `table-${name}`,
  exportCsv: (name: string) => `export-csv-${name}`,
  exportJson: (name: string) => `export-json-${name}`,
  row: (name: string, id: string) => `row-${name}-${id}`,

  customerCreateOpen: 'customer-create-open',
  customerCreateForm: 'customer-create-form',
  customerOpen: (id: string) => `customer-open-${id}`,
  customerEditOpen: 'customer-edit-open',
  customerEditForm: 'customer-edit-form',
  planEdit: (name: string) => `plan-edit-${name}`,
  planEditForm: 'plan-edit-form',

  keyCreateOpen: 'key-create-open',
  keyCreateForm: 'key-create-form',
  keySecretModal: 'key-secret-modal',
  keySecret: 'key-secret',
  keySecretCopy: 'key-secret-copy',
  keySecretDone: 'key-secret-done',
  keyEdit: (id: string) => `key-edit-${id}`,
  keyEditForm: 'key-edit-form',
  revokeKey: (id: string) => `revoke-key-${id}`,
  revokeConfirm: (id: string) => `revoke-confirm-${id}`,

  logSearch: 'log-search',
  logFilters: 'log-filters',
  logErrorsOnly: 'log-errors-only',
  logIncludeNoise: 'log-include-noise',
  logModel: 'log-model',
  logCustomer: 'log-customer',
  logKey: 'log-key',
  logDialect: 'log-dialect',
  logFrom: 'log-from',
  logTo: 'log-to',
  logRow: (requestId: string) => `log-row-${requestId}`,
  logOlder: 'log-older',
  logNewer: 'log-newer',
  logPage: 'log-page',
  logDetail: 'log-detail',
  logDetailClose: 'log-detail-close',
  logRequestJson: 'log-request-json',
  logResponseJson: 'log-response-json',
  logTimings: 'log-timings',

  priceForm: 'price-form',
  priceEdit: (id: string) => `price-edit-${id}`,
  referenceEdit: (name: string) => `reference-edit-${name}`,
  referenceForm: 'reference-form',
  electricityForm: 'electricity-form',
  electricitySource: 'electricity-source',

  loading: 'loading',
  errorBox: 'error-box',
  errorRetry: 'error-retry',
  emptyState: 'empty-state',
  modalClose: 'modal-close',
} as const;
