import {
  createApiKeysRepository,
  createCustomersRepository,
  createCustomerUpdatesRepository,
  createModelMetadataRepository,
  createPlansRepository,
  createPricingRepository,
  createUsageReportsRepository,
  type Db,
  modelMetadataFromOllama,
} from '@ollama-gateway/db';
import { generateApiKey, hashApiKey } from '@ollama-gateway/runtime';
import type { OllamaClient } from '../clients/ollama/ollama.client.js';

/**
 * What the admin API can do: the same operations as gatewayctl, over the same repositories. Built by the composition
 * root; routes/admin/* only parse, call one of these and write JSON.
 */
export function createAdminService(deps: {
  db: Db;
  ollama: Pick<OllamaClient, 'tags' | 'show'>;
  hashSecret: string;
  timeZone: string;
  /** Tells every gateway replica that a key changed (Redis pub/sub); absent = the key cache TTL applies. */
  onKeyChanged?: (keyId: string) => Promise<unknown>;
  /** Tells every replica that a customer's limits changed (`*`: every customer); absent = BUDGET_CACHE_TTL_MS. */
  onCustomerChanged?: (customerId: string) => Promise<unknown>;
  /** Tells every replica that a price changed (the model or `*`); absent = BUDGET_CACHE_TTL_MS applies. */
  onPricesChanged?: (model: string) => Promise<unknown>;
}) {
  const customers = createCustomersRepository(deps.db);
  const apiKeys = createApiKeysRepository(deps.db);
  const models = createModelMetadataRepository(deps.db);
  const customerUpdates = createCustomerUpdatesRepository(deps.db);
  const plans = createPlansRepository(deps.db);
  const pricing = createPricingRepository(deps.db);
  return {
    timeZone: deps.timeZone,
    customers,
    customerUpdates,
    apiKeys,
    plans,
    pricing,
    usageReports: createUsageReportsRepository(deps.db),
    models,

    /** Creates a key; the secret is in the answer once and never stored (only its HMAC). */
    async createKey(input: Omit<Parameters<typeof apiKeys.create>[0], 'prefix' | 'secretHash'>) {
      const { key, prefix } = generateApiKey();
      const created = await apiKeys.create({
        ...input,
        prefix,
        secretHash: hashApiKey(key, deps.hashSecret),
      });
      return { ...created, key };
    },

    /** Revokes and tells every replica; false when there is no such key. */
    async revokeKey(id: string): Promise<boolean> {
      const found = await apiKeys.revoke(id);
      if (found) await deps.onKeyChanged?.(id).catch(() => undefined);
      return found;
    },

    /** Updates a customer (budget, plan, markup…) and tells every replica; null when there is no such customer. */
    async updateCustomer(id: string, input: Parameters<typeof customerUpdates.update>[1]) {
      const customer = await customerUpdates.update(id, input);
      if (customer) await deps.onCustomerChanged?.(customer.id).catch(() => undefined);
      return customer;
    },

    /** Updates a plan's quotas or price and tells every replica (every customer may be on it). */
    async updatePlan(name: string, input: Parameters<typeof plans.update>[1]) {
      const plan = await plans.update(name, input);
      await deps.onCustomerChanged?.('*').catch(() => undefined);
      return plan;
    },

    /** Sets a price and tells every replica to re-read its price list. */
    async upsertPrice(input: Parameters<typeof pricing.upsert>[0]) {
      const price = await pricing.upsert(input);
      await deps.onPricesChanged?.(price.model).catch(() => undefined);
      return price;
    },

    /** Reads /api/tags and /api/show for each model into model_metadata. */
    async syncModels() {
      const tags = await deps.ollama.tags();
      const metadata = [];
      for (const tag of tags.models)
        metadata.push(modelMetadataFromOllama(tag, await deps.ollama.show(tag.model ?? tag.name)));
      return models.upsert(metadata);
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
