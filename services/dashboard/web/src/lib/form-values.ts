/** Parsing form text into API values, with messages a person can act on. Empty optional fields become null. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** A positive whole number (limits like RPM), or null when empty. */
export function parseLimit(text: string, label: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (!trimmed) return ok(null);
  if (!/^\d+$/.test(trimmed)) return fail(`${label} must be a whole number`);
  const n = Number(trimmed);
  if (n < 1 || n > 2_147_483_647) return fail(`${label} must be between 1 and 2147483647`);
  return ok(n);
}

/** A whole number ≥ 0 (plan quotas), or null (unlimited) when empty. */
export function parseQuota(text: string, label: string): Parsed<number | null> {
  const trimmed = text.trim();
  if (!trimmed) return ok(null);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed)))
    return fail(`${label} must be a whole number`);
  return ok(Number(trimmed));
}

/** A non-negative amount (money, watts); required unless `optional`, then empty is null. */
export function parseAmount(text: string, label: string, optional: true): Parsed<number | null>;
export function parseAmount(text: string, label: string, optional?: false): Parsed<number>;
export function parseAmount(text: string, label: string, optional = false): Parsed<number | null> {
  const trimmed = text.trim().replace(',', '.');
  if (!trimmed) return optional ? ok(null) : fail(`${label} is required`);
  if (!/^(\d+\.?\d*|\.\d+)$/.test(trimmed)) return fail(`${label} must be a number ≥ 0`);
  return ok(Number(trimmed));
}

/** A number in a range, possibly negative (markup percent). */
export function parseNumberInRange(text: string, label: string, min: number, max: number): Parsed<number> {
  const trimmed = text.trim().replace(',', '.');
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return fail(`${label} must be a number`);
  const n = Number(trimmed);
  if (n < min || n > max) return fail(`${label} must be between ${min} and ${max}`);
  return ok(n);
}

/** "llama3*, qwen2.5:7b" → ["llama3*", "qwen2.5:7b"]; empty → null (all models). */
export function parseModelList(text: string): Parsed<string[] | null> {
  const models = [...new Set(text.split(/[,\n]/).map((m) => m.trim()))].filter(Boolean);
  if (models.length === 0) return ok(null);
  const tooLong = models.find((m) => m.length > 200);
  if (tooLong) return fail(`Model name too long: ${tooLong.slice(0, 40)}…`);
  return ok(models);
}

export function formatModelList(models: readonly string[] | null): string {
  return models ? models.join(', ') : '';
}

/** Numbers and nulls back to input text. */
export function inputText(value: number | string | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
