import { generateApiKey, hashApiKey } from '@ollama-gateway/runtime';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTime, showPrefix } from '../output.js';
import {
  parseEndpointList,
  parseFutureTime,
  parseModelList,
  parseName,
  parsePositiveInt,
  parseUuid,
} from '../parsers.js';
import { type CommonOptions, JSON_OPTION_HELP, runCommand } from '../run.js';

interface Options extends CommonOptions {
  name?: string;
  models?: string[];
  endpoints?: string[];
  rpm?: number;
  tpm?: number;
  concurrency?: number;
  expires?: Date;
  admin?: boolean;
}

export const MISSING_SECRET =
  'KEY_HASH_SECRET is not set: run "make up" once (it writes .env) or set it to the same value the gateway uses';

export function registerGenerateKey(program: Command): void {
  program
    .command('generate-key')
    .description('create an API key for a customer; the key is printed once and only its hash is stored')
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--name <name>', 'a label for the key, e.g. "n8n" (default: "default")', parseName)
    .option(
      '--models <patterns>',
      'comma-separated models or globs it may use, e.g. "llama3*,qwen*" (default: all)',
      parseModelList,
    )
    .option(
      '--endpoints <list>',
      'comma-separated paths, globs or dialects it may call, e.g. "/v1/chat/completions,/api/*,dialect:anthropic" (default: all)',
      parseEndpointList,
    )
    .option('--rpm <n>', 'requests per minute limit', parsePositiveInt)
    .option('--tpm <n>', 'tokens per minute limit', parsePositiveInt)
    .option('--concurrency <n>', 'requests in flight at once', parsePositiveInt)
    .option('--expires <iso>', 'expiry time, e.g. 2026-01-01T00:00:00Z (default: never)', parseFutureTime)
    .option('--admin', 'may call the admin API')
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options: Options) =>
      runCommand(options, async ({ env, customers, apiKeys }, out) => {
        const secret = env.KEY_HASH_SECRET;
        if (!secret) throw new CliError(MISSING_SECRET);
        const customer = await customers.get(customerId);
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);

        const { key, prefix } = generateApiKey();
        const created = await apiKeys.create({
          customerId,
          name: options.name,
          prefix,
          secretHash: hashApiKey(key, secret),
          isAdmin: options.admin === true,
          allowedModels: options.models ?? null,
          allowedEndpoints: options.endpoints ?? null,
          rpmLimit: options.rpm ?? null,
          tpmLimit: options.tpm ?? null,
          maxConcurrency: options.concurrency ?? null,
          expiresAt: options.expires ?? null,
        });
        const limits = [
          created.rpmLimit && `${created.rpmLimit} req/min`,
          created.tpmLimit && `${created.tpmLimit} tokens/min`,
          created.maxConcurrency && `${created.maxConcurrency} at once`,
        ].filter(Boolean);
        out.result({ ...created, key, customerName: customer.name }, () => [
          `Created key "${created.name}" (${showPrefix(prefix)}) for ${customer.name}`,
          `  id:      ${created.id}`,
          `  models:  ${created.allowedModels?.join(', ') ?? 'all'}`,
          `  endpoints: ${created.allowedEndpoints?.join(', ') ?? 'all'}`,
          `  limits:  ${limits.length > 0 ? limits.join(', ') : 'none'}`,
          `  expires: ${formatTime(created.expiresAt, 'never')}`,
          ...(created.isAdmin ? ['  admin:   yes'] : []),
          ...(customer.status === 'suspended'
            ? ['  warning: this customer is suspended; the key will be refused until it is reactivated']
            : []),
          '',
          `  ${key}`,
          '',
          'Copy this key now: it will not be shown again (only its hash is stored).',
          'Use it as a Bearer token: Authorization: Bearer <key>',
        ]);
      }),
    );
}
