/**
 * @ollama-gateway/pricing: the one pricing implementation. Pure functions, no I/O: the billing worker prices the
 * ledger with them and the gateway reserves budgets with them, so a reservation and the settled cost agree.
 */
export {
  type CostBreakdown,
  type CostInput,
  computeCost,
  costNano,
  divRoundHalfUp,
  type EnergyConfig,
  electricityCostNano,
  energyWhNano,
  formatNano,
  type GpuDurations,
  gpuBusyNs,
  isBillable,
  type ModelPrice,
  maxCostNano,
  NANO,
  type TokenPrice,
  tokenCostNano,
  toNano,
} from './cost.js';
export {
  assertTimeZone,
  billingPeriod,
  type EnergyPolicy,
  electricityPriceAt,
  gpuWattsFor,
  parseClock,
  resolveEnergy,
  type TimeOfUseWindow,
  wallClock,
} from './energy.js';
export { applyMarkup, applyMarkupNano, markupNano, type ResolvedPrice, resolvePrice } from './markup.js';
export { globToRegExp, type PriceQuery, type PriceRow, selectPrice } from './price-selector.js';
export {
  type MonthWindow,
  periodKey,
  type WallClockParts,
  zonedMonthStart,
  zonedMonthWindow,
  zonedParts,
} from './time-zone.js';
