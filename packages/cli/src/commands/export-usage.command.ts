import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { UsageExportRow } from '@ollama-gateway/db';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { parseTime, parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  format: 'csv' | 'json';
  from?: Date;
  to?: Date;
  output?: string;
}

const COLUMNS: [keyof UsageExportRow, string][] = [
  ['requestId', 'request_id'],
  ['occurredAt', 'occurred_at'],
  ['apiKeyId', 'api_key_id'],
  ['model', 'model'],
  ['provider', 'provider'],
  ['endpoint', 'endpoint'],
  ['dialect', 'dialect'],
  ['status', 'status'],
  ['stream', 'stream'],
  ['promptTokens', 'prompt_tokens'],
  ['completionTokens', 'completion_tokens'],
  ['totalTokens', 'total_tokens'],
  ['totalMs', 'total_ms'],
  ['inputCost', 'input_cost'],
  ['outputCost', 'output_cost'],
  ['requestCost', 'request_cost'],
  ['totalCost', 'total_cost'],
  ['energyWh', 'energy_wh'],
  ['electricityCost', 'electricity_cost'],
  ['referenceCost', 'reference_cost'],
  ['currency', 'currency'],
];

/** One RFC 4180 line: fields with a comma, quote or newline are quoted. */
export function csvLine(fields: unknown[]): string {
  return fields
    .map((field) => {
      const text =
        field instanceof Date
          ? field.toISOString()
          : field === null || field === undefined
            ? ''
            : String(field);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}

export function registerExportUsage(program: Command): void {
  program
    .command('export-usage')
    .description(
      "stream a customer's ledger rows (one per request) as CSV (with a header line) or a JSON array",
    )
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).makeOptionMandatory())
    .option('--from <iso>', 'start, inclusive (default: the beginning)', parseTime)
    .option('--to <iso>', 'end, exclusive (default: now)', parseTime)
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ customers, usageReports }, out) => {
        const customer = await customers.get(customerId);
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        const from = options.from ?? new Date(0);
        const to = options.to ?? new Date();
        const sink: NodeJS.WritableStream = options.output
          ? createWriteStream(options.output)
          : process.stdout;
        const write = async (text: string) => {
          if (!sink.write(text)) await once(sink, 'drain');
        };
        let count = 0;
        if (options.format === 'csv') await write(`${csvLine(COLUMNS.map(([, name]) => name))}\n`);
        else await write('[');
        for await (const row of usageReports.exportRows(customerId, from, to)) {
          if (options.format === 'csv') await write(`${csvLine(COLUMNS.map(([key]) => row[key]))}\n`);
          else await write(`${count === 0 ? '\n' : ',\n'}${JSON.stringify(row)}`);
          count += 1;
        }
        if (options.format === 'json') await write('\n]\n');
        if (options.output) {
          const file = sink as ReturnType<typeof createWriteStream>;
          file.end();
          await once(file, 'close');
          out.result({ customerId, format: options.format, rows: count, output: options.output }, () => [
            `Wrote ${count} rows of ${customer.name}'s usage to ${options.output} (${options.format})`,
          ]);
        }
      }),
    );
}
