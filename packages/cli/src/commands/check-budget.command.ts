import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTime } from '../output.js';
import { parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

export function registerCheckBudget(program: Command): void {
  program
    .command('check-budget')
    .description("a customer's budget, spend this month, what is left, and plan quota used and remaining")
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: CommonOptions) =>
      runCommand(options, async ({ env, customers, usageReports }, out) => {
        const customer = await customers.get(customerId);
        const usage = customer ? await usageReports.periodUsage(customerId, env.BILLING_TIME_ZONE) : null;
        if (!customer || !usage)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        const quota = (n: number | null) => (n === null ? 'unlimited' : String(n));
        const { plan, budget } = usage;
        out.result({ ...usage, customerName: customer.name }, () => [
          `${customer.name}, ${usage.period.month} (${usage.period.timeZone}: ${formatTime(usage.period.from)} – ${formatTime(usage.period.to)})`,
          `  spent:     ${usage.usage.totalCost}`,
          budget
            ? `  budget:    ${budget.limit}, remaining ${budget.remaining}`
            : '  budget:    none (no spending cap)',
          `  requests:  ${usage.usage.requests}${plan ? ` of ${quota(plan.requestQuota)}, remaining ${quota(plan.requestsRemaining)}` : ''}`,
          `  tokens:    ${usage.usage.totalTokens}${plan ? ` of ${quota(plan.tokenQuota)}, remaining ${quota(plan.tokensRemaining)}` : ''}`,
          `  plan:      ${plan?.name ?? 'none (no quota)'}`,
        ]);
      }),
    );
}
