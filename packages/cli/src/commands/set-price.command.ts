import { providerSchema } from '@ollama-gateway/contracts';
import { notifyPricesChanged } from '@ollama-gateway/runtime';
import { type Command, Option } from 'commander';
import { CliError } from '../errors.js';
import { formatTime } from '../output.js';
import { parseAmount, parseModel, parseTime, parseUuid } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  input?: number;
  output?: number;
  inputPer1m?: number;
  outputPer1m?: number;
  perRequest?: number;
  provider: string;
  customer?: string;
  from?: Date;
}

const ALWAYS = new Date(0);

export function registerSetPrice(program: Command): void {
  program
    .command('set-price')
    .alias('set-pricing')
    .description(
      'set the price of a model or glob ("llama3*", "*" = default) per million tokens, from a date',
    )
    .argument('<model>', 'exact model name or glob with * and ?', parseModel)
    .option('--input-per-1m <amount>', 'price per million prompt tokens', parseAmount)
    .option('--output-per-1m <amount>', 'price per million completion tokens', parseAmount)
    .option('--input <amount>', 'same as --input-per-1m', parseAmount)
    .option('--output <amount>', 'same as --output-per-1m', parseAmount)
    .option('--per-request <amount>', 'flat price per request (default: 0)', parseAmount)
    .addOption(
      new Option('--provider <name>', 'who serves the model')
        .choices(providerSchema.options)
        .default('ollama'),
    )
    .option(
      '--customer <id>',
      'a price for this customer only (beats the default prices and markup)',
      parseUuid,
    )
    .option(
      '--from <iso>',
      'when the price takes effect (default: the first price of a model applies to all time, a change applies from now)',
      parseTime,
    )
    .option('--json', JSON_OPTION_HELP)
    .action((model: string, options: Options) =>
      runCommand(options, async ({ pricing, customers, env }, out) => {
        const input = options.inputPer1m ?? options.input;
        const output = options.outputPer1m ?? options.output;
        if (input === undefined || output === undefined)
          throw new CliError("required options '--input-per-1m <amount>' and '--output-per-1m <amount>'", 2);
        const customerId = options.customer ?? null;
        if (customerId && !(await customers.get(customerId)))
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        let from = options.from;
        if (!from) {
          const existing = (await pricing.list()).some(
            (p) => p.provider === options.provider && p.model === model && p.customerId === customerId,
          );
          from = existing ? new Date() : ALWAYS;
        }
        const price = await pricing.upsert({
          provider: options.provider,
          model,
          customerId,
          inputPerMillion: input,
          outputPerMillion: output,
          perRequest: options.perRequest ?? 0,
          effectiveFrom: from,
        });
        // Every gateway re-reads its price list at once; without Redis, within BUDGET_CACHE_TTL_MS.
        await notifyPricesChanged(env.REDIS_URL, env.QUEUE_PREFIX, price.model).catch(() => null);
        out.result(price, () => [
          `Price for ${price.provider}/${price.model}${price.customerId ? ` (customer ${price.customerId})` : ''}: ${price.inputPerMillion} input + ${price.outputPerMillion} output per million tokens, ${price.perRequest} per request`,
          `  effective from: ${price.effectiveFrom.getTime() === 0 ? 'always' : formatTime(price.effectiveFrom)}`,
          'Next: npx gatewayctl list-prices',
        ]);
      }),
    );
}
