// What a hostile request may get back: never a 5xx; a 4xx always in the caller's dialect, with a message.
import type { Dialect } from '@ollama-gateway/contracts';
import { expect } from 'vitest';
import type { Answer } from './hostile-stack.js';

/** The error message of a body in `dialect`'s shape, or null when the body is not that shape. */
export function dialectErrorMessage(dialect: Dialect, json: unknown): string | null {
  const body = json as Record<string, unknown> | null | undefined;
  if (!body || typeof body !== 'object') return null;
  if (dialect === 'ollama') return typeof body.error === 'string' && body.error ? body.error : null;
  const error = body.error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object' || typeof error.message !== 'string' || !error.message) return null;
  if (dialect === 'anthropic')
    return body.type === 'error' && typeof error.type === 'string' ? error.message : null;
  return typeof error.type === 'string' && 'param' in error && 'code' in error ? error.message : null;
}

const describe = (answer: Answer, what: string) =>
  `${what}: ${answer.target} answered ${answer.status} ${answer.text.slice(0, 300)}`;

/** A 4xx in the dialect's shape; returns its message (checked against `mentions` when given, case-insensitive). */
export function expectClientError(answer: Answer, dialect: Dialect, what: string, mentions?: RegExp): string {
  expect(answer.status, describe(answer, what)).toBeGreaterThanOrEqual(400);
  expect(answer.status, describe(answer, what)).toBeLessThan(500);
  const message = dialectErrorMessage(dialect, answer.json);
  expect(message, describe(answer, `${what} (a ${dialect} error body)`)).not.toBeNull();
  if (mentions) expect(message, describe(answer, what)).toMatch(mentions);
  return message!;
}

/** Success, or a 4xx as above; never a 5xx. */
export function expectNoServerError(answer: Answer, dialect: Dialect, what: string): void {
  expect(answer.status, describe(answer, what)).toBeLessThan(500);
  if (answer.status >= 400) expectClientError(answer, dialect, what);
}

/** Counts answers by status, for the test's summary line. */
export function tally(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const answer of answers) counts[answer.status] = (counts[answer.status] ?? 0) + 1;
  return counts;
}
