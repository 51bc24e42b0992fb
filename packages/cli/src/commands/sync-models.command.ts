import { modelMetadataFromOllama, type OllamaShowLike, type OllamaTagLike } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { modelTable } from './list-models.command.js';

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new CliError(
      `Cannot reach Ollama at ${new URL(url).origin} (${(error as Error).message}): check OLLAMA_URL`,
    );
  }
  if (!response.ok) throw new CliError(`Ollama answered ${response.status} for ${new URL(url).pathname}`);
  return (await response.json()) as T;
}

export function registerSyncModels(program: Command): void {
  program
    .command('sync-models')
    .description("read OLLAMA_URL's models (/api/tags, /api/show) into model_metadata")
    .option('--json', JSON_OPTION_HELP)
    .action((options: CommonOptions) =>
      runCommand(options, async ({ env, models }, out) => {
        const base = env.OLLAMA_URL.replace(/\/+$/, '');
        const tags = await getJson<{ models?: OllamaTagLike[] }>(`${base}/api/tags`);
        const metadata = [];
        for (const tag of tags.models ?? []) {
          const show = await getJson<OllamaShowLike>(`${base}/api/show`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model: tag.model ?? tag.name }),
          });
          metadata.push(modelMetadataFromOllama(tag, show));
        }
        const synced = await models.upsert(metadata);
        out.result({ synced: synced.length, models: synced }, () => [
          `Synced ${synced.length} models from ${base}`,
          ...(synced.length > 0 ? ['', ...modelTable(synced)] : []),
        ]);
      }),
    );
}
