import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths that may hold secrets; pino replaces their values so keys never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-gateway-internal"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'apiKey',
  'key',
  'secret',
  'password',
];

/** JSON logs to stdout, one line per event, with the service name on every line. */
export function createLogger(service: string, level: LoggerOptions['level'] = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/**
 * Wraps a log call so it runs at most once per `intervalMs` (the calls in between are dropped): for warnings that
 * would otherwise repeat on every request during an outage.
 */
export function atMostEvery<A extends unknown[]>(
  intervalMs: number,
  log: (...args: A) => void,
): (...args: A) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (...args) => {
    const at = Date.now();
    if (at - last < intervalMs) return;
    last = at;
    log(...args);
  };
}
