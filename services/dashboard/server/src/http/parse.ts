import { badRequest } from '@ollama-gateway/runtime';
import type { z } from 'zod';

/** A query or body checked by a zod schema; the first problem becomes a 400 `invalid_request` naming the field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw badRequest(field ? `${field}: ${issue.message}` : issue.message, {
    code: 'invalid_request',
    ...(field ? { param: field } : {}),
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path parameter that must be a uuid (400 naming it otherwise). */
export function uuidParam(value: unknown, name: string): string {
  const text = Array.isArray(value) ? value.join('/') : String(value ?? '');
  if (!UUID.test(text)) throw badRequest(`${name}: must be a uuid`, { code: 'invalid_request', param: name });
  return text.toLowerCase();
}

/** Express 5 params are strings (arrays for `*` params). */
export const pathParam = (value: unknown): string => (Array.isArray(value) ? value.join('/') : String(value));
