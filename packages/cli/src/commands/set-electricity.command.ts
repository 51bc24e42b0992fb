import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';
import { parseAmount } from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  gpuWatts?: number;
  pricePerKwh?: number;
  reset?: boolean;
}

/** The limits of the dashboard's updateElectricityRequestSchema (and of PUT /admin/settings/electricity). */
const atMost = (max: number) => (value: string) => {
  const n = parseAmount(value);
  if (n > max) throw new InvalidArgumentError(`Must be at most ${max}.`);
  return n;
};

const ENV_NOTE =
  'GPU_WATTS_BY_HOST and ELECTRICITY_TIME_OF_USE (env) still win for the hosts and hours they list.';

export function registerSetElectricity(program: Command): void {
  program
    .command('set-electricity')
    .description(
      'set the GPU watts and kWh price energy is costed at, replacing GPU_WATTS and ELECTRICITY_PRICE_PER_KWH without a restart (--reset: back to env)',
    )
    .option('--gpu-watts <watts>', 'average GPU draw while generating, in watts', atMost(100_000))
    .option('--price-per-kwh <amount>', 'price of one kWh in CURRENCY', atMost(1000))
    .option('--reset', 'delete the setting: GPU_WATTS and ELECTRICITY_PRICE_PER_KWH apply again')
    .option('--json', JSON_OPTION_HELP)
    .action((options: Options) =>
      runCommand(options, async ({ settings }, out) => {
        const { gpuWatts, pricePerKwh } = options;
        if (options.reset) {
          if (gpuWatts !== undefined || pricePerKwh !== undefined)
            throw new CliError('--reset takes no --gpu-watts or --price-per-kwh', 2);
          const removed = await settings.clearElectricity();
          out.result({ source: 'env', removed }, () => [
            removed ? 'Removed the electricity setting.' : 'There was no electricity setting.',
            'The billing worker costs energy with GPU_WATTS and ELECTRICITY_PRICE_PER_KWH again (within 5 s).',
          ]);
          return;
        }
        if (gpuWatts === undefined || pricePerKwh === undefined)
          throw new CliError(
            "required options '--gpu-watts <watts>' and '--price-per-kwh <amount>' (or --reset)",
            2,
          );
        const stored = await settings.setElectricity({ gpuWatts, pricePerKwh });
        out.result({ ...stored, source: 'settings' }, () => [
          `Electricity: ${stored.gpuWatts} W at ${stored.pricePerKwh} per kWh.`,
          'New ledger rows use it within 5 s (the billing worker re-reads it with the prices); past rows keep theirs.',
          ENV_NOTE,
        ]);
      }),
    );
}
