/** Helpers shared by the repositories: id checks, Postgres error codes, numeric conversion. */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID (any version). Repositories answer "not found" for anything else, without a query. */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** The SQLSTATE of a pg error (`23505` unique violation, `23503` foreign key…), else undefined. */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The name of the constraint a pg error is about, else undefined. */
export function pgConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/** numeric/int8 columns arrive as strings (exact decimals); the domain uses numbers. */
export function toNumber(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: string | number | null): number | null {
  return value === null ? null : toNumber(value);
}
