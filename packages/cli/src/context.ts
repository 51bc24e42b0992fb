import {
  type ApiKeysRepository,
  type CustomersRepository,
  type CustomerUpdatesRepository,
  createApiKeysRepository,
  createCustomersRepository,
  createCustomerUpdatesRepository,
  createDb,
  createModelMetadataRepository,
  createPlansRepository,
  createPricingRepository,
  createReferencePricesRepository,
  createSettingsRepository,
  createUsageReportsRepository,
  type Db,
  type ModelMetadataRepository,
  type PlansRepository,
  type PricingRepository,
  type ReferencePricesRepository,
  type SettingsRepository,
  type UsageReportsRepository,
} from '@ollama-gateway/db';
import type { CliEnv } from './env.js';

/** What a command may use. The database pool opens on first use, so `migrate` can create the database first. */
export interface CliContext {
  readonly env: CliEnv;
  readonly db: Db;
  readonly customers: CustomersRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly pricing: PricingRepository;
  readonly customerUpdates: CustomerUpdatesRepository;
  readonly plans: PlansRepository;
  readonly usageReports: UsageReportsRepository;
  readonly models: ModelMetadataRepository;
  readonly referencePrices: ReferencePricesRepository;
  readonly settings: SettingsRepository;
  close(): Promise<void>;
}

export function createCliContext(env: CliEnv): CliContext {
  let db: Db | undefined;
  const open = () => {
    db ??= createDb(env.DATABASE_URL, { max: 2, applicationName: 'gatewayctl' });
    return db;
  };
  return {
    env,
    get db() {
      return open();
    },
    get customers() {
      return createCustomersRepository(open());
    },
    get apiKeys() {
      return createApiKeysRepository(open());
    },
    get pricing() {
      return createPricingRepository(open());
    },
    get customerUpdates() {
      return createCustomerUpdatesRepository(open());
    },
    get plans() {
      return createPlansRepository(open());
    },
    get usageReports() {
      return createUsageReportsRepository(open());
    },
    get models() {
      return createModelMetadataRepository(open());
    },
    get referencePrices() {
      return createReferencePricesRepository(open());
    },
    get settings() {
      return createSettingsRepository(open());
    },
    async close() {
      await db?.destroy();
    },
  };
}
