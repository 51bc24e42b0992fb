import type { Plan } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { formatTable } from '../output.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

const quota = (n: number | null) => (n === null ? 'unlimited' : String(n));

export function planTable(plans: Plan[]): string[] {
  return formatTable(
    ['NAME', 'REQUESTS/MONTH', 'TOKENS/MONTH', 'PRICE/MONTH'],
    plans.map((p) => [p.name, quota(p.monthlyRequestQuota), quota(p.monthlyTokenQuota), p.monthlyPrice]),
  );
}

export function registerListPlans(program: Command): void {
  program
    .command('list-plans')
    .description('list plans: monthly request and token quotas and price')
    .option('--json', JSON_OPTION_HELP)
    .action((options: CommonOptions) =>
      runCommand(options, async ({ plans }, out) => {
        const list = await plans.list();
        out.result({ plans: list }, () => [
          ...planTable(list),
          '',
          'Change one: npx gatewayctl update-plan <name> --requests N --tokens N --price N',
        ]);
      }),
    );
}
