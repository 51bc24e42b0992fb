import { badRequest, notFound } from '@ollama-gateway/runtime';
import type { z } from 'zod';

/** A body or query checked by a zod schema; the first problem becomes a 400 naming the field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.join('.') || undefined;
  throw badRequest(param ? `${param}: ${issue.message}` : issue.message, {
    code: 'invalid_request_body',
    ...(param ? { param } : {}),
  });
}

export const customerNotFound = (id: string) =>
  notFound(`No customer with id ${id}`, { code: 'customer_not_found', param: 'id' });

export const keyNotFound = (id: string) =>
  notFound(`No key with id ${id}`, { code: 'key_not_found', param: 'id' });

/** Express 5 params are strings; `*` params arrays. */
export const param = (value: unknown): string => (Array.isArray(value) ? value.join('/') : String(value));
