import type { Command } from 'commander';
import { formatTime } from '../output.js';
import { parseAmount, parseEmail, parseName } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  budget?: number;
  plan?: string;
}

export function registerCreateCustomer(program: Command): void {
  program
    .command('create-customer')
    .description('add a customer (an app, a team or a paying customer) that API keys belong to')
    .argument('<name>', 'display name, e.g. "Acme"', parseName)
    .argument('<email>', 'contact email (unique)', parseEmail)
    .option('--budget <amount>', 'monthly spending cap in the billing currency (default: none)', parseAmount)
    .option('--plan <name>', 'plan: Free, Basic, Pro, Business or Enterprise (default: none)')
    .option('--json', JSON_OPTION_HELP)
    .action((name: string, email: string, options: Options) =>
      runCommand(options, async ({ customers }, out) => {
        const customer = await customers.create({
          name,
          email,
          budget: options.budget ?? null,
          planName: options.plan ?? null,
        });
        out.result(customer, () => [
          `Created customer ${customer.name} <${customer.email}>`,
          `  id:      ${customer.id}`,
          `  plan:    ${customer.planName ?? 'none'}`,
          `  budget:  ${customer.budget ?? 'none'}`,
          `  created: ${formatTime(customer.createdAt)}`,
          `Next: npx gatewayctl generate-key ${customer.id}`,
        ]);
      }),
    );
}
