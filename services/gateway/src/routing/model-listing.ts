import type { OllamaTagModel } from '../clients/ollama/ollama.types.js';
import { modelKey } from './model-name.js';
import { classifyFailure } from './routing-failures.js';
import type { RoutingTable } from './routing-table.js';

type Listed = OllamaTagModel & Record<string, unknown>;

const keyOf = (entry: Listed): string => modelKey(entry.model || entry.name || '');

/**
 * `/api/tags` or `/api/ps` of every host not known to be down, asked at once and merged: each model once (the first
 * host in config order wins), in the order the hosts list them. A host that answers refreshes what the router knows
 * of it; one that fails is left out (and marked down when it cannot be reached). With `aliases`, each alias whose
 * model is listed is added as a copy of that model's entry under the alias's name. Throws when no host answered.
 */
export async function listUnion(
  table: RoutingTable,
  what: 'tags' | 'ps',
  signal: AbortSignal,
  aliases: boolean,
): Promise<{ models: Listed[] }> {
  const up = table.hosts.filter((host) => host.alive !== false);
  const asked = up.length > 0 ? up : table.hosts;
  const answers = await Promise.allSettled(
    asked.map((host) => (what === 'tags' ? host.client.tags(signal) : host.client.ps(signal))),
  );
  const seen = new Map<string, Listed>();
  let firstError: unknown = null;
  answers.forEach((answer, index) => {
    const host = asked[index]!;
    if (answer.status === 'rejected') {
      firstError ??= answer.reason;
      const verdict = classifyFailure(answer.reason, signal);
      if (verdict.kind === 'failure' && verdict.failure === 'connection') host.markDown(answer.reason);
      return;
    }
    const models = (Array.isArray(answer.value.models) ? answer.value.models : []) as Listed[];
    const keys = new Set<string>();
    for (const entry of models) {
      const key = keyOf(entry);
      keys.add(key);
      if (!seen.has(key)) seen.set(key, entry);
    }
    host.markUp();
    if (what === 'tags') host.setModels(keys);
    else host.setLoaded(keys);
  });
  if (seen.size === 0 && firstError !== null && answers.every((answer) => answer.status === 'rejected')) {
    const verdict = classifyFailure(firstError, signal);
    throw verdict.kind === 'failure' ? verdict.error : firstError;
  }
  const models = [...seen.values()];
  if (aliases)
    for (const [key, { alias, target }] of table.aliases) {
      const entry = seen.get(target.key);
      if (entry && !seen.has(key)) models.push({ ...entry, name: alias, model: alias });
    }
  return { models };
}
