import type { CustomerStatus } from '@ollama-gateway/contracts';
import { AppError, notFound } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';
import type { BudgetPeriod } from '../tables/customers.table.js';
import { isUuid, pgConstraint, pgErrorCode } from './common.js';
import { type Customer, createCustomersRepository } from './customers.repository.js';
import { createPlansRepository } from './plans.repository.js';

/** Fields left out are unchanged; `budget: null` removes the cap, `planName: null` removes the plan. */
export interface UpdateCustomerInput {
  name?: string;
  email?: string | null;
  budget?: number | null;
  status?: CustomerStatus;
  /** By name, case-insensitive; unknown names are rejected (404 `plan_not_found`). */
  planName?: string | null;
  budgetPeriod?: BudgetPeriod;
  /** 1-100; null = the gateway default (BUDGET_SOFT_LIMIT_PERCENT). */
  softLimitPercent?: number | null;
  /** http(s) URL; null = the gateway default (BUDGET_WEBHOOK_URL). */
  webhookUrl?: string | null;
  /** Percent on the default prices, ≥ -100 (0 = the default prices). */
  markupPercent?: number;
}

export interface CustomerUpdatesRepository {
  /** The updated customer, or null when there is none with this id. 409 `customer_email_taken` for a used email. */
  update(id: string, input: UpdateCustomerInput): Promise<Customer | null>;
}

export function createCustomerUpdatesRepository(db: Db): CustomerUpdatesRepository {
  const customers = createCustomersRepository(db);
  const plans = createPlansRepository(db);
  return {
    async update(id, input) {
      if (!isUuid(id)) return null;
      let planId: string | null | undefined;
      if (input.planName === null) planId = null;
      else if (input.planName !== undefined) {
        const plan = await plans.findByName(input.planName);
        if (!plan)
          throw notFound(
            `No plan named "${input.planName}"; plans: ${(await plans.list()).map((p) => p.name).join(', ')}`,
            { code: 'plan_not_found', param: 'plan' },
          );
        planId = plan.id;
      }
      try {
        const result = await db
          .updateTable('customers')
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.email !== undefined ? { email: input.email } : {}),
            ...(input.budget !== undefined ? { budget: input.budget } : {}),
            ...(input.status !== undefined ? { status: input.status } : {}),
            ...(planId !== undefined ? { plan_id: planId } : {}),
            ...(input.budgetPeriod !== undefined ? { budget_period: input.budgetPeriod } : {}),
            ...(input.softLimitPercent !== undefined ? { soft_limit_percent: input.softLimitPercent } : {}),
            ...(input.webhookUrl !== undefined ? { webhook_url: input.webhookUrl } : {}),
            ...(input.markupPercent !== undefined
              ? { price_markup_percent: String(input.markupPercent) }
              : {}),
            updated_at: sql<Date>`now()`,
          })
          .where('id', '=', id)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) return null;
      } catch (error) {
        if (pgErrorCode(error) === '23505' && pgConstraint(error) === 'customers_email_key')
          throw new AppError(409, 'invalid_request', `A customer with email ${input.email} already exists`, {
            code: 'customer_email_taken',
            param: 'email',
            cause: error,
          });
        throw error;
      }
      return customers.get(id);
    },
  };
}
