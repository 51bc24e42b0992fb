/**
 * Pricing maths, pure and exact.
 *
 * Every amount is held as a BigInt count of nano-units (1e-9 of the currency, of a Wh, of a watt), the same scale
 * as the ledger's numeric(18, 9) columns, so nothing is ever rounded through a binary float. Each stored component
 * (input cost, output cost, energy, electricity, reference) is computed from the exact inputs and rounded once,
 * half-up, to 9 decimals; the total is the exact sum of its rounded parts, so the ledger always adds up.
 * Amounts leave this module as plain decimal strings ("0.000150000") that Postgres stores as numeric unchanged.
 */

export const NANO = 1_000_000_000n;
const MILLION = 1_000_000n;
const SECONDS_PER_HOUR = 3600n;
const WH_PER_KWH = 1000n;

/** A price per million tokens, as the pricing table holds it. Decimal strings or numbers with at most 9 decimals. */
export interface TokenPrice {
  inputPerMillion: string | number;
  outputPerMillion: string | number;
}

export interface ModelPrice extends TokenPrice {
  /** A flat amount added to every request this price applies to. */
  perRequest: string | number;
}

export interface EnergyConfig {
  /** Average GPU power draw while serving, watts. */
  gpuWatts: string | number;
  /** Electricity price per kWh. */
  electricityPricePerKwh: string | number;
}

/**
 * Ollama's reported durations in nanoseconds (null when the upstream did not report one). The GPU is busy while the
 * model loads, evaluates the prompt and generates: energy is charged for load + prompt_eval + eval, never for
 * total_duration (which also counts time queued behind other requests and HTTP overhead, when the GPU serves others).
 */
export interface GpuDurations {
  loadDurationNs: number | null;
  promptEvalDurationNs: number | null;
  evalDurationNs: number | null;
}

export interface CostInput extends GpuDurations {
  promptTokens: number;
  completionTokens: number;
  /** HTTP status the client saw; with no tokens, a failed request (>= 400) is not billed at all. */
  status?: number;
}

/**
 * Whether a request is billed: it produced tokens, or it succeeded. A request refused before it reached a model
 * (bad key, limit, budget, unknown model, upstream down) costs nothing, not even the per-request price. The budget
 * gate settles with the same rule, so the ledger and the budget counter agree to the nano-unit.
 */
export function isBillable(
  usage: { promptTokens: number; completionTokens: number },
  status: number,
): boolean {
  return usage.promptTokens > 0 || usage.completionTokens > 0 || status < 400;
}

/** Every amount as a 9-decimal string, ready for numeric columns. */
export interface CostBreakdown {
  inputCost: string;
  outputCost: string;
  requestCost: string;
  totalCost: string;
  energyWh: string;
  electricityCost: string;
  /** What the default reference price (e.g. OpenAI gpt-4o-mini) would have charged for the same tokens. */
  referenceCost: string;
}

/** Parses a non-negative decimal ("0.15", 0.15, "350") into nano-units; digits past the 9th round half-up. */
export function toNano(value: string | number): bigint {
  const text = typeof value === 'number' ? numberToDecimal(value) : value.trim();
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new TypeError(`Expected a non-negative decimal number, got "${String(value)}"`);
  const fraction = match[2] ?? '';
  let nano = BigInt(match[1]!) * NANO + BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  if (fraction.length > 9 && fraction.charCodeAt(9) >= 53 /* '5' */) nano += 1n;
  return nano;
}

/** Nano-units as a decimal string with exactly 9 decimals: 150000n → "0.000150000". */
export function formatNano(nano: bigint): string {
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  return `${sign}${abs / NANO}.${(abs % NANO).toString().padStart(9, '0')}`;
}

/** n / d rounded half-up (n, d ≥ 0). */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  return (n * 2n + d) / (d * 2n);
}

/** tokens × perMillion / 1e6, in nano-units. */
export function tokenCostNano(tokens: number, perMillion: string | number): bigint {
  return divRoundHalfUp(BigInt(tokens) * toNano(perMillion), MILLION);
}

/** GPU busy time: load + prompt_eval + eval durations in ns (missing ones count 0); null when none was reported. */
export function gpuBusyNs(durations: GpuDurations): number | null {
  const parts = [durations.loadDurationNs, durations.promptEvalDurationNs, durations.evalDurationNs];
  if (parts.every((part) => part === null)) return null;
  return parts.reduce<number>((sum, part) => sum + (part ?? 0), 0);
}

/** watts × busy_ns / 1e9 / 3600, in nano-Wh (0 when the duration is unknown). */
export function energyWhNano(busyNs: number | null, gpuWatts: string | number): bigint {
  if (busyNs === null || busyNs <= 0) return 0n;
  return divRoundHalfUp(toNano(gpuWatts) * BigInt(busyNs), NANO * SECONDS_PER_HOUR);
}

/** Wh / 1000 × price per kWh, computed from the unrounded energy, in nano-units. */
export function electricityCostNano(busyNs: number | null, energy: EnergyConfig): bigint {
  if (busyNs === null || busyNs <= 0) return 0n;
  const numerator = toNano(energy.gpuWatts) * BigInt(busyNs) * toNano(energy.electricityPricePerKwh);
  return divRoundHalfUp(numerator, NANO * SECONDS_PER_HOUR * WH_PER_KWH * NANO);
}

/**
 * The most a request can cost at `price`: prompt tokens + max completion tokens + the per-request price, in
 * nano-units. Every component is rounded exactly as `computeCost` rounds it and rounding is monotonic, so the
 * settled cost of the request (completion tokens ≤ max) never exceeds this. null price (unpriced request) → 0.
 */
export function maxCostNano(
  price: ModelPrice | null,
  promptTokens: number,
  maxCompletionTokens: number,
): bigint {
  if (!price) return 0n;
  return (
    tokenCostNano(promptTokens, price.inputPerMillion) +
    tokenCostNano(maxCompletionTokens, price.outputPerMillion) +
    toNano(price.perRequest)
  );
}

/** The billed cost (input + output + per-request) of a request at `price`, in nano-units; 0 for a null price. */
export function costNano(price: ModelPrice | null, promptTokens: number, completionTokens: number): bigint {
  return maxCostNano(price, promptTokens, completionTokens);
}

/**
 * Prices one request. `price` null (no pricing row applies) charges nothing; `reference` null gives a reference
 * cost of 0. Energy and electricity do not depend on the price.
 */
export function computeCost(
  usage: CostInput,
  price: ModelPrice | null,
  reference: TokenPrice | null,
  energy: EnergyConfig,
): CostBreakdown {
  const busy = gpuBusyNs(usage);
  const input = price ? tokenCostNano(usage.promptTokens, price.inputPerMillion) : 0n;
  const output = price ? tokenCostNano(usage.completionTokens, price.outputPerMillion) : 0n;
  const billable = usage.status === undefined || isBillable(usage, usage.status);
  const perRequest = price && billable ? toNano(price.perRequest) : 0n;
  const referenceCost = reference
    ? tokenCostNano(usage.promptTokens, reference.inputPerMillion) +
      tokenCostNano(usage.completionTokens, reference.outputPerMillion)
    : 0n;
  return {
    inputCost: formatNano(input),
    outputCost: formatNano(output),
    requestCost: formatNano(perRequest),
    totalCost: formatNano(input + output + perRequest),
    energyWh: formatNano(energyWhNano(busy, energy.gpuWatts)),
    electricityCost: formatNano(electricityCostNano(busy, energy)),
    referenceCost: formatNano(referenceCost),
  };
}

/** A JS number as a plain decimal string (never exponent notation). Numbers from numeric(14, 6) round-trip exactly. */
function numberToDecimal(value: number): string {
  if (!Number.isFinite(value) || value < 0 || value >= 1e21)
    throw new TypeError(`Expected a non-negative decimal number, got ${value}`);
  const text = String(value);
  return text.includes('e') ? value.toFixed(12) : text;
}
