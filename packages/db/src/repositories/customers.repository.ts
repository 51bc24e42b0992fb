import type { CustomerStatus } from '@ollama-gateway/contracts';
import { AppError, notFound } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';
import type { BudgetPeriod } from '../tables/customers.table.js';
import { isUuid, pgConstraint, pgErrorCode, toNumber, toNumberOrNull } from './common.js';

export interface Customer {
  id: string;
  name: string;
  email: string | null;
  planId: string | null;
  planName: string | null;
  /** Monthly spending cap in the configured currency; null = none. */
  budget: number | null;
  status: CustomerStatus;
  /** 'monthly' (resets each calendar month) or 'one_off' (a prepaid amount that never resets). */
  budgetPeriod: BudgetPeriod;
  /** Share of the budget (1-100) at which the soft-limit webhook fires; null = the gateway default. */
  softLimitPercent: number | null;
  /** Where the soft-limit webhook is POSTed; null = the gateway default (BUDGET_WEBHOOK_URL). */
  webhookUrl: string | null;
  /** Percent added to the default prices for this customer (negative = discount). */
  markupPercent: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateCustomerInput {
  name: string;
  email?: string | null;
  budget?: number | null;
  /** A plan by name, case-insensitive (`Free`, `Pro`…); unknown names are rejected. */
  planName?: string | null;
}

export interface CustomersRepository {
  /** Throws AppError 404 `plan_not_found` for an unknown plan, 409 `customer_email_taken` for a used email. */
  create(input: CreateCustomerInput): Promise<Customer>;
  /** Every customer, oldest first. */
  list(): Promise<Customer[]>;
  /** null when there is no such customer (or `id` is not a UUID). */
  get(id: string): Promise<Customer | null>;
}

export function createCustomersRepository(db: Db): CustomersRepository {
  const selectCustomers = () =>
    db
      .selectFrom('customers')
      .leftJoin('plans', 'plans.id', 'customers.plan_id')
      .select([
        'customers.id',
        'customers.name',
        'customers.email',
        'customers.plan_id',
        'plans.name as plan_name',
        'customers.budget',
        'customers.status',
        'customers.budget_period',
        'customers.soft_limit_percent',
        'customers.webhook_url',
        'customers.price_markup_percent',
        'customers.created_at',
        'customers.updated_at',
      ]);
  type Row = Awaited<ReturnType<ReturnType<typeof selectCustomers>['executeTakeFirstOrThrow']>>;
  const toCustomer = (row: Row): Customer => ({
    id: row.id,
    name: row.name,
    email: row.email,
    planId: row.plan_id,
    planName: row.plan_name,
    budget: toNumberOrNull(row.budget),
    status: row.status,
    budgetPeriod: row.budget_period,
    softLimitPercent: row.soft_limit_percent,
    webhookUrl: row.webhook_url,
    markupPercent: toNumber(row.price_markup_percent),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  async function findPlanId(planName: string): Promise<string> {
    // Smallest quota first, unlimited last: Free, Basic, Pro, Business, Enterprise.
    const plans = await db
      .selectFrom('plans')
      .select(['id', 'name'])
      .orderBy(sql`monthly_request_quota IS NULL`)
      .orderBy('monthly_request_quota')
      .orderBy('name')
      .execute();
    const plan = plans.find((p) => p.name.toLowerCase() === planName.toLowerCase());
    if (!plan)
      throw notFound(`No plan named "${planName}"; plans: ${plans.map((p) => p.name).join(', ')}`, {
        code: 'plan_not_found',
        param: 'plan',
      });
    return plan.id;
  }

  async function get(id: string): Promise<Customer | null> {
    if (!isUuid(id)) return null;
    const row = await selectCustomers().where('customers.id', '=', id).executeTakeFirst();
    return row ? toCustomer(row) : null;
  }

  return {
    async create(input) {
      const planId = input.planName ? await findPlanId(input.planName) : null;
      try {
        const { id } = await db
          .insertInto('customers')
          .values({
            name: input.name,
            email: input.email ?? null,
            budget: input.budget ?? null,
            plan_id: planId,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return (await get(id))!;
      } catch (error) {
        if (pgErrorCode(error) === '23505' && pgConstraint(error) === 'customers_email_key')
          throw new AppError(409, 'invalid_request', `A customer with email ${input.email} already exists`, {
            code: 'customer_email_taken',
            param: 'email',
            cause: error,
          });
        throw error;
      }
    },

    async list() {
      const rows = await selectCustomers().orderBy('customers.created_at').orderBy('customers.id').execute();
      return rows.map(toCustomer);
    },

    get,
  };
}
