import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTable, formatTime } from '../output.js';
import { parseTime, parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  from?: Date;
  to?: Date;
}

export function registerUsageReport(program: Command): void {
  program
    .command('usage-report')
    .description(
      "a customer's usage per model: requests, tokens, cost, energy, electricity and reference cost",
    )
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--from <iso>', 'start, inclusive (default: start of this month in BILLING_TIME_ZONE)', parseTime)
    .option('--to <iso>', 'end, exclusive (default: end of this month)', parseTime)
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ env, customers, usageReports }, out) => {
        const customer = await customers.get(customerId);
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        const period = await usageReports.currentPeriod(env.BILLING_TIME_ZONE);
        const from = options.from ?? period.from;
        const to = options.to ?? period.to;
        if (from.getTime() >= to.getTime()) throw new CliError('--from must be before --to', 2);
        const report = await usageReports.report(customerId, from, to);
        const t = report.totals;
        out.result({ ...report, customerName: customer.name }, () => [
          `Usage of ${customer.name} from ${formatTime(from)} to ${formatTime(to)} (${report.currency})`,
          '',
          ...formatTable(
            ['MODEL', 'REQUESTS', 'PROMPT', 'COMPLETION', 'COST', 'ENERGY WH', 'ELECTRICITY', 'REFERENCE'],
            [...report.rows, { model: 'TOTAL', ...t }].map((r) => [
              r.model,
              String(r.requests),
              String(r.promptTokens),
              String(r.completionTokens),
              r.totalCost,
              r.energyWh,
              r.electricityCost,
              r.referenceCost,
            ]),
          ),
        ]);
      }),
    );
}
