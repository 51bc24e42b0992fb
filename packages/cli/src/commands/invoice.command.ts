import type { Invoice } from '@ollama-gateway/db';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { formatTable, formatTime } from '../output.js';
import { parseMonth, parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { csvLine } from './export-usage.command.js';

interface Options extends CommonOptions {
  month: string;
  format?: 'csv' | 'json' | 'text';
}

export function invoiceCsv(invoice: Invoice): string {
  const lines = [
    csvLine([
      'model',
      'requests',
      'prompt_tokens',
      'completion_tokens',
      'total_tokens',
      'amount',
      'currency',
    ]),
    ...invoice.lines.map((l) =>
      csvLine([
        l.model,
        l.requests,
        l.promptTokens,
        l.completionTokens,
        l.totalTokens,
        l.amount,
        invoice.currency,
      ]),
    ),
  ];
  if (invoice.plan)
    lines.push(
      csvLine([`plan: ${invoice.plan.name}`, '', '', '', '', invoice.plan.monthlyPrice, invoice.currency]),
    );
  lines.push(
    csvLine(['TOTAL', invoice.requests, '', '', invoice.totalTokens, invoice.totalAmount, invoice.currency]),
  );
  return `${lines.join('\n')}\n`;
}

export function registerInvoice(program: Command): void {
  program
    .command('invoice')
    .description("a customer's monthly statement: requests, tokens and amount per model, plus the plan price")
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .requiredOption('--month <YYYY-MM>', 'calendar month in BILLING_TIME_ZONE', parseMonth)
    .addOption(
      new Option('--format <format>', 'output format (--json = json)').choices(['csv', 'json', 'text']),
    )
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ env, usageReports }, out) => {
        const invoice = await usageReports.invoice(customerId, options.month, env.BILLING_TIME_ZONE);
        if (!invoice)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        const format = options.json ? 'json' : (options.format ?? 'text');
        if (format === 'csv') {
          process.stdout.write(invoiceCsv(invoice));
          return;
        }
        if (format === 'json') {
          process.stdout.write(`${JSON.stringify(invoice)}\n`);
          return;
        }
        out.result(invoice, () => [
          `Statement for ${invoice.customerName}${invoice.customerEmail ? ` <${invoice.customerEmail}>` : ''}, ${invoice.period.month}`,
          `  period: ${formatTime(invoice.period.from)} – ${formatTime(invoice.period.to)} (${invoice.period.timeZone})`,
          '',
          ...formatTable(
            ['MODEL', 'REQUESTS', 'TOKENS', `AMOUNT (${invoice.currency})`],
            [
              ...invoice.lines.map((l) => [l.model, String(l.requests), String(l.totalTokens), l.amount]),
              ...(invoice.plan ? [[`plan ${invoice.plan.name}`, '', '', invoice.plan.monthlyPrice]] : []),
              ['TOTAL', String(invoice.requests), String(invoice.totalTokens), invoice.totalAmount],
            ],
          ),
        ]);
      }),
    );
}
