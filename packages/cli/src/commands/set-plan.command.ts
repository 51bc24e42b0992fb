import type { Customer } from '@ollama-gateway/db';
import { notifyCustomerChanged } from '@ollama-gateway/runtime';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

export function customerLines(customer: Customer): string[] {
  return [
    `  id:      ${customer.id}`,
    `  email:   ${customer.email ?? 'none'}`,
    `  plan:    ${customer.planName ?? 'none'}`,
    `  budget:  ${customer.budget ?? 'none'}`,
    `  status:  ${customer.status}`,
  ];
}

export function registerSetPlan(program: Command): void {
  program
    .command('set-plan')
    .description('put a customer on a plan (its monthly request and token quota); "none" removes the plan')
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .argument('<plan-name>', 'a plan from list-plans (any case), or none')
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, planName: string, options: CommonOptions) =>
      runCommand(options, async ({ customerUpdates, env }, out) => {
        const customer = await customerUpdates.update(customerId, {
          planName: planName.toLowerCase() === 'none' ? null : planName,
        });
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        // Every gateway re-reads the customer's quotas at once; without Redis, within BUDGET_CACHE_TTL_MS.
        await notifyCustomerChanged(env.REDIS_URL, env.QUEUE_PREFIX, customer.id).catch(() => null);
        out.result(customer, () => [
          `${customer.name} is now on plan ${customer.planName ?? 'none'}`,
          ...customerLines(customer),
        ]);
      }),
    );
}
