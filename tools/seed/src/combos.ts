import { toNano } from '@ollama-gateway/pricing';
import type { Dialect } from './catalog/customers.catalog.js';
import {
  DEFAULT_GPU_WATTS,
  PROFILE_TRAITS,
  PROFILES,
  SEED_HOSTS,
  SEED_MODELS,
  type SeedModel,
} from './catalog/models.catalog.js';
import { allocateSlots, type SeedKey, type SeedPlan } from './plan.js';

/**
 * Everything about a request that is a choice among a few values — which model, dialect, endpoint, streamed or
 * not, which host — enumerated per key with its probability, together with the prices and speeds that follow from
 * it. The SQL generator draws one combo per row from COMBO_SLOTS slots of the row's key (one hash join), so the
 * per-row work left is the continuous part: tokens, durations and money.
 */

export const COMBO_SLOTS = 1000;

/** The price a customer pays for a model through a provider, as the billing worker would resolve it. */
export interface ResolvedSeedPrice {
  customerIdx: number;
  modelIdx: number;
  provider: 'ollama' | 'none';
  pricingId: string | null;
  /** Effective prices after markup, 9-decimal strings ("0" everywhere when no price applies). */
  inputPerMillion: string;
  outputPerMillion: string;
  perRequest: string;
  markupPercent: string;
}

export interface SeedCombo {
  keyIdx: number;
  weight: number;
  modelIdx: number;
  dialect: Dialect;
  endpoint: string;
  stream: boolean;
  /** 0 or 1: SEED_HOSTS index. */
  host: number;
}

/** The variants of one key's requests with their probabilities (summing to 1). */
export function keyCombos(key: SeedKey): SeedCombo[] {
  const out: SeedCombo[] = [];
  const mix = PROFILE_TRAITS[key.profile].models;
  SEED_MODELS.forEach((model, modelIdx) => {
    const modelShare = (mix[model.name] ?? 0) / 100;
    if (modelShare === 0) return;
    for (const [dialect, dialectShare] of dialects(key.dialect, model)) {
      for (const [endpoint, endpointShare] of endpoints(dialect, model)) {
        const streamShare = model.kind === 'chat' ? STREAM_SHARE[dialect] : 0;
        for (const stream of [true, false]) {
          const s = stream ? streamShare : 1 - streamShare;
          if (s === 0) continue;
          SEED_HOSTS.forEach((_, host) => {
            const h = host === 0 ? model.host1Share : 1 - model.host1Share;
            const weight = modelShare * dialectShare * endpointShare * s * h;
            if (weight > 0) out.push({ keyIdx: key.idx, weight, modelIdx, dialect, endpoint, stream, host });
          });
        }
      }
    }
  });
  return out;
}

const STREAM_SHARE: Readonly<Record<Dialect, number>> = { openai: 0.55, anthropic: 0.7, ollama: 0.75 };

/** Mostly the key's own SDK; a few requests from another client (a test script, a second app). */
function dialects(main: Dialect, model: SeedModel): [Dialect, number][] {
  const other: Dialect = main === 'openai' ? 'ollama' : 'openai';
  const third: Dialect = main === 'anthropic' ? 'ollama' : 'anthropic';
  const shares = new Map<Dialect, number>();
  for (const [dialect, share] of [
    [main, 0.9],
    [other, 0.06],
    [third, 0.04],
  ] as const) {
    // Anthropic has no embeddings API: those clients call the OpenAI one.
    const d: Dialect = model.kind === 'embed' && dialect === 'anthropic' ? 'openai' : dialect;
    shares.set(d, (shares.get(d) ?? 0) + share);
  }
  return [...shares];
}

function endpoints(dialect: Dialect, model: SeedModel): [string, number][] {
  if (model.kind === 'embed')
    return dialect === 'ollama'
      ? [
          ['/api/embed', 0.85],
          ['/api/embeddings', 0.15],
        ]
      : [['/v1/embeddings', 1]];
  if (dialect === 'anthropic') return [['/v1/messages', 1]];
  if (dialect === 'openai')
    return [
      ['/v1/chat/completions', 0.9],
      ['/v1/responses', 0.06],
      ['/v1/completions', 0.04],
    ];
  return [
    ['/api/chat', 0.8],
    ['/api/generate', 0.2],
  ];
}

/** One row of the seed_combos table: one combo of one key, with everything the generator needs. */
export interface ComboRow {
  combo_id: number;
  key_id: string;
  customer_id: string;
  profile_idx: number;
  model: string;
  embed: boolean;
  dimensions: number;
  dialect: Dialect;
  endpoint: string;
  stream: boolean;
  upstream_host: string;
  user_agent: string;
  client_ip: string;
  rate_limit: number;
  mu_prompt: number;
  sigma_prompt: number;
  max_prompt: number;
  mu_completion: number;
  sigma_completion: number;
  eval_tps: number;
  prompt_tps: number;
  cold_rate: number;
  cold_load_ms: number;
  watts: number;
  pricing_id: string | null;
  in_nano: string;
  out_nano: string;
  req_nano: string;
  in_pm: string;
  out_pm: string;
  req_p: string;
  markup: string;
  none_pricing_id: string | null;
  none_in_nano: string;
  none_out_nano: string;
  none_req_nano: string;
  none_in_pm: string;
  none_out_pm: string;
  none_req_p: string;
  none_markup: string;
}

export interface ComboTables {
  combos: ComboRow[];
  /** Slot id (key × COMBO_SLOTS + slot) → combo_id. */
  slots: { id: number; combo_id: number }[];
}

/** Whole watts: the generator's energy arithmetic is exact in bigint only for integral power. */
export function wholeWatts(value: string): number {
  if (!/^\d+$/.test(value)) throw new RangeError(`GPU watts must be a whole number here, got ${value}`);
  return Number(value);
}

export function buildComboTables(plan: SeedPlan, prices: readonly ResolvedSeedPrice[]): ComboTables {
  const priceOf = new Map(prices.map((p) => [`${p.customerIdx}|${p.modelIdx}|${p.provider}`, p]));
  const combos: ComboRow[] = [];
  const slots: ComboTables['slots'] = [];
  for (const key of plan.keys) {
    const variants = keyCombos(key);
    const first = combos.length;
    const customer = plan.customers[key.customerIdx]!;
    const traits = PROFILE_TRAITS[key.profile];
    for (const combo of variants) {
      const model = SEED_MODELS[combo.modelIdx]!;
      const host = SEED_HOSTS[combo.host]!;
      const price = (provider: 'ollama' | 'none') => {
        const p = priceOf.get(`${customer.idx}|${combo.modelIdx}|${provider}`);
        return {
          id: p?.pricingId ?? null,
          inNano: toNano(p?.inputPerMillion ?? '0').toString(),
          outNano: toNano(p?.outputPerMillion ?? '0').toString(),
          reqNano: toNano(p?.perRequest ?? '0').toString(),
          inPm: p?.inputPerMillion ?? '0',
          outPm: p?.outputPerMillion ?? '0',
          reqP: p?.perRequest ?? '0',
          markup: p?.markupPercent ?? '0',
        };
      };
      const served = price('ollama');
      const refused = price('none');
      const chat = model.kind === 'chat';
      combos.push({
        combo_id: combos.length,
        key_id: key.id,
        customer_id: customer.id,
        profile_idx: PROFILES.indexOf(key.profile),
        model: model.name,
        embed: !chat,
        dimensions: model.dimensions,
        dialect: combo.dialect,
        endpoint: combo.endpoint,
        stream: combo.stream,
        upstream_host: host.url,
        user_agent: key.userAgent,
        client_ip: key.clientIp,
        rate_limit: key.rateLimitShare,
        mu_prompt: Math.log(model.promptMedian * (chat ? traits.promptFactor : 1)),
        sigma_prompt: model.promptSigma,
        max_prompt: model.maxPromptTokens,
        mu_completion: chat ? Math.log(model.completionMedian * traits.completionFactor) : 0,
        sigma_completion: model.completionSigma,
        eval_tps: model.evalTps[combo.host]!,
        prompt_tps: model.promptTps[combo.host]!,
        cold_rate: model.coldRate,
        cold_load_ms: model.coldLoadMs,
        watts: wholeWatts(host.gpuWatts),
        pricing_id: served.id,
        in_nano: served.inNano,
        out_nano: served.outNano,
        req_nano: served.reqNano,
        in_pm: served.inPm,
        out_pm: served.outPm,
        req_p: served.reqP,
        markup: served.markup,
        none_pricing_id: refused.id,
        none_in_nano: refused.inNano,
        none_out_nano: refused.outNano,
        none_req_nano: refused.reqNano,
        none_in_pm: refused.inPm,
        none_out_pm: refused.outPm,
        none_req_p: refused.reqP,
        none_markup: refused.markup,
      });
    }
    allocateSlots(
      variants.map((v) => v.weight),
      COMBO_SLOTS,
    ).forEach((variant, slot) => {
      slots.push({ id: key.idx * COMBO_SLOTS + slot, combo_id: first + variant });
    });
  }
  return { combos, slots };
}

/** GPU_WATTS for requests that reached no host, as a whole number. */
export const DEFAULT_WATTS = wholeWatts(DEFAULT_GPU_WATTS);
