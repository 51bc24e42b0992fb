import { notifyKeyChanged } from '@ollama-gateway/runtime';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTime, showPrefix } from '../output.js';
import {
  parseModelListOrAll,
  parseName,
  parsePositiveIntOrNone,
  parseTimeOrNever,
  parseUuid,
} from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';
import { keyStatus } from './list-keys.command.js';

interface Options extends CommonOptions {
  name?: string;
  models?: string[] | 'all';
  rpm?: number | 'none';
  tpm?: number | 'none';
  concurrency?: number | 'none';
  expires?: Date | 'never';
}

const orNull = <T>(value: T | 'none' | 'all' | 'never' | undefined): T | null | undefined =>
  value === 'none' || value === 'all' || value === 'never' ? null : value;

export function registerUpdateKey(program: Command): void {
  program
    .command('update-key')
    .description(
      "change a key's name, allowed models, limits or expiry; every gateway applies it to the next request",
    )
    .argument('<key-id>', 'the key id (see list-keys), not the key itself', parseUuid)
    .option('--name <name>', 'a new label', parseName)
    .option(
      '--models <patterns|all>',
      'comma-separated models or globs it may use, e.g. "llama3*,qwen*"; "all" removes the restriction',
      parseModelListOrAll,
    )
    .option('--rpm <n|none>', 'requests per minute limit; "none" removes it', parsePositiveIntOrNone)
    .option('--tpm <n|none>', 'tokens per minute limit; "none" removes it', parsePositiveIntOrNone)
    .option('--concurrency <n|none>', 'requests in flight at once; "none" removes it', parsePositiveIntOrNone)
    .option(
      '--expires <iso|never>',
      'expiry time, e.g. 2026-01-01T00:00:00Z (a past time expires it now); "never" removes it',
      parseTimeOrNever,
    )
    .option('--json', JSON_OPTION_HELP)
    .action((keyId: string, options: Options) =>
      runCommand(options, async ({ apiKeys, env }, out) => {
        const { name, models, rpm, tpm, concurrency, expires } = options;
        if ([name, models, rpm, tpm, concurrency, expires].every((value) => value === undefined))
          throw new CliError(
            'Nothing to change: give --name, --models, --rpm, --tpm, --concurrency or --expires',
            2,
          );
        const key = await apiKeys.update(keyId, {
          name,
          allowedModels: orNull(models),
          rpmLimit: orNull(rpm),
          tpmLimit: orNull(tpm),
          maxConcurrency: orNull(concurrency),
          expiresAt: orNull(expires),
        });
        if (!key)
          throw new CliError(
            `No key with id ${keyId}; run "npx gatewayctl list-keys <customer-id>" to see key ids`,
          );
        // Every gateway drops the key from its cache on this message; without Redis, within KEY_CACHE_TTL_MS.
        const gatewaysNotified = await notifyKeyChanged(env.REDIS_URL, env.QUEUE_PREFIX, key.id).catch(
          () => null,
        );
        const limits = [
          key.rpmLimit && `${key.rpmLimit} req/min`,
          key.tpmLimit && `${key.tpmLimit} tokens/min`,
          key.maxConcurrency && `${key.maxConcurrency} at once`,
        ].filter(Boolean);
        out.result({ ...key, status: keyStatus(key), gatewaysNotified }, () => [
          `Updated key "${key.name}" (${showPrefix(key.prefix)})`,
          `  models:  ${key.allowedModels?.join(', ') ?? 'all'}`,
          `  limits:  ${limits.length > 0 ? limits.join(', ') : 'none'}`,
          `  expires: ${formatTime(key.expiresAt, 'never')}`,
          `  status:  ${keyStatus(key)}`,
          gatewaysNotified === null
            ? 'Warning: Redis could not be reached; gateways apply the change once their key cache expires (KEY_CACHE_TTL_MS).'
            : `Gateways notified: ${gatewaysNotified}.`,
        ]);
      }),
    );
}
