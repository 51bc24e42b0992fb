import { providerSchema } from '@ollama-gateway/contracts';
import { type Command, Option } from 'commander';
import { formatTime } from '../output.js';
import { parseAmount, parseModel, parseTime } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  input: number;
  output: number;
  perRequest?: number;
  provider: string;
  from?: Date;
}

const ALWAYS = new Date(0);

export function registerSetPrice(program: Command): void {
  program
    .command('set-price')
    .description(
      'set the price of a model or glob ("llama3*", "*" = default) per million tokens, from a date',
    )
    .argument('<model>', 'exact model name or glob with * and ?', parseModel)
    .requiredOption('--input <amount>', 'price per million prompt tokens', parseAmount)
    .requiredOption('--output <amount>', 'price per million completion tokens', parseAmount)
    .option('--per-request <amount>', 'flat price per request (default: 0)', parseAmount)
    .addOption(
      new Option('--provider <name>', 'who serves the model')
        .choices(providerSchema.options)
        .default('ollama'),
    )
    .option(
      '--from <iso>',
      'when the price takes effect (default: the first price of a model applies to all time, a change applies from now)',
      parseTime,
    )
    .option('--json', JSON_OPTION_HELP)
    .action((model: string, options: Options) =>
      runCommand(options, async ({ pricing }, out) => {
        let from = options.from;
        if (!from) {
          const existing = (await pricing.list()).some(
            (p) => p.provider === options.provider && p.model === model,
          );
          from = existing ? new Date() : ALWAYS;
        }
        const price = await pricing.upsert({
          provider: options.provider,
          model,
          inputPerMillion: options.input,
          outputPerMillion: options.output,
          perRequest: options.perRequest ?? 0,
          effectiveFrom: from,
        });
        out.result(price, () => [
          `Price for ${price.provider}/${price.model}: ${price.inputPerMillion} input + ${price.outputPerMillion} output per million tokens, ${price.perRequest} per request`,
          `  effective from: ${price.effectiveFrom.getTime() === 0 ? 'always' : formatTime(price.effectiveFrom)}`,
          'Next: npx gatewayctl list-prices',
        ]);
      }),
    );
}
