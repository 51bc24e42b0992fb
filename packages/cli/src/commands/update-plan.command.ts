import { ALL_CHANGED } from '@ollama-gateway/contracts';
import { notifyCustomerChanged } from '@ollama-gateway/runtime';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { parseAmount, parseQuota } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { planTable } from './list-plans.command.js';

interface Options extends CommonOptions {
  requests?: number | 'unlimited';
  tokens?: number | 'unlimited';
  price?: number;
}

export function registerUpdatePlan(program: Command): void {
  program
    .command('update-plan')
    .description("change a plan's monthly quotas or price")
    .argument('<name>', 'plan name (any case), e.g. Free')
    .option('--requests <n|unlimited>', 'requests per calendar month', parseQuota)
    .option('--tokens <n|unlimited>', 'tokens per calendar month', parseQuota)
    .option('--price <amount>', 'monthly price', parseAmount)
    .option('--json', JSON_OPTION_HELP)
    .action((name: string, options: Options) =>
      runCommand(options, async ({ plans, env }, out) => {
        if (options.requests === undefined && options.tokens === undefined && options.price === undefined)
          throw new CliError('Nothing to change: give --requests, --tokens or --price', 2);
        const plan = await plans.update(name, {
          monthlyRequestQuota: options.requests === 'unlimited' ? null : options.requests,
          monthlyTokenQuota: options.tokens === 'unlimited' ? null : options.tokens,
          monthlyPrice: options.price,
        });
        // Any customer may be on this plan: every gateway re-reads every customer's quotas at once.
        await notifyCustomerChanged(env.REDIS_URL, env.QUEUE_PREFIX, ALL_CHANGED).catch(() => null);
        out.result(plan, () => [`Updated plan ${plan.name}`, ...planTable([plan])]);
      }),
    );
}
