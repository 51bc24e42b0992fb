/**
 * Display formatting for the dashboard: money (decimal strings, never rounded away when small), counts, durations,
 * energy, percentages and dates in a chosen IANA time zone. Pure functions; no DOM.
 */

const DASH = '—';

/** Parses a decimal string (or number) from the API; NaN for anything else. */
export function toNumber(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) ? Number(trimmed) : Number.NaN;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, fractionDigits: number | null, locale?: string): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${fractionDigits ?? 'default'}`;
  let format = moneyFormats.get(key);
  if (!format) {
    let options: Intl.NumberFormatOptions = { style: 'currency', currency };
    if (fractionDigits !== null) {
      options = { ...options, minimumFractionDigits: 0, maximumFractionDigits: fractionDigits };
    }
    try {
      format = new Intl.NumberFormat(locale, options);
    } catch {
      // An unknown currency code: format as a plain number followed by the code.
      format = new Intl.NumberFormat(locale, { maximumFractionDigits: fractionDigits ?? 2 });
    }
    moneyFormats.set(key, format);
  }
  return format;
}

/** How many fraction digits the currency normally uses (2 for USD/EUR, 0 for JPY). */
export function currencyDigits(currency: string, locale?: string): number {
  return moneyFormat(currency, null, locale).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Formats a money amount. Amounts of at least one unit use the currency's usual digits ($12.35); smaller amounts keep
 * four significant digits so sub-cent costs stay visible ($0.0153, $0.000123), up to 10 fraction digits. The decimal
 * string itself is passed to Intl (no float rounding for large values).
 */
export function formatMoney(
  value: string | number | null | undefined,
  currency: string,
  locale?: string,
): string {
  const n = toNumber(value);
  if (Number.isNaN(n)) return DASH;
  const base = currencyDigits(currency, locale);
  const abs = Math.abs(n);
  let digits = base;
  if (abs > 0 && abs < 1) {
    const significant = -Math.floor(Math.log10(abs)) + 3;
    digits = Math.min(10, Math.max(base, significant));
  }
  const format =
    digits === base ? moneyFormat(currency, null, locale) : moneyFormat(currency, digits, locale);
  const input = typeof value === 'string' ? (value.trim() as Intl.StringNumericLiteral) : n;
  const text = format.format(input);
  if (digits === base || base === 0) return text;
  // Keep at least the currency's usual digits: "$0.5" reads better as "$0.50".
  return padFraction(text, base, format, n);
}

function padFraction(text: string, minDigits: number, format: Intl.NumberFormat, n: number): string {
  const parts = format.formatToParts(n);
  const fraction = parts.find((part) => part.type === 'fraction');
  if (fraction && fraction.value.length >= minDigits) return text;
  const padded = new Intl.NumberFormat(format.resolvedOptions().locale, {
    ...(format.resolvedOptions() as Intl.NumberFormatOptions),
    minimumFractionDigits: minDigits,
  });
  return padded.format(n);
}

export function formatInt(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** 1234 → "1.2K", 2500000 → "2.5M" (chart axes). */
export function formatCompact(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

/** A 0..1 ratio as a percentage: 0.0123 → "1.23%", 0.5 → "50%". */
export function formatPercent(ratio: number | null | undefined, locale?: string): string {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return DASH;
  const digits = ratio !== 0 && Math.abs(ratio) < 0.1 ? 2 : 1;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(ratio);
}

/** Milliseconds for people: 87 ms, 1.24 s, 2 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return DASH;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 10) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

/** Tokens per second with one decimal. */
export function formatRate(value: number | null | undefined, locale?: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value)} tok/s`;
}

/** Energy given in Wh (decimal string): "0.0421 Wh", "12.5 Wh", "3.21 kWh", "1.5 MWh". */
export function formatEnergy(wh: string | number | null | undefined, locale?: string): string {
  const n = toNumber(wh);
  if (Number.isNaN(n)) return DASH;
  const abs = Math.abs(n);
  const [value, unit] =
    abs >= 1_000_000 ? [n / 1_000_000, 'MWh'] : abs >= 1000 ? [n / 1000, 'kWh'] : [n, 'Wh'];
  const absValue = Math.abs(value);
  const digits =
    absValue === 0
      ? 0
      : absValue < 1
        ? Math.min(8, -Math.floor(Math.log10(absValue)) + 2)
        : absValue < 100
          ? 2
          : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${unit}`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(timeZone: string, kind: 'datetime' | 'hour' | 'day'): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let format = dateFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'datetime'
        ? { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' }
        : kind === 'hour'
          ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
          : { month: 'short', day: 'numeric' };
    try {
      format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
    }
    dateFormats.set(key, format);
  }
  return format;
}

/** An ISO instant as a date and time in the zone: "5 Mar 2026, 14:03:07". */
export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(timeZone, 'datetime').format(date);
}

/** A chart bucket label: "5 Mar, 14:00" for hours, "5 Mar" for days. */
export function formatBucket(iso: string, timeZone: string, granularity: 'hour' | 'day'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateFormat(timeZone, granularity).format(date);
}
