import type { ApiKey } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTable, formatTime, showPrefix } from '../output.js';
import { parseUuid } from '../parsers.js';
import { JSON_OPTION_HELP, runCommand } from '../run.js';

export type KeyStatus = 'active' | 'revoked' | 'expired';

export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now = new Date()): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function registerListKeys(program: Command): void {
  program
    .command('list-keys')
    .description("list a customer's keys, newest first (never the key itself)")
    .argument('<customer-id>', 'the customer (see list-customers)', parseUuid)
    .option('--json', JSON_OPTION_HELP)
    .action((customerId: string, options) =>
      runCommand(options, async ({ customers, apiKeys }, out) => {
        const customer = await customers.get(customerId);
        if (!customer)
          throw new CliError(`No customer with id ${customerId}; run "npx gatewayctl list-customers"`);
        const keys = (await apiKeys.listByCustomer(customerId)).map((k) => ({ ...k, status: keyStatus(k) }));
        out.result({ customerId, keys }, () =>
          keys.length === 0
            ? [`${customer.name} has no keys yet.`, `Next: npx gatewayctl generate-key ${customerId}`]
            : [
                ...formatTable(
                  ['ID', 'PREFIX', 'NAME', 'STATUS', 'MODELS', 'EXPIRES', 'LAST USED'],
                  keys.map((k) => [
                    k.id,
                    showPrefix(k.prefix),
                    k.name,
                    k.isAdmin ? `${k.status} (admin)` : k.status,
                    k.allowedModels?.join(',') ?? 'all',
                    formatTime(k.expiresAt, 'never'),
                    formatTime(k.lastUsedAt, 'never'),
                  ]),
                ),
                '',
                'Revoke one: npx gatewayctl revoke-key <id>',
              ],
        );
      }),
    );
}
