// Small statistics helpers: percentiles over raw samples (the runs are short, so keeping every sample is cheap and exact).

/** The p-th percentile (0-100) of `values` by nearest rank; NaN when empty. Sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function fmt(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return value.toFixed(digits);
}

/** "+1.23" / "−0.40" for an added-time column. */
export function fmtDelta(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  const s = Math.abs(value).toFixed(digits);
  return value < 0 ? `−${s}` : `+${s}`;
}

export function fmtInt(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}
