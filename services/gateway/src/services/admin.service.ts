import {
  createApiKeysRepository,
  createCustomersRepository,
  createCustomerUpdatesRepository,
  createModelMetadataRepository,
  createPlansRepository,
  createPricingRepository,
  createReferencePricesRepository,
  createSettingsRepository,
  createUsageReportsRepository,
  type Db,
  type ElectricityValue,
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
  /** GPU_WATTS and ELECTRICITY_PRICE_PER_KWH: what applies while no electricity setting is stored. Default 350, 0.15. */
  electricityDefaults?: ElectricityValue;
}) {
  const customers = createCustomersRepository(deps.db);
  const apiKeys = createApiKeysRepository(deps.db);
  const models = createModelMetadataRepository(deps.db);
  const customerUpdates = createCustomerUpdatesRepository(deps.db);
  const plans = createPlansRepository(deps.db);
  const pricing = createPricingRepository(deps.db);
  const referencePrices = createReferencePricesRepository(deps.db);
  const settings = createSettingsRepository(deps.db);
  const electricityDefaults = deps.electricityDefaults ?? { gpuWatts: 350, pricePerKwh: 0.15 };
  const fromEnv = () => ({ ...electricityDefaults, source: 'env' as const });
  return {
    timeZone: deps.timeZone,
    customers,
    customerUpdates,
    apiKeys,
    plans,
    pricing,
    usageReports: createUsageReportsRepository(deps.db),
    models,
    referencePrices,

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

    /** Changes a key's name, allowed models, limits or expiry and tells every replica; null when there is no such key. */
    async updateKey(id: string, input: Parameters<typeof apiKeys.update>[1]) {
      const key = await apiKeys.update(id, input);
      if (key) await deps.onKeyChanged?.(key.id).catch(() => undefined);
      return key;
    },

    /** Sets a reference price (isDefault true: the only default) and tells every replica. */
    async upsertReferencePrice(name: string, input: Parameters<typeof referencePrices.upsert>[1]) {
      const price = await referencePrices.upsert(name, input);
      await deps.onPricesChanged?.('*').catch(() => undefined);
      return price;
    },

    /** The electricity parameters the billing worker costs energy with: the settings row, else the env defaults. */
    async electricity() {
      const stored = await settings.getElectricity();
      return stored ? { ...stored, source: 'settings' as const } : fromEnv();
    },

    /** Stores the electricity settings; the billing worker applies them within its price cache TTL (5 s). */
    async setElectricity(value: ElectricityValue) {
      return { ...(await settings.setElectricity(value)), source: 'settings' as const };
    },

    /** Deletes the electricity settings: the env defaults apply again. */
    async resetElectricity() {
      await settings.clearElectricity();
      return fromEnv();
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
