import { ConfigError, parseEnv } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { billingEnvSchema } from './env.js';

describe('billing env', () => {
  it('has working defaults', () => {
    expect(parseEnv(billingEnvSchema, {})).toMatchObject({
      GPU_WATTS: '350',
      ELECTRICITY_PRICE_PER_KWH: '0.15',
      CURRENCY: 'USD',
      BILLING_CONCURRENCY: 128,
      BILLING_BATCH_SIZE: 100,
      BILLING_TIME_ZONE: 'UTC',
      GPU_WATTS_BY_HOST: {},
      ELECTRICITY_TIME_OF_USE: [],
      BILLING_WORKER_HOST: '127.0.0.1',
      BILLING_WORKER_PORT: 8082,
    });
  });

  it('keeps decimal settings exact', () => {
    const env = parseEnv(billingEnvSchema, { GPU_WATTS: '287.5', ELECTRICITY_PRICE_PER_KWH: '0.3141' });
    expect(env.GPU_WATTS).toBe('287.5');
    expect(env.ELECTRICITY_PRICE_PER_KWH).toBe('0.3141');
  });

  it('reads per-host watts and time-of-use windows as JSON', () => {
    const env = parseEnv(billingEnvSchema, {
      GPU_WATTS_BY_HOST: '{"http://gpu1:11434":450,"http://gpu2:11434":"287.5"}',
      ELECTRICITY_TIME_OF_USE: '[{"from":"22:00","to":"06:00","pricePerKwh":0.08}]',
      BILLING_TIME_ZONE: 'Europe/Berlin',
    });
    expect(env.GPU_WATTS_BY_HOST).toEqual({ 'http://gpu1:11434': '450', 'http://gpu2:11434': '287.5' });
    expect(env.ELECTRICITY_TIME_OF_USE).toEqual([{ from: '22:00', to: '06:00', pricePerKwh: '0.08' }]);
    expect(() =>
      parseEnv(billingEnvSchema, {
        ELECTRICITY_TIME_OF_USE: '[{"from":"25:00","to":"06:00","pricePerKwh":1}]',
      }),
    ).toThrow(/ELECTRICITY_TIME_OF_USE/);
    expect(() => parseEnv(billingEnvSchema, { GPU_WATTS_BY_HOST: 'gpu1=450' })).toThrow(/GPU_WATTS_BY_HOST/);
    expect(() => parseEnv(billingEnvSchema, { BILLING_TIME_ZONE: 'Mars/Olympus' })).toThrow(
      /BILLING_TIME_ZONE/,
    );
  });

  it('names each bad variable', () => {
    const bad = { GPU_WATTS: '-3', CURRENCY: 'dollars', BILLING_CONCURRENCY: '0' };
    expect(() => parseEnv(billingEnvSchema, bad)).toThrow(ConfigError);
    expect(() => parseEnv(billingEnvSchema, bad)).toThrow(
      /GPU_WATTS[\s\S]*CURRENCY[\s\S]*BILLING_CONCURRENCY/,
    );
  });
});
