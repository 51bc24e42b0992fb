import {
  type ApiKeysRepository,
  type CustomersRepository,
  createApiKeysRepository,
  createCustomersRepository,
  createDb,
  createPricingRepository,
  type Db,
  type PricingRepository,
} from '@ollama-gateway/db';
import type { CliEnv } from './env.js';

/** What a command may use. The database pool opens on first use, so `migrate` can create the database first. */
export interface CliContext {
  readonly env: CliEnv;
  readonly db: Db;
  readonly customers: CustomersRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly pricing: PricingRepository;
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
    async close() {
      await db?.destroy();
    },
  };
}
