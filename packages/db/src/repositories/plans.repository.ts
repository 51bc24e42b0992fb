import { notFound } from '@ollama-gateway/runtime';
import { sql } from 'kysely';
import type { Db } from '../connection.js';

/** A plan: monthly quotas (null = unlimited) and a monthly price (exact decimal string). */
export interface Plan {
  id: string;
  name: string;
  monthlyRequestQuota: number | null;
  monthlyTokenQuota: number | null;
  monthlyPrice: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields left out are unchanged; null quota = unlimited. */
export interface UpdatePlanInput {
  monthlyRequestQuota?: number | null;
  monthlyTokenQuota?: number | null;
  monthlyPrice?: number | string;
}

export interface PlansRepository {
  /** Smallest request quota first, unlimited last (Free, Basic, Pro, Business, Enterprise). */
  list(): Promise<Plan[]>;
  /** By name, case-insensitive; null when none. */
  findByName(name: string): Promise<Plan | null>;
  /** Throws AppError 404 `plan_not_found` (naming the plans) for an unknown name. */
  update(name: string, input: UpdatePlanInput): Promise<Plan>;
}

const COLUMNS = [
  'id',
  'name',
  'monthly_request_quota',
  'monthly_token_quota',
  'monthly_price',
  'created_at',
  'updated_at',
] as const;

type Row = {
  id: string;
  name: string;
  monthly_request_quota: string | null;
  monthly_token_quota: string | null;
  monthly_price: string;
  created_at: Date;
  updated_at: Date;
};

const toPlan = (row: Row): Plan => ({
  id: row.id,
  name: row.name,
  monthlyRequestQuota: row.monthly_request_quota === null ? null : Number(row.monthly_request_quota),
  monthlyTokenQuota: row.monthly_token_quota === null ? null : Number(row.monthly_token_quota),
  monthlyPrice: row.monthly_price,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function createPlansRepository(db: Db): PlansRepository {
  async function list(): Promise<Plan[]> {
    const rows = await db
      .selectFrom('plans')
      .select(COLUMNS)
      .orderBy(sql`monthly_request_quota IS NULL`)
      .orderBy('monthly_request_quota')
      .orderBy('name')
      .execute();
    return rows.map(toPlan);
  }
  async function findByName(name: string): Promise<Plan | null> {
    const row = await db
      .selectFrom('plans')
      .select(COLUMNS)
      .where(sql`lower(name)`, '=', name.toLowerCase())
      .executeTakeFirst();
    return row ? toPlan(row) : null;
  }
  return {
    list,
    findByName,
    async update(name, input) {
      const plan = await findByName(name);
      if (!plan)
        throw notFound(`No plan named "${name}"; plans: ${(await list()).map((p) => p.name).join(', ')}`, {
          code: 'plan_not_found',
          param: 'plan',
        });
      const row = await db
        .updateTable('plans')
        .set({
          ...(input.monthlyRequestQuota !== undefined
            ? { monthly_request_quota: input.monthlyRequestQuota }
            : {}),
          ...(input.monthlyTokenQuota !== undefined ? { monthly_token_quota: input.monthlyTokenQuota } : {}),
          ...(input.monthlyPrice !== undefined ? { monthly_price: input.monthlyPrice } : {}),
          updated_at: sql<Date>`now()`,
        })
        .where('id', '=', plan.id)
        .returning(COLUMNS)
        .executeTakeFirstOrThrow();
      return toPlan(row);
    },
  };
}
