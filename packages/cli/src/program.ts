import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCheckBudget } from './commands/check-budget.command.js';
import { registerCreateCustomer } from './commands/create-customer.command.js';
import { registerExportUsage } from './commands/export-usage.command.js';
import { registerGenerateKey } from './commands/generate-key.command.js';
import { registerInvoice } from './commands/invoice.command.js';
import { registerListCustomers } from './commands/list-customers.command.js';
import { registerListKeys } from './commands/list-keys.command.js';
import { registerListModels } from './commands/list-models.command.js';
import { registerListPlans } from './commands/list-plans.command.js';
import { registerListPrices } from './commands/list-prices.command.js';
import { registerMigrate } from './commands/migrate.command.js';
import { registerRevokeKey } from './commands/revoke-key.command.js';
import { registerSetElectricity } from './commands/set-electricity.command.js';
import { registerSetPlan } from './commands/set-plan.command.js';
import { registerSetPrice } from './commands/set-price.command.js';
import { registerSetReferencePrice } from './commands/set-reference-price.command.js';
import { registerSyncModels } from './commands/sync-models.command.js';
import { registerUpdateCustomer } from './commands/update-customer.command.js';
import { registerUpdateKey } from './commands/update-key.command.js';
import { registerUpdatePlan } from './commands/update-plan.command.js';
import { registerUsageReport } from './commands/usage-report.command.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The gatewayctl program. Usage errors (bad or missing arguments) throw CommanderError instead of exiting. */
export function buildProgram(json: boolean): Command {
  const program = new Command('gatewayctl')
    .description(
      'Manage the Ollama gateway: database, customers, plans, API keys, prices, usage, invoices and models.',
    )
    .version(version())
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (message, write) =>
        write(json ? `${JSON.stringify({ error: message.trim().replace(/^error: /, '') })}\n` : message),
    });
  // Settings above are inherited by the subcommands created below.
  for (const register of [
    registerMigrate,
    registerCreateCustomer,
    registerListCustomers,
    registerUpdateCustomer,
    registerSetPlan,
    registerListPlans,
    registerUpdatePlan,
    registerGenerateKey,
    registerListKeys,
    registerUpdateKey,
    registerRevokeKey,
    registerSetPrice,
    registerListPrices,
    registerSetReferencePrice,
    registerSetElectricity,
    registerUsageReport,
    registerCheckBudget,
    registerExportUsage,
    registerInvoice,
    registerListModels,
    registerSyncModels,
  ])
    register(program);
  return program;
}

/** Parses and runs argv; resolves to the exit status: 0 ok, 1 runtime error, 2 usage error. */
export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildProgram(json).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}
