import { badRequest } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';
import { isUuid } from './common.js';

/**
 * Reports read straight from the ledger (usage_events). Every sum is computed by Postgres in `numeric` and returned as
 * an exact decimal string, so totals equal the sum of the rows to the last digit: no JS float ever touches money.
 */

/** Sums over a set of usage events. Money and energy are exact decimal strings (e.g. "0.012500000"). */
export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  totalCost: string;
  energyWh: string;
  electricityCost: string;
  referenceCost: string;
}

export interface UsageReportRow extends UsageTotals {
  model: string;
}

export interface UsageReport {
  customerId: string;
  /** Inclusive start, exclusive end. */
  from: Date;
  to: Date;
  currency: string;
  rows: UsageReportRow[];
  totals: UsageTotals;
}

export interface BillingPeriod {
  /** `YYYY-MM` */
  month: string;
  timeZone: string;
  from: Date;
  to: Date;
}

export interface InvoiceLine {
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  amount: string;
}

export interface Invoice {
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  period: BillingPeriod;
  currency: string;
  plan: { name: string; monthlyPrice: string } | null;
  lines: InvoiceLine[];
  requests: number;
  totalTokens: number;
  /** Sum of the usage lines. */
  usageAmount: string;
  /** usageAmount + the plan's monthly price. */
  totalAmount: string;
}

/** One ledger row as exported (CSV/JSON). */
export interface UsageExportRow {
  requestId: string;
  occurredAt: Date;
  apiKeyId: string | null;
  model: string;
  provider: string;
  endpoint: string;
  dialect: string;
  status: number;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  totalMs: number;
  inputCost: string;
  outputCost: string;
  requestCost: string;
  totalCost: string;
  energyWh: string;
  electricityCost: string;
  referenceCost: string;
  currency: string;
}

/** A customer's usage in the current billing period, with quota and budget left. */
export interface PeriodUsage {
  customerId: string;
  period: BillingPeriod;
  usage: UsageTotals;
  plan: {
    name: string;
    requestQuota: number | null;
    tokenQuota: number | null;
    requestsRemaining: number | null;
    tokensRemaining: number | null;
  } | null;
  /** null when the customer has no budget. */
  budget: { limit: string; spent: string; remaining: string } | null;
}

export interface UsageReportsRepository {
  /** Per model (alphabetical) and in total, for events with from <= occurred_at < to. */
  report(customerId: string, from: Date, to: Date): Promise<UsageReport>;
  /** The calendar month `YYYY-MM` in `timeZone` as [from, to). Throws 400 for a bad month or zone. */
  monthBounds(month: string, timeZone: string): Promise<BillingPeriod>;
  /** The calendar month containing `at` (default now) in `timeZone`. */
  currentPeriod(timeZone: string, at?: Date): Promise<BillingPeriod>;
  /** The monthly statement; null when the customer does not exist. */
  invoice(customerId: string, month: string, timeZone: string): Promise<Invoice | null>;
  /** Ledger rows oldest first, read in pages of `pageSize` (keyset on id): memory stays flat for any range. */
  exportRows(customerId: string, from: Date, to: Date, pageSize?: number): AsyncGenerator<UsageExportRow>;
  /** Usage this period, plan quota and budget left; null when the customer does not exist. */
  periodUsage(customerId: string, timeZone: string, at?: Date): Promise<PeriodUsage | null>;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether Postgres (and Intl) know the zone, e.g. `UTC`, `Europe/Berlin`. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

type TotalsRow = {
  requests: string;
  prompt_tokens: string;
  completion_tokens: string;
  total_cost: string;
  energy_wh: string;
  electricity_cost: string;
  reference_cost: string;
};

const SUMS = sql`count(*)::int8 AS requests,
  coalesce(sum(prompt_tokens), 0)::int8 AS prompt_tokens,
  coalesce(sum(completion_tokens), 0)::int8 AS completion_tokens,
  coalesce(sum(total_cost), 0)::numeric(20, 9)::text AS total_cost,
  coalesce(sum(energy_wh), 0)::numeric(20, 9)::text AS energy_wh,
  coalesce(sum(electricity_cost), 0)::numeric(20, 9)::text AS electricity_cost,
  coalesce(sum(reference_cost), 0)::numeric(20, 9)::text AS reference_cost`;

function toTotals(row: TotalsRow): UsageTotals {
  const promptTokens = Number(row.prompt_tokens);
  const completionTokens = Number(row.completion_tokens);
  return {
    requests: Number(row.requests),
    promptTokens,
    completionTokens,
    totalTokens: promptTokens + completionTokens,
    totalCost: row.total_cost,
    energyWh: row.energy_wh,
    electricityCost: row.electricity_cost,
    referenceCost: row.reference_cost,
  };
}

export function createUsageReportsRepository(db: Db): UsageReportsRepository {
  function checkZone(timeZone: string) {
    if (!isValidTimeZone(timeZone))
      throw badRequest(`Unknown time zone "${timeZone}" (use an IANA name such as UTC or Europe/Berlin)`, {
        code: 'invalid_time_zone',
      });
  }

  async function monthBounds(month: string, timeZone: string): Promise<BillingPeriod> {
    if (!MONTH_RE.test(month))
      throw badRequest(`"${month}" is not a month: use YYYY-MM, e.g. 2025-07`, {
        code: 'invalid_month',
        param: 'month',
      });
    checkZone(timeZone);
    const { rows } = await sql<{ from: Date; to: Date }>`
      SELECT (${`${month}-01`}::timestamp AT TIME ZONE ${timeZone}) AS "from",
             ((${`${month}-01`}::timestamp + interval '1 month') AT TIME ZONE ${timeZone}) AS "to"`.execute(
      db,
    );
    return { month, timeZone, from: rows[0]!.from, to: rows[0]!.to };
  }

  async function currentPeriod(timeZone: string, at = new Date()): Promise<BillingPeriod> {
    checkZone(timeZone);
    const { rows } = await sql<{ month: string }>`
      SELECT to_char(${at}::timestamptz AT TIME ZONE ${timeZone}, 'YYYY-MM') AS month`.execute(db);
    return monthBounds(rows[0]!.month, timeZone);
  }

  async function totals(customerId: string, from: Date, to: Date): Promise<UsageTotals> {
    const { rows } = await sql<TotalsRow>`
      SELECT ${SUMS} FROM usage_events
      WHERE customer_id = ${customerId} AND occurred_at >= ${from} AND occurred_at < ${to}`.execute(db);
    return toTotals(rows[0]!);
  }

  async function report(customerId: string, from: Date, to: Date): Promise<UsageReport> {
    if (!isUuid(customerId))
      return { customerId, from, to, currency: 'USD', rows: [], totals: toTotals(ZERO_ROW) };
    const { rows } = await sql<TotalsRow & { model: string; currency: string }>`
      SELECT model, min(currency) AS currency, ${SUMS} FROM usage_events
      WHERE customer_id = ${customerId} AND occurred_at >= ${from} AND occurred_at < ${to}
      GROUP BY model ORDER BY model`.execute(db);
    return {
      customerId,
      from,
      to,
      currency: rows[0]?.currency ?? 'USD',
      rows: rows.map((row) => ({ model: row.model, ...toTotals(row) })),
      totals: await totals(customerId, from, to),
    };
  }

  return {
    report,
    monthBounds,
    currentPeriod,

    async invoice(customerId, month, timeZone) {
      const period = await monthBounds(month, timeZone);
      if (!isUuid(customerId)) return null;
      const customer = await db
        .selectFrom('customers')
        .leftJoin('plans', 'plans.id', 'customers.plan_id')
        .select(['customers.name', 'customers.email', 'plans.name as plan_name', 'plans.monthly_price'])
        .where('customers.id', '=', customerId)
        .executeTakeFirst();
      if (!customer) return null;
      const usage = await report(customerId, period.from, period.to);
      const planPrice = customer.monthly_price ?? '0';
      const { rows } = await sql<{ total: string }>`
        SELECT (${usage.totals.totalCost}::numeric + ${planPrice}::numeric)::numeric(20, 9)::text AS total`.execute(
        db,
      );
      return {
        customerId,
        customerName: customer.name,
        customerEmail: customer.email,
        period,
        currency: usage.currency,
        plan: customer.plan_name ? { name: customer.plan_name, monthlyPrice: planPrice } : null,
        lines: usage.rows.map((r) => ({
          model: r.model,
          requests: r.requests,
          promptTokens: r.promptTokens,
          completionTokens: r.completionTokens,
          totalTokens: r.totalTokens,
          amount: r.totalCost,
        })),
        requests: usage.totals.requests,
        totalTokens: usage.totals.totalTokens,
        usageAmount: usage.totals.totalCost,
        totalAmount: rows[0]!.total,
      };
    },

    async *exportRows(customerId, from, to, pageSize = 1000) {
      if (!isUuid(customerId)) return;
      let after = '0';
      for (;;) {
        const { rows } = await sql<ExportSqlRow>`
          SELECT id::text, request_id, occurred_at, api_key_id, model, provider, endpoint, dialect, status, stream,
                 prompt_tokens, completion_tokens, total_tokens, total_ms,
                 input_cost::text, output_cost::text, request_cost::text, total_cost::text, energy_wh::text,
                 electricity_cost::text, reference_cost::text, currency
          FROM usage_events
          WHERE customer_id = ${customerId} AND occurred_at >= ${from} AND occurred_at < ${to}
            AND id > ${after}::int8
          ORDER BY usage_events.id LIMIT ${pageSize}`.execute(db);
        for (const row of rows) yield toExportRow(row);
        if (rows.length < pageSize) return;
        after = rows[rows.length - 1]!.id;
      }
    },

    async periodUsage(customerId, timeZone, at) {
      if (!isUuid(customerId)) return null;
      const period = await currentPeriod(timeZone, at);
      const customer = await db
        .selectFrom('customers')
        .leftJoin('plans', 'plans.id', 'customers.plan_id')
        .select([
          'customers.budget',
          'plans.name as plan_name',
          'plans.monthly_request_quota',
          'plans.monthly_token_quota',
        ])
        .where('customers.id', '=', customerId)
        .executeTakeFirst();
      if (!customer) return null;
      const usage = await totals(customerId, period.from, period.to);
      let budget: PeriodUsage['budget'] = null;
      if (customer.budget !== null) {
        const { rows } = await sql<{ limit: string; remaining: string }>`
          SELECT ${customer.budget}::numeric::text AS "limit",
                 greatest(${customer.budget}::numeric - ${usage.totalCost}::numeric, 0)::numeric(20, 9)::text AS remaining`.execute(
          db,
        );
        budget = { limit: rows[0]!.limit, spent: usage.totalCost, remaining: rows[0]!.remaining };
      }
      const requestQuota =
        customer.monthly_request_quota === null ? null : Number(customer.monthly_request_quota);
      const tokenQuota = customer.monthly_token_quota === null ? null : Number(customer.monthly_token_quota);
      return {
        customerId,
        period,
        usage,
        plan: customer.plan_name
          ? {
              name: customer.plan_name,
              requestQuota,
              tokenQuota,
              requestsRemaining: requestQuota === null ? null : Math.max(requestQuota - usage.requests, 0),
              tokensRemaining: tokenQuota === null ? null : Math.max(tokenQuota - usage.totalTokens, 0),
            }
          : null,
        budget,
      };
    },
  };
}

const ZERO_ROW: TotalsRow = {
  requests: '0',
  prompt_tokens: '0',
  completion_tokens: '0',
  total_cost: '0.000000000',
  energy_wh: '0.000000000',
  electricity_cost: '0.000000000',
  reference_cost: '0.000000000',
};

type ExportSqlRow = {
  id: string;
  request_id: string;
  occurred_at: Date;
  api_key_id: string | null;
  model: string;
  provider: string;
  endpoint: string;
  dialect: string;
  status: number;
  stream: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  total_ms: number;
  input_cost: string;
  output_cost: string;
  request_cost: string;
  total_cost: string;
  energy_wh: string;
  electricity_cost: string;
  reference_cost: string;
  currency: string;
};

function toExportRow(row: ExportSqlRow): UsageExportRow {
  return {
    requestId: row.request_id,
    occurredAt: row.occurred_at,
    apiKeyId: row.api_key_id,
    model: row.model,
    provider: row.provider,
    endpoint: row.endpoint,
    dialect: row.dialect,
    status: row.status,
    stream: row.stream,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    totalMs: row.total_ms,
    inputCost: row.input_cost,
    outputCost: row.output_cost,
    requestCost: row.request_cost,
    totalCost: row.total_cost,
    energyWh: row.energy_wh,
    electricityCost: row.electricity_cost,
    referenceCost: row.reference_cost,
    currency: row.currency,
  };
}
