import { ConfigError, parseEnv } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import { dashboardEnvSchema } from './env.js';

const TOKEN = 'admin-token-0123456789';

describe('dashboard env', () => {
  it('has working defaults (loopback, port 3000, gateway on GATEWAY_PORT, UTC)', () => {
    const env = parseEnv(dashboardEnvSchema, { ADMIN_TOKEN: TOKEN });
    expect(env).toMatchObject({
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: 3000,
      GATEWAY_ADMIN_URL: 'http://127.0.0.1:8081',
      CURRENCY: 'USD',
      BILLING_TIME_ZONE: 'UTC',
      DASHBOARD_TIME_ZONE: 'UTC',
      GPU_WATTS: 350,
      ELECTRICITY_PRICE_PER_KWH: 0.15,
      DASHBOARD_COOKIE_SECURE: false,
    });
    expect(env.DASHBOARD_STATIC_DIR).toMatch(/web$/);
  });

  it('derives the gateway URL and the time zone', () => {
    const env = parseEnv(dashboardEnvSchema, {
      DASHBOARD_PASSWORD: 'a-long-password',
      GATEWAY_PORT: '9001',
      BILLING_TIME_ZONE: 'Europe/Berlin',
    });
    expect(env.GATEWAY_ADMIN_URL).toBe('http://127.0.0.1:9001');
    expect(env.DASHBOARD_TIME_ZONE).toBe('Europe/Berlin');
    const explicit = parseEnv(dashboardEnvSchema, {
      ADMIN_TOKEN: TOKEN,
      GATEWAY_ADMIN_URL: 'http://gateway:8081/',
      DASHBOARD_TIME_ZONE: 'America/New_York',
      BILLING_TIME_ZONE: 'Europe/Berlin',
    });
    expect(explicit.GATEWAY_ADMIN_URL).toBe('http://gateway:8081');
    expect(explicit.DASHBOARD_TIME_ZONE).toBe('America/New_York');
  });

  it('needs ADMIN_TOKEN or DASHBOARD_PASSWORD', () => {
    expect(() => parseEnv(dashboardEnvSchema, {})).toThrow(ConfigError);
    expect(() => parseEnv(dashboardEnvSchema, {})).toThrow(
      /DASHBOARD_PASSWORD: set ADMIN_TOKEN or DASHBOARD_PASSWORD/,
    );
  });

  it('names the bad variable', () => {
    const bad = (source: Record<string, string>, name: string) =>
      expect(() => parseEnv(dashboardEnvSchema, { ADMIN_TOKEN: TOKEN, ...source })).toThrow(new RegExp(name));
    bad({ DASHBOARD_TIME_ZONE: 'Mars/Base' }, 'DASHBOARD_TIME_ZONE');
    bad({ BILLING_TIME_ZONE: 'nowhere' }, 'BILLING_TIME_ZONE');
    bad({ DASHBOARD_PORT: 'x' }, 'DASHBOARD_PORT');
    bad({ CURRENCY: 'usd' }, 'CURRENCY');
    bad({ GPU_WATTS: '-1' }, 'GPU_WATTS');
    bad({ DASHBOARD_PASSWORD: 'short' }, 'DASHBOARD_PASSWORD');
    bad({ DASHBOARD_SESSION_SECRET: 'short' }, 'DASHBOARD_SESSION_SECRET');
    bad({ GATEWAY_ADMIN_URL: 'ftp://x' }, 'GATEWAY_ADMIN_URL');
    bad({ DASHBOARD_COOKIE_SECURE: 'maybe' }, 'DASHBOARD_COOKIE_SECURE');
    expect(() => parseEnv(dashboardEnvSchema, { ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });

  it('never prints a secret’s value', () => {
    try {
      parseEnv(dashboardEnvSchema, { DASHBOARD_PASSWORD: 'pw-secret', ADMIN_TOKEN: 'tok-secret' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).toMatch(/DASHBOARD_PASSWORD must be at least 12 characters/);
      expect((error as Error).message).toMatch(/ADMIN_TOKEN must be at least 16 characters/);
      expect((error as Error).message).not.toMatch(/pw-secret|tok-secret/);
    }
  });
});
