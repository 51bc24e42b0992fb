import { ConfigError, parseEnv } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { loggerEnvSchema } from './env.js';

describe('logger env', () => {
  it('has working defaults', () => {
    expect(parseEnv(loggerEnvSchema, {})).toMatchObject({
      REQUEST_LOG_BODIES: true,
      REQUEST_LOG_MAX_BODY_BYTES: 262_144,
      LOGGER_HOST: '127.0.0.1',
      LOGGER_PORT: 8083,
      QUEUE_PREFIX: 'ogw',
      REQUEST_LOG_RETENTION_DAYS: 30,
      USAGE_EVENT_RETENTION_DAYS: 0,
      RETENTION_INTERVAL_MINUTES: 60,
      RETENTION_BATCH_SIZE: 5000,
    });
  });

  it('reads booleans and sizes', () => {
    const env = parseEnv(loggerEnvSchema, {
      REQUEST_LOG_BODIES: 'false',
      REQUEST_LOG_MAX_BODY_BYTES: '4096',
    });
    expect(env.REQUEST_LOG_BODIES).toBe(false);
    expect(env.REQUEST_LOG_MAX_BODY_BYTES).toBe(4096);
  });

  it('names the bad variable', () => {
    expect(() => parseEnv(loggerEnvSchema, { REQUEST_LOG_BODIES: 'maybe' })).toThrow(ConfigError);
    expect(() => parseEnv(loggerEnvSchema, { REQUEST_LOG_BODIES: 'maybe' })).toThrow(/REQUEST_LOG_BODIES/);
  });
});
