import { ConfigError, parseEnv } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { billingEnvSchema } from './env.js';

describe('billing env', () => {
  it('has working defaults', () => {
    expect(parseEnv(billingEnvSchema, {})).toMatchObject({
      GPU_WATTS: '350',
      ELECTRICITY_PRICE_PER_KWH: '0.15',
      CURRENCY: 'USD',
      BILLING_CONCURRENCY: 16,
      BILLING_WORKER_HOST: '127.0.0.1',
      BILLING_WORKER_PORT: 8082,
    });
  });

  it('keeps decimal settings exact', () => {
    const env = parseEnv(billingEnvSchema, { GPU_WATTS: '287.5', ELECTRICITY_PRICE_PER_KWH: '0.3141' });
    expect(env.GPU_WATTS).toBe('287.5');
    expect(env.ELECTRICITY_PRICE_PER_KWH).toBe('0.3141');
  });

  it('names each bad variable', () => {
    const bad = { GPU_WATTS: '-3', CURRENCY: 'dollars', BILLING_CONCURRENCY: '0' };
    expect(() => parseEnv(billingEnvSchema, bad)).toThrow(ConfigError);
    expect(() => parseEnv(billingEnvSchema, bad)).toThrow(
      /GPU_WATTS[\s\S]*CURRENCY[\s\S]*BILLING_CONCURRENCY/,
    );
  });
});
