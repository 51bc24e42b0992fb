import { notifyKeyChanged } from '@ollama-gateway/runtime';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { formatTime, showPrefix } from '../output.js';
import { parseUuid } from '../parsers.js';
import { JSON_OPTION_HELP, runCommand } from '../run.js';

export function registerRevokeKey(program: Command): void {
  program
    .command('revoke-key')
    .description(
      'revoke a key: requests with it are refused from then on (revoking twice keeps the first time)',
    )
    .argument('<key-id>', 'the key id (see list-keys), not the key itself', parseUuid)
    .option('--json', JSON_OPTION_HELP)
    .action((keyId: string, options) =>
      runCommand(options, async ({ apiKeys, env }, out) => {
        const before = await apiKeys.findById(keyId);
        if (!before)
          throw new CliError(
            `No key with id ${keyId}; run "npx gatewayctl list-keys <customer-id>" to see key ids`,
          );
        await apiKeys.revoke(keyId);
        const after = (await apiKeys.findById(keyId))!;
        const alreadyRevoked = before.revokedAt !== null;
        // Every gateway drops the key from its cache on this message (within a second); if Redis cannot be reached
        // they still notice within KEY_CACHE_TTL_MS.
        const gatewaysNotified = await notifyKeyChanged(env.REDIS_URL, env.QUEUE_PREFIX, keyId).catch(
          () => null,
        );
        out.result(
          {
            id: after.id,
            customerId: after.customerId,
            name: after.name,
            prefix: after.prefix,
            revokedAt: after.revokedAt,
            alreadyRevoked,
            gatewaysNotified,
          },
          () => [
            alreadyRevoked
              ? `Key "${after.name}" (${showPrefix(after.prefix)}) was already revoked at ${formatTime(after.revokedAt)}.`
              : `Revoked key "${after.name}" (${showPrefix(after.prefix)}) at ${formatTime(after.revokedAt)}.`,
            gatewaysNotified === null
              ? 'Warning: Redis could not be reached; gateways refuse the key once their key cache expires (KEY_CACHE_TTL_MS).'
              : `Gateways notified: ${gatewaysNotified}.`,
            `Next: npx gatewayctl list-keys ${after.customerId}`,
          ],
        );
      }),
    );
}
