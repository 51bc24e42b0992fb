import { isUuid } from '@ollama-gateway/db';
import { InvalidArgumentError } from 'commander';

/** Argument and option parsers: a bad value is a usage error (exit 2), caught before anything touches the database. */

export function parseUuid(value: string): string {
  if (!isUuid(value))
    throw new InvalidArgumentError(
      'Not a UUID (ids look like 3f1c2a9e-…; list them with list-customers or list-keys).',
    );
  return value.toLowerCase();
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0 || n > 2_147_483_647)
    throw new InvalidArgumentError('Must be a whole number greater than 0.');
  return n;
}

export function parseAmount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('Must be a number of 0 or more, e.g. 0.25.');
  return n;
}

export function parseTime(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime()))
    throw new InvalidArgumentError('Must be an ISO date or time, e.g. 2025-07-01 or 2025-07-01T00:00:00Z.');
  return date;
}

export function parseFutureTime(value: string): Date {
  const date = parseTime(value);
  if (date.getTime() <= Date.now()) throw new InvalidArgumentError('Must be in the future.');
  return date;
}

/** `"llama3*, qwen*"` → `['llama3*', 'qwen*']`. */
export function parseModelList(value: string): string[] {
  const patterns = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0)
    throw new InvalidArgumentError('Give at least one model or pattern, e.g. "llama3*,qwen*".');
  for (const pattern of patterns) parseModel(pattern);
  return [...new Set(patterns)];
}

/** A model name or glob: letters, digits and `. _ : / - * ?`. */
export function parseModel(value: string): string {
  if (!/^[A-Za-z0-9._:/*?-]{1,200}$/.test(value))
    throw new InvalidArgumentError(
      `"${value}" is not a model name or pattern (letters, digits and . _ : / - plus * and ? wildcards).`,
    );
  return value;
}

export function parseName(value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 200) throw new InvalidArgumentError('Must be 1 to 200 characters.');
  return name;
}

export function parseEmail(value: string): string {
  const email = value.trim();
  if (email.length > 320 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw new InvalidArgumentError('Not an email address, e.g. ops@example.com.');
  return email;
}

/** `none` (no cap), else an amount. (Commander turns a null option value into '', hence the word.) */
export function parseAmountOrNone(value: string): number | 'none' {
  return value.trim().toLowerCase() === 'none' ? 'none' : parseAmount(value);
}

/** `unlimited`, else a whole number of 0 or more. */
export function parseQuota(value: string): number | 'unlimited' {
  if (value.trim().toLowerCase() === 'unlimited') return 'unlimited';
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('Must be a whole number of 0 or more, or "unlimited".');
  return n;
}

/** `YYYY-MM`, e.g. 2025-07. */
export function parseMonth(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value.trim()))
    throw new InvalidArgumentError('Must be a month as YYYY-MM, e.g. 2025-07.');
  return value.trim();
}

/** `"/v1/chat/completions, dialect:anthropic, /api/*"` → entries: paths or globs starting with `/`, or `dialect:x`. */
export function parseEndpointList(value: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new InvalidArgumentError(
      'Give at least one endpoint, e.g. "/v1/chat/completions,dialect:anthropic".',
    );
  for (const entry of entries) {
    const isDialect = /^dialect:(openai|anthropic|ollama)$/i.test(entry);
    const isPath = /^\/[A-Za-z0-9._~\-/*?]{0,199}$/.test(entry);
    if (!isDialect && !isPath)
      throw new InvalidArgumentError(
        `"${entry}" is not an endpoint: give a path or glob (/v1/chat/completions, /api/*) or dialect:openai|anthropic|ollama.`,
      );
  }
  return [...new Set(entries.map((e) => (e.toLowerCase().startsWith('dialect:') ? e.toLowerCase() : e)))];
}

/** A whole percent from 1 to 100 (soft limit). */
export function parsePercent(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 100)
    throw new InvalidArgumentError('Must be a whole number from 1 to 100.');
  return n;
}

/** A markup in percent: any number of -100 or more (negative = discount), at most 4 decimals. */
export function parseMarkupPercent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < -100 || n > 99_999)
    throw new InvalidArgumentError('Must be a percent of -100 or more, e.g. 20 or -10.');
  if (!/^-?\d+(\.\d{1,4})?$/.test(value.trim()))
    throw new InvalidArgumentError('At most 4 decimals, e.g. 12.5.');
  return n;
}

/** `none` (the gateway default), else an http(s) URL. */
export function parseUrlOrNone(value: string): string | 'none' {
  const text = value.trim();
  if (text.toLowerCase() === 'none') return 'none';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('Not a URL, e.g. https://hooks.example.com/budget, or "none".');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || text.length > 2000)
    throw new InvalidArgumentError(
      'Must be an http:// or https:// URL of at most 2000 characters, or "none".',
    );
  return text;
}

/** `none` (no limit), else a whole number greater than 0. */
export function parsePositiveIntOrNone(value: string): number | 'none' {
  return value.trim().toLowerCase() === 'none' ? 'none' : parsePositiveInt(value);
}

/** `all` (every model), else a comma-separated list of models or globs. */
export function parseModelListOrAll(value: string): string[] | 'all' {
  return value.trim().toLowerCase() === 'all' ? 'all' : parseModelList(value);
}

/** `never`, else an ISO time (past times are allowed: they expire the key at once). */
export function parseTimeOrNever(value: string): Date | 'never' {
  return value.trim().toLowerCase() === 'never' ? 'never' : parseTime(value);
}
