import { notifyPricesChanged } from '@ollama-gateway/runtime';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';
import { parseAmount, parseName } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  inputPer1m?: number;
  outputPer1m?: number;
  default?: boolean;
}

const parseReferenceName = (value: string): string => {
  const name = parseName(value);
  if (/\s/.test(name)) throw new InvalidArgumentError('No spaces, e.g. gpt-4o-mini.');
  return name;
};

export function registerSetReferencePrice(program: Command): void {
  program
    .command('set-reference-price')
    .description(
      'set a hosted API price per million tokens, the yardstick of the savings figures (--default: compare with this one)',
    )
    .argument('<name>', 'e.g. gpt-4o-mini or claude-3.5-haiku', parseReferenceName)
    .option('--input-per-1m <amount>', 'price per million prompt tokens', parseAmount)
    .option('--output-per-1m <amount>', 'price per million completion tokens', parseAmount)
    .option('--default', 'make it the one default reference price (the others stop being default)')
    .option('--json', JSON_OPTION_HELP)
    .action((name: string, options: Options) =>
      runCommand(options, async ({ referencePrices, env }, out) => {
        const input = options.inputPer1m;
        const output = options.outputPer1m;
        if (input === undefined || output === undefined)
          throw new CliError("required options '--input-per-1m <amount>' and '--output-per-1m <amount>'", 2);
        const price = await referencePrices.upsert(name, {
          inputPerMillion: input,
          outputPerMillion: output,
          ...(options.default ? { isDefault: true } : {}),
        });
        // Gateways re-read prices at once; the billing worker within 5 s (its price cache).
        await notifyPricesChanged(env.REDIS_URL, env.QUEUE_PREFIX, '*').catch(() => null);
        out.result(price, () => [
          `Reference price ${price.name}: ${price.inputPerMillion} input + ${price.outputPerMillion} output per million tokens${price.isDefault ? ' (default)' : ''}`,
          price.isDefault
            ? 'New ledger rows compute reference_cost (and the savings) with it within seconds.'
            : 'Not the default: add --default to compute the savings against it.',
          'Next: npx gatewayctl list-prices',
        ]);
      }),
    );
}
