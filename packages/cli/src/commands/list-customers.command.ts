import type { Command } from 'commander';
import { formatTable, formatTime } from '../output.js';
import { JSON_OPTION_HELP, runCommand } from '../run.js';

export function registerListCustomers(program: Command): void {
  program
    .command('list-customers')
    .description('list every customer, oldest first')
    .option('--json', JSON_OPTION_HELP)
    .action((options) =>
      runCommand(options, async ({ customers }, out) => {
        const list = await customers.list();
        out.result({ customers: list }, () =>
          list.length === 0
            ? ['No customers yet.', 'Next: npx gatewayctl create-customer "Acme" ops@acme.example']
            : [
                ...formatTable(
                  ['ID', 'NAME', 'EMAIL', 'PLAN', 'BUDGET', 'STATUS', 'CREATED'],
                  list.map((c) => [
                    c.id,
                    c.name,
                    c.email ?? '-',
                    c.planName ?? '-',
                    c.budget === null ? '-' : String(c.budget),
                    c.status,
                    formatTime(c.createdAt),
                  ]),
                ),
                '',
                'Next: npx gatewayctl list-keys <id>  ·  npx gatewayctl generate-key <id>',
              ],
        );
      }),
    );
}
