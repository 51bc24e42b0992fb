import type { CustomerStatus } from '@ollama-gateway/contracts';
import { notFound } from '@ollama-gateway/runtime';
import type { Db } from '../connection.js';
import { isUuid, pgConstraint, pgErrorCode } from './common.js';

/** A key as operators see it: everything but the secret hash. */
export interface ApiKey {
  id: string;
  customerId: string;
  name: string;
  /** The visible start of the key, e.g. `sk-og-AbCd1234`. */
  prefix: string;
  isAdmin: boolean;
  /** Glob patterns (`llama3*`); null = every model. */
  allowedModels: string[] | null;
  /** null = every endpoint. */
  allowedEndpoints: string[] | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxConcurrency: number | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/** What the gateway's key check needs, in one row: the key, its limits and its customer's status. */
export interface AuthKey {
  id: string;
  customerId: string;
  name: string;
  prefix: string;
  isAdmin: boolean;
  allowedModels: string[] | null;
  allowedEndpoints: string[] | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxConcurrency: number | null;
  /** Fair-queue priority on a busy Ollama host: higher is served first (default 0). */
  priority: number;
  expiresAt: Date | null;
  revokedAt: Date | null;
  customerStatus: CustomerStatus;
}

export interface CreateApiKeyInput {
  customerId: string;
  name?: string;
  prefix: string;
  /** `hashApiKey(key, KEY_HASH_SECRET)`: the key itself is never stored. */
  secretHash: string;
  isAdmin?: boolean;
  allowedModels?: string[] | null;
  allowedEndpoints?: string[] | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  maxConcurrency?: number | null;
  /** Fair-queue priority (default 0; higher is served first when a host is busy). */
  priority?: number;
  expiresAt?: Date | null;
}

/** PATCH of a key: fields left out are unchanged; null clears (allowedModels null = every model). */
export interface UpdateApiKeyInput {
  name?: string;
  allowedModels?: string[] | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  maxConcurrency?: number | null;
  expiresAt?: Date | null;
}

export interface ApiKeysRepository {
  /** Throws AppError 404 `customer_not_found` when the customer does not exist. */
  create(input: CreateApiKeyInput): Promise<ApiKey>;
  /** The customer's keys, newest first, revoked and expired included. Never the hash. */
  listByCustomer(customerId: string): Promise<ApiKey[]>;
  /** Changes the fields given; the updated key (never the hash), or null when there is no such key. */
  update(id: string, input: UpdateApiKeyInput): Promise<ApiKey | null>;
  /** Sets revoked_at unless already set. Returns whether the key exists. */
  revoke(id: string): Promise<boolean>;
  /** The key with this secret hash, revoked or expired ones included (the caller decides), or null. */
  findByHash(secretHash: string): Promise<AuthKey | null>;
  findById(id: string): Promise<AuthKey | null>;
  /** Records use of a batch of keys in one UPDATE; never moves last_used_at backwards. Returns rows updated. */
  touchLastUsed(ids: string[], at: Date): Promise<number>;
}

const PUBLIC_COLUMNS = [
  'id',
  'customer_id',
  'name',
  'prefix',
  'is_admin',
  'allowed_models',
  'allowed_endpoints',
  'rpm_limit',
  'tpm_limit',
  'max_concurrency',
  'expires_at',
  'revoked_at',
  'last_used_at',
  'created_at',
] as const;

export function createApiKeysRepository(db: Db): ApiKeysRepository {
  const selectAuthKeys = () =>
    db
      .selectFrom('api_keys')
      .innerJoin('customers', 'customers.id', 'api_keys.customer_id')
      .select([
        'api_keys.id',
        'api_keys.customer_id',
        'api_keys.name',
        'api_keys.prefix',
        'api_keys.is_admin',
        'api_keys.allowed_models',
        'api_keys.allowed_endpoints',
        'api_keys.rpm_limit',
        'api_keys.tpm_limit',
        'api_keys.max_concurrency',
        'api_keys.priority',
        'api_keys.expires_at',
        'api_keys.revoked_at',
        'customers.status as customer_status',
      ]);
  type AuthRow = Awaited<ReturnType<ReturnType<typeof selectAuthKeys>['executeTakeFirstOrThrow']>>;
  const toAuthKey = (row: AuthRow): AuthKey => ({
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    prefix: row.prefix,
    isAdmin: row.is_admin,
    allowedModels: row.allowed_models,
    allowedEndpoints: row.allowed_endpoints,
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
    maxConcurrency: row.max_concurrency,
    priority: row.priority,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    customerStatus: row.customer_status,
  });

  return {
    async create(input) {
      if (!isUuid(input.customerId)) throw customerNotFound(input.customerId);
      try {
        const row = await db
          .insertInto('api_keys')
          .values({
            customer_id: input.customerId,
            name: input.name,
            prefix: input.prefix,
            secret_hash: input.secretHash,
            is_admin: input.isAdmin ?? false,
            allowed_models: input.allowedModels ?? null,
            allowed_endpoints: input.allowedEndpoints ?? null,
            rpm_limit: input.rpmLimit ?? null,
            tpm_limit: input.tpmLimit ?? null,
            max_concurrency: input.maxConcurrency ?? null,
            ...(input.priority === undefined ? {} : { priority: input.priority }),
            expires_at: input.expiresAt ?? null,
          })
          .returning(PUBLIC_COLUMNS)
          .executeTakeFirstOrThrow();
        return toApiKey(row);
      } catch (error) {
        if (pgErrorCode(error) === '23503' && pgConstraint(error) === 'api_keys_customer_id_fkey')
          throw customerNotFound(input.customerId, error);
        throw error;
      }
    },

    async listByCustomer(customerId) {
      if (!isUuid(customerId)) return [];
      const rows = await db
        .selectFrom('api_keys')
        .select(PUBLIC_COLUMNS)
        .where('customer_id', '=', customerId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    },

    async update(id, input) {
      if (!isUuid(id)) return null;
      const changes = {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.allowedModels !== undefined ? { allowed_models: input.allowedModels } : {}),
        ...(input.rpmLimit !== undefined ? { rpm_limit: input.rpmLimit } : {}),
        ...(input.tpmLimit !== undefined ? { tpm_limit: input.tpmLimit } : {}),
        ...(input.maxConcurrency !== undefined ? { max_concurrency: input.maxConcurrency } : {}),
        ...(input.expiresAt !== undefined ? { expires_at: input.expiresAt } : {}),
      };
      const row =
        Object.keys(changes).length === 0
          ? await db.selectFrom('api_keys').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst()
          : await db
              .updateTable('api_keys')
              .set(changes)
              .where('id', '=', id)
              .returning(PUBLIC_COLUMNS)
              .executeTakeFirst();
      return row ? toApiKey(row) : null;
    },

    async revoke(id) {
      if (!isUuid(id)) return false;
      const result = await db
        .updateTable('api_keys')
        .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now')) }))
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async findByHash(secretHash) {
      const row = await selectAuthKeys().where('api_keys.secret_hash', '=', secretHash).executeTakeFirst();
      return row ? toAuthKey(row) : null;
    },

    async findById(id) {
      if (!isUuid(id)) return null;
      const row = await selectAuthKeys().where('api_keys.id', '=', id).executeTakeFirst();
      return row ? toAuthKey(row) : null;
    },

    async touchLastUsed(ids, at) {
      const unique = [...new Set(ids)].filter(isUuid);
      if (unique.length === 0) return 0;
      const result = await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', 'in', unique)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

type PublicRow = {
  id: string;
  customer_id: string;
  name: string;
  prefix: string;
  is_admin: boolean;
  allowed_models: string[] | null;
  allowed_endpoints: string[] | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_concurrency: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
};

function toApiKey(row: PublicRow): ApiKey {
  return {
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    prefix: row.prefix,
    isAdmin: row.is_admin,
    allowedModels: row.allowed_models,
    allowedEndpoints: row.allowed_endpoints,
    rpmLimit: row.rpm_limit,
    tpmLimit: row.tpm_limit,
    maxConcurrency: row.max_concurrency,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

function customerNotFound(customerId: string, cause?: unknown) {
  return notFound(`No customer with id ${customerId}`, {
    code: 'customer_not_found',
    param: 'customerId',
    cause,
  });
}
