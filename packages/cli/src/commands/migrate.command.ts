import { ensureDatabase, migrate } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { JSON_OPTION_HELP, runCommand } from '../run.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'create the database if missing, then apply db/init.sql and pending db/migrations (idempotent)',
    )
    .option('--json', JSON_OPTION_HELP)
    .action((options) =>
      runCommand(options, async ({ env }, out) => {
        const url = new URL(env.DATABASE_URL);
        const database = decodeURIComponent(url.pathname.slice(1));
        const databaseCreated = await ensureDatabase(env.DATABASE_URL);
        const { applied, current } = await migrate(env.DATABASE_URL, {
          billingTimeZone: env.BILLING_TIME_ZONE,
        });
        out.result({ database, databaseCreated, applied, current }, () => [
          ...(databaseCreated ? [`Created database ${database} on ${url.host}`] : []),
          applied.length > 0
            ? `Applied ${applied.join(', ')} to ${database}`
            : `Database ${database} is already current (${current.join(', ')}); nothing to apply.`,
          'Next: npx gatewayctl create-customer "Acme" ops@acme.example',
        ]);
      }),
    );
}
