import { customerStatusSchema } from '@ollama-gateway/contracts';
import { notifyCustomerChanged } from '@ollama-gateway/runtime';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import {
  parseAmountOrNone,
  parseEmail,
  parseMarkupPercent,
  parseName,
  parsePercent,
  parseUrlOrNone,
  parseUuid,
} from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { customerLines } from './set-plan.command.js';

interface Options extends CommonOptions {
  name?: string;
  email?: string;
  budget?: number | 'none';
  status?: 'active' | 'suspended';
  budgetPeriod?: 'monthly' | 'one_off';
  softLimitPercent?: number | 'default';
  webhookUrl?: string | 'none';
  markupPercent?: number;
}

export function registerUpdateCustomer(program: Command): void {
  program
    .command('update-customer')
    .description(
      "change a customer's name, email, budget (amount, period, soft limit, webhook), price markup or status (suspended customers' keys are refused)",
    )
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--name <name>', 'new display name', parseName)
    .option('--email <email>', 'new contact email (unique)', parseEmail)
    .option('--budget <amount|none>', 'monthly spending cap, or "none" to remove it', parseAmountOrNone)
    .addOption(
      new Option(
        '--budget-period <period>',
        'monthly (resets each calendar month) or one_off (a prepaid amount that never resets)',
      ).choices(['monthly', 'one_off']),
    )
    .option(
      '--soft-limit-percent <n|default>',
      'share of the budget (1-100) at which the soft-limit webhook and log line fire once per period; "default" = BUDGET_SOFT_LIMIT_PERCENT',
      (value: string) => (value.trim().toLowerCase() === 'default' ? 'default' : parsePercent(value)),
    )
    .option(
      '--webhook-url <url|none>',
      'where the soft-limit webhook is POSTed; "none" = the gateway default (BUDGET_WEBHOOK_URL)',
      parseUrlOrNone,
    )
    .option(
      '--markup-percent <n>',
      'percent added to the default prices for this customer (negative = discount, 0 = default prices)',
      parseMarkupPercent,
    )
    .addOption(new Option('--status <status>', 'active or suspended').choices(customerStatusSchema.options))
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ customerUpdates, env }, out) => {
        const { name, email, budget, status, budgetPeriod, softLimitPercent, webhookUrl, markupPercent } =
          options;
        if (
          [name, email, budget, status, budgetPeriod, softLimitPercent, webhookUrl, markupPercent].every(
            (value) => value === undefined,
          )
        )
          throw new CliError(
            'Nothing to change: give --name, --email, --budget, --budget-period, --soft-limit-percent, --webhook-url, --markup-percent or --status',
            2,
          );
        const customer = await customerUpdates.update(customerId, {
          name,
          email,
          budget: budget === 'none' ? null : budget,
          status,
          budgetPeriod,
          softLimitPercent: softLimitPercent === 'default' ? null : softLimitPercent,
          webhookUrl: webhookUrl === 'none' ? null : webhookUrl,
          markupPercent,
        });
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        // Every gateway re-reads the customer's budget at once; without Redis, within BUDGET_CACHE_TTL_MS.
        await notifyCustomerChanged(env.REDIS_URL, env.QUEUE_PREFIX, customer.id).catch(() => null);
        out.result(customer, () => [
          `Updated customer ${customer.name}`,
          ...customerLines(customer),
          `  budget period: ${customer.budgetPeriod}`,
          `  soft limit:    ${customer.softLimitPercent === null ? 'default' : `${customer.softLimitPercent}%`}`,
          `  webhook:       ${customer.webhookUrl ?? 'default'}`,
          `  markup:        ${customer.markupPercent}%`,
        ]);
      }),
    );
}
