import type { Price } from '@ollama-gateway/db';
import type { Command } from 'commander';
import { formatTable, formatTime } from '../output.js';
import { JSON_OPTION_HELP, runCommand } from '../run.js';

export type PriceStatus = 'current' | 'scheduled' | 'superseded';

/** Per provider+model: the latest row already in effect is current, later ones scheduled, earlier ones superseded. */
export function priceStatuses(prices: Price[], now = new Date()): Map<string, PriceStatus> {
  const statuses = new Map<string, PriceStatus>();
  const seenCurrent = new Set<string>();
  const sorted = [...prices].sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
  for (const price of sorted) {
    const group = `${price.provider}\u0000${price.model}`;
    if (price.effectiveFrom.getTime() > now.getTime()) statuses.set(price.id, 'scheduled');
    else if (seenCurrent.has(group)) statuses.set(price.id, 'superseded');
    else {
      seenCurrent.add(group);
      statuses.set(price.id, 'current');
    }
  }
  return statuses;
}

export function registerListPrices(program: Command): void {
  program
    .command('list-prices')
    .alias('list-pricing')
    .description('list prices (per million tokens) with what is in force now, and the reference price')
    .option('--json', JSON_OPTION_HELP)
    .action((options) =>
      runCommand(options, async ({ pricing }, out) => {
        const list = await pricing.list();
        const statuses = priceStatuses(list);
        const prices = list.map((p) => ({ ...p, status: statuses.get(p.id)! }));
        const referencePrice = await pricing.findDefaultReferencePrice();
        out.result({ prices, referencePrice }, () => [
          ...(prices.length === 0
            ? [
                'No prices yet: every request costs 0.',
                'Next: npx gatewayctl set-price "*" --input 0.1 --output 0.2',
              ]
            : formatTable(
                ['PROVIDER', 'MODEL', 'INPUT/1M', 'OUTPUT/1M', 'PER REQUEST', 'FROM', 'STATUS'],
                prices.map((p) => [
                  p.provider,
                  p.model,
                  String(p.inputPerMillion),
                  String(p.outputPerMillion),
                  String(p.perRequest),
                  p.effectiveFrom.getTime() === 0 ? 'always' : formatTime(p.effectiveFrom),
                  p.status,
                ]),
              )),
          '',
          referencePrice
            ? `Reference (what it would cost on ${referencePrice.name}): ${referencePrice.inputPerMillion} input + ${referencePrice.outputPerMillion} output per million tokens`
            : 'No default reference price set.',
        ]);
      }),
    );
}
