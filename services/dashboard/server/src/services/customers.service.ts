import type { CustomerSummary, CustomersResponse, KeysResponse } from '@ollama-gateway/contracts';
import { notFound } from '@ollama-gateway/runtime';
import type { CustomersRepository } from '../repositories/customers.repository.js';
import type { KeyUsageRepository } from '../repositories/key-usage.repository.js';
import { EMPTY_KEY_SUMS } from '../repositories/usage-sums.sql.js';
import { type Range, toResolvedRange } from './range.service.js';
import { billingPeriodOf } from './time-zone.js';

export interface CustomersService {
  /** Every customer: usage in the range, standing in the current billing period; most requests first, then by name. */
  list(range: Range): Promise<CustomersResponse>;
  /** A customer's keys with their usage in the range, newest first; 404 when the customer does not exist. */
  keys(customerId: string, range: Range): Promise<KeysResponse>;
}

export function createCustomersService(deps: {
  customers: CustomersRepository;
  /** key_daily for the whole UTC days of a range, usage_hourly for its edges. */
  usage: KeyUsageRepository;
  /** BILLING_TIME_ZONE: its calendar months are the budget and quota periods (customer_spend.period). */
  billingTimeZone: string;
  now: () => Date;
}): CustomersService {
  return {
    async list(range) {
      const period = billingPeriodOf(deps.now(), deps.billingTimeZone);
      const [rows, usage] = await Promise.all([deps.customers.list(period), deps.usage.byCustomer(range)]);
      const data: CustomerSummary[] = rows.map((row) => {
        const sums = usage.get(row.id) ?? EMPTY_KEY_SUMS;
        return {
          id: row.id,
          name: row.name,
          email: row.email,
          status: row.status,
          plan: row.plan_name
            ? {
                name: row.plan_name,
                monthlyRequestQuota: row.monthly_request_quota,
                monthlyTokenQuota: row.monthly_token_quota,
              }
            : null,
          budget: row.budget,
          budgetPeriod: row.budget_period,
          markupPercent: row.markup_percent,
          createdAt: row.created_at.toISOString(),
          keys: row.keys,
          requests: sums.requests,
          errors: sums.errors,
          promptTokens: sums.prompt_tokens,
          completionTokens: sums.completion_tokens,
          billed: sums.billed,
          periodRequests: row.period_requests,
          periodTokens: row.period_tokens,
          periodSpend: row.period_spend,
        };
      });
      // Stable: the repository lists by name, so equal request counts keep that order.
      data.sort((a, b) => b.requests - a.requests);
      return { range: toResolvedRange(range), data };
    },

    async keys(customerId, range) {
      const [exists, keys, usage] = await Promise.all([
        deps.customers.exists(customerId),
        deps.customers.keys(customerId),
        deps.usage.byKey(customerId, range),
      ]);
      if (!exists) throw notFound(`No customer with id ${customerId}`, { code: 'not_found' });
      return {
        range: toResolvedRange(range),
        data: keys.map((key) => {
          const sums = usage.get(key.id) ?? EMPTY_KEY_SUMS;
          return {
            id: key.id,
            customerId: key.customer_id,
            name: key.name,
            prefix: key.prefix,
            isAdmin: key.is_admin,
            allowedModels: key.allowed_models,
            allowedEndpoints: key.allowed_endpoints,
            rpmLimit: key.rpm_limit,
            tpmLimit: key.tpm_limit,
            maxConcurrency: key.max_concurrency,
            expiresAt: key.expires_at?.toISOString() ?? null,
            revokedAt: key.revoked_at?.toISOString() ?? null,
            lastUsedAt: key.last_used_at?.toISOString() ?? null,
            createdAt: key.created_at.toISOString(),
            requests: sums.requests,
            promptTokens: sums.prompt_tokens,
            completionTokens: sums.completion_tokens,
            billed: sums.billed,
          };
        }),
      };
    },
  };
}
