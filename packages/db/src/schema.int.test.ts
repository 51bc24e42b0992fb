/**
 * The Kysely `Database` type against the live schema. Types are erased at run time, so `EXPECTED` below restates them
 * as data; its type is computed from `Database`, so `npm run typecheck:tests` (tsc -p packages/db/tsconfig.test.json)
 * fails when the literal and the table types disagree (a missing, extra or differently typed column). This test then
 * compares the literal with information_schema: together they prove types == schema.
 */
import { type SelectType, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

/** What a column reads as through pg: `number`, `string` (text, uuid, numeric, int8), `Date`, `string[]`, `json`. */
type Kind<S> = [unknown] extends [S]
  ? 'json'
  : S extends Date
    ? 'Date'
    : S extends boolean
      ? 'boolean'
      : S extends number
        ? 'number'
        : S extends string[]
          ? 'string[]'
          : S extends string
            ? 'string'
            : 'unsupported';
/** `kind` or `kind|null`. jsonb reads as `unknown`, which cannot say whether it is nullable: those are just `json`. */
type ColumnSpec<C> = [unknown] extends [SelectType<C>]
  ? 'json'
  : `${Kind<NonNullable<SelectType<C>>>}${null extends SelectType<C> ? '|null' : ''}`;
type Expected = { [T in keyof Database]: { [C in keyof Database[T]]-?: ColumnSpec<Database[T][C]> } };

const EXPECTED: Expected = {
  schema_migrations: { version: 'string', applied_at: 'Date' },
  plans: {
    id: 'string',
    name: 'string',
    monthly_request_quota: 'string|null',
    monthly_token_quota: 'string|null',
    monthly_price: 'string',
    created_at: 'Date',
    updated_at: 'Date',
  },
  customers: {
    id: 'string',
    name: 'string',
    email: 'string|null',
    plan_id: 'string|null',
    budget: 'string|null',
    status: 'string',
    budget_period: 'string',
    soft_limit_percent: 'number|null',
    webhook_url: 'string|null',
    price_markup_percent: 'string',
    created_at: 'Date',
    updated_at: 'Date',
  },
  api_keys: {
    id: 'string',
    customer_id: 'string',
    name: 'string',
    prefix: 'string',
    secret_hash: 'string',
    is_admin: 'boolean',
    allowed_models: 'string[]|null',
    allowed_endpoints: 'string[]|null',
    rpm_limit: 'number|null',
    tpm_limit: 'number|null',
    max_concurrency: 'number|null',
    priority: 'number',
    expires_at: 'Date|null',
    revoked_at: 'Date|null',
    last_used_at: 'Date|null',
    created_at: 'Date',
  },
  pricing: {
    id: 'string',
    provider: 'string',
    model: 'string',
    input_per_million: 'string',
    output_per_million: 'string',
    per_request: 'string',
    effective_from: 'Date',
    created_at: 'Date',
    customer_id: 'string|null',
  },
  reference_prices: {
    id: 'string',
    name: 'string',
    input_per_million: 'string',
    output_per_million: 'string',
    is_default: 'boolean',
    updated_at: 'Date',
  },
  settings: { key: 'string', value: 'json', updated_at: 'Date' },
  usage_events: {
    id: 'string',
    request_id: 'string',
    occurred_at: 'Date',
    recorded_at: 'Date',
    customer_id: 'string|null',
    api_key_id: 'string|null',
    model: 'string',
    upstream_model: 'string|null',
    provider: 'string',
    upstream_host: 'string|null',
    endpoint: 'string',
    dialect: 'string',
    status: 'number',
    error_code: 'string|null',
    stream: 'boolean',
    prompt_tokens: 'number',
    completion_tokens: 'number',
    total_tokens: 'number',
    total_ms: 'number',
    ttft_ms: 'number|null',
    gateway_overhead_ms: 'number|null',
    load_duration_ns: 'string|null',
    prompt_eval_duration_ns: 'string|null',
    eval_duration_ns: 'string|null',
    total_duration_ns: 'string|null',
    client_ip: 'string|null',
    user_agent: 'string|null',
    pricing_id: 'string|null',
    input_cost: 'string',
    output_cost: 'string',
    request_cost: 'string',
    total_cost: 'string',
    energy_wh: 'string',
    electricity_cost: 'string',
    reference_cost: 'string',
    currency: 'string',
    input_price_per_million: 'string',
    output_price_per_million: 'string',
    request_price: 'string',
    markup_percent: 'string',
    gpu_watts: 'string',
    electricity_price_per_kwh: 'string',
    cache_status: 'string|null',
  },
  customer_spend: {
    customer_id: 'string',
    period: 'Date',
    requests: 'string',
    prompt_tokens: 'string',
    completion_tokens: 'string',
    total_cost: 'string',
    updated_at: 'Date',
  },
  usage_hourly: {
    bucket: 'Date',
    customer_id: 'string|null',
    api_key_id: 'string|null',
    model: 'string',
    provider: 'string',
    upstream_host: 'string|null',
    requests: 'string',
    errors: 'string',
    stream_requests: 'string',
    prompt_tokens: 'string',
    completion_tokens: 'string',
    total_ms_sum: 'number',
    ttft_ms_sum: 'number',
    ttft_count: 'string',
    eval_duration_ns_sum: 'string',
    total_cost: 'string',
    energy_wh: 'string',
    electricity_cost: 'string',
    reference_cost: 'string',
  },
  model_hourly: {
    bucket: 'Date',
    model: 'string',
    provider: 'string',
    upstream_host: 'string|null',
    requests: 'string',
    errors: 'string',
    stream_requests: 'string',
    prompt_tokens: 'string',
    completion_tokens: 'string',
    total_ms_sum: 'number',
    ttft_ms_sum: 'number',
    ttft_count: 'string',
    eval_duration_ns_sum: 'string',
    eval_completion_tokens: 'string',
    total_cost: 'string',
    energy_wh: 'string',
    electricity_cost: 'string',
    reference_cost: 'string',
    latency_hist: 'string[]',
    ttft_hist: 'string[]',
  },
  model_daily: {
    day: 'Date',
    model: 'string',
    provider: 'string',
    upstream_host: 'string|null',
    requests: 'string',
    errors: 'string',
    stream_requests: 'string',
    prompt_tokens: 'string',
    completion_tokens: 'string',
    total_ms_sum: 'number',
    ttft_ms_sum: 'number',
    ttft_count: 'string',
    eval_duration_ns_sum: 'string',
    eval_completion_tokens: 'string',
    total_cost: 'string',
    energy_wh: 'string',
    electricity_cost: 'string',
    reference_cost: 'string',
    latency_hist: 'string[]',
    ttft_hist: 'string[]',
  },
  key_daily: {
    day: 'Date',
    customer_id: 'string|null',
    api_key_id: 'string|null',
    requests: 'string',
    errors: 'string',
    prompt_tokens: 'string',
    completion_tokens: 'string',
    total_cost: 'string',
  },
  request_logs: {
    id: 'string',
    request_id: 'string',
    occurred_at: 'Date',
    customer_id: 'string|null',
    api_key_id: 'string|null',
    model: 'string',
    endpoint: 'string',
    dialect: 'string',
    status: 'number',
    stream: 'boolean',
    duration_ms: 'number',
    request_body: 'json',
    response_body: 'json',
    error: 'string|null',
    search: 'string',
  },
  model_metadata: {
    model: 'string',
    family: 'string|null',
    parameter_size: 'string|null',
    quantization: 'string|null',
    context_length: 'number|null',
    embedding_length: 'number|null',
    capabilities: 'string[]',
    size_bytes: 'string|null',
    digest: 'string|null',
    updated_at: 'Date',
  },
};

/** How node-postgres returns each Postgres type with its default parsers. */
const KIND_OF_UDT: Record<string, string> = {
  int2: 'number',
  int4: 'number',
  float4: 'number',
  float8: 'number',
  int8: 'string',
  numeric: 'string',
  text: 'string',
  varchar: 'string',
  uuid: 'string',
  tsvector: 'string',
  bool: 'boolean',
  timestamptz: 'Date',
  date: 'Date',
  _text: 'string[]',
  _int8: 'string[]',
  jsonb: 'json',
  json: 'json',
};

/**
 * Generated columns cannot be declared NOT NULL in init.sql's style, so the catalog calls them nullable; these can never
 * be null (the reason says why), and their types say so. Each must really be a generated column.
 */
const GENERATED_NEVER_NULL: Record<string, string> = {
  'usage_events.total_tokens': 'prompt_tokens + completion_tokens, both NOT NULL',
  'request_logs.search': 'concatenation of tsvectors built from coalesce(...)',
};

interface LiveColumn {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

let testDb: TestDatabase;
let live: LiveColumn[];
let liveTables: string[];

beforeAll(async () => {
  testDb = await createTestDatabase('schema');
  live = (
    await sql<LiveColumn>`
      SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable, c.is_generated
        FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name, c.ordinal_position`.execute(testDb.db)
  ).rows;
  liveTables = (
    await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       ORDER BY table_name`.execute(testDb.db)
  ).rows.map((row) => row.table_name);
});
afterAll(async () => {
  await testDb?.drop();
});

describe('Kysely Database type vs the live schema', () => {
  it('has a table type for every table and a table for every table type', () => {
    expect(liveTables).toEqual(Object.keys(EXPECTED).sort());
  });

  it('has the same columns, both ways, in every table', () => {
    const problems: string[] = [];
    for (const table of liveTables) {
      const typed = Object.keys(EXPECTED[table as keyof Database] ?? {});
      const columns = live.filter((c) => c.table_name === table).map((c) => c.column_name);
      for (const column of columns)
        if (!typed.includes(column))
          problems.push(`${table}.${column} is in the database but not in the type`);
      for (const column of typed)
        if (!columns.includes(column))
          problems.push(`${table}.${column} is in the type but not in the database`);
    }
    expect(problems).toEqual([]);
  });

  it('types every column as pg returns it, nullable exactly when the column is', () => {
    const problems: string[] = [];
    for (const column of live) {
      const name = `${column.table_name}.${column.column_name}`;
      const typed = (EXPECTED as unknown as Record<string, Record<string, string>>)[column.table_name]?.[
        column.column_name
      ];
      if (typed === undefined) continue; // reported by the test above
      const kind = KIND_OF_UDT[column.udt_name];
      if (!kind) {
        problems.push(`${name}: Postgres type ${column.udt_name} has no entry in KIND_OF_UDT; add one`);
        continue;
      }
      const nullable = column.is_nullable === 'YES' && !(name in GENERATED_NEVER_NULL);
      const actual = kind === 'json' ? 'json' : `${kind}${nullable ? '|null' : ''}`;
      if (actual !== typed) problems.push(`${name}: the type says ${typed}, the database gives ${actual}`);
    }
    expect(problems).toEqual([]);
  });

  it('lists only generated columns as never-null exceptions', () => {
    for (const name of Object.keys(GENERATED_NEVER_NULL)) {
      const column = live.find((c) => `${c.table_name}.${c.column_name}` === name);
      expect(column, name).toBeDefined();
      expect(column?.is_generated, name).toBe('ALWAYS');
    }
  });
});
