import type { ApiKeysTable } from './tables/api-keys.table.js';
import type { CustomerSpendTable } from './tables/customer-spend.table.js';
import type { CustomersTable } from './tables/customers.table.js';
import type { KeyDailyTable } from './tables/key-daily.table.js';
import type { ModelDailyTable } from './tables/model-daily.table.js';
import type { ModelHourlyTable } from './tables/model-hourly.table.js';
import type { ModelMetadataTable } from './tables/model-metadata.table.js';
import type { PlansTable } from './tables/plans.table.js';
import type { PricingTable } from './tables/pricing.table.js';
import type { ReferencePricesTable } from './tables/reference-prices.table.js';
import type { RequestLogsTable } from './tables/request-logs.table.js';
import type { SchemaMigrationsTable } from './tables/schema-migrations.table.js';
import type { SettingsTable } from './tables/settings.table.js';
import type { UsageEventsTable } from './tables/usage-events.table.js';
import type { UsageHourlyTable } from './tables/usage-hourly.table.js';

/** The Kysely database type: one entry per table in db/init.sql (checked against information_schema by a test). */
export interface Database {
  schema_migrations: SchemaMigrationsTable;
  plans: PlansTable;
  customers: CustomersTable;
  api_keys: ApiKeysTable;
  pricing: PricingTable;
  reference_prices: ReferencePricesTable;
  settings: SettingsTable;
  usage_events: UsageEventsTable;
  usage_hourly: UsageHourlyTable;
  model_hourly: ModelHourlyTable;
  model_daily: ModelDailyTable;
  key_daily: KeyDailyTable;
  customer_spend: CustomerSpendTable;
  request_logs: RequestLogsTable;
  model_metadata: ModelMetadataTable;
}
