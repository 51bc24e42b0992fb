import { customerStatusSchema } from '@ollama-gateway/contracts';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { parseAmountOrNone, parseEmail, parseName, parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { customerLines } from './set-plan.command.js';

interface Options extends CommonOptions {
  name?: string;
  email?: string;
  budget?: number | 'none';
  status?: 'active' | 'suspended';
}

export function registerUpdateCustomer(program: Command): void {
  program
    .command('update-customer')
    .description(
      "change a customer's name, email, monthly budget or status (suspended customers' keys are refused)",
    )
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--name <name>', 'new display name', parseName)
    .option('--email <email>', 'new contact email (unique)', parseEmail)
    .option('--budget <amount|none>', 'monthly spending cap, or "none" to remove it', parseAmountOrNone)
    .addOption(new Option('--status <status>', 'active or suspended').choices(customerStatusSchema.options))
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ customerUpdates }, out) => {
        const { name, email, budget, status } = options;
        if (name === undefined && email === undefined && budget === undefined && status === undefined)
          throw new CliError('Nothing to change: give --name, --email, --budget or --status', 2);
        const customer = await customerUpdates.update(customerId, {
          name,
          email,
          budget: budget === 'none' ? null : budget,
          status,
        });
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        out.result(customer, () => [`Updated customer ${customer.name}`, ...customerLines(customer)]);
      }),
    );
}
