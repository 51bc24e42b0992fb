import type { ModelMetadata } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { formatTable, formatTime } from '../output.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

export function modelTable(models: ModelMetadata[]): string[] {
  return formatTable(
    ['MODEL', 'FAMILY', 'PARAMS', 'QUANT', 'CONTEXT', 'CAPABILITIES', 'SIZE', 'UPDATED'],
    models.map((m) => [
      m.model,
      m.family ?? '-',
      m.parameterSize ?? '-',
      m.quantization ?? '-',
      m.contextLength === null ? '-' : String(m.contextLength),
      m.capabilities.join(',') || '-',
      m.sizeBytes === null ? '-' : `${(m.sizeBytes / 1e9).toFixed(2)} GB`,
      formatTime(m.updatedAt),
    ]),
  );
}

export function registerListModels(program: Command): void {
  program
    .command('list-models')
    .description('list the models known to the gateway (model_metadata; refresh with sync-models)')
    .option('--json', JSON_OPTION_HELP)
    .action((options: CommonOptions) =>
      runCommand(options, async ({ models }, out) => {
        const list = await models.list();
        out.result({ models: list }, () =>
          list.length === 0 ? ['No models known yet.', 'Next: npx gatewayctl sync-models'] : modelTable(list),
        );
      }),
    );
}
