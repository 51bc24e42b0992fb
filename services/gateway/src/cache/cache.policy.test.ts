import { describe, expect, it } from 'vitest';
import type { ChatRequest, GenerationOptions } from '../canonical/chat.types.js';
import { cacheConfigSchema } from './cache.config.js';
import { cacheDirectiveOf, cachePlanFor, isCacheable } from './cache.policy.js';

const request = (options: GenerationOptions): ChatRequest => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'hi' }],
  stream: false,
  options,
});
const all = cacheConfigSchema.parse({}).cacheable;
const headers =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name];

describe('cacheable requests', () => {
  it('temperature 0 or a seed qualifies; another temperature or none does not', () => {
    expect(isCacheable(request({ temperature: 0 }), 'default', all)).toBe(true);
    expect(isCacheable(request({ temperature: 0.7, seed: 42 }), 'default', all)).toBe(true);
    expect(isCacheable(request({ temperature: 0.7 }), 'default', all)).toBe(false);
    expect(isCacheable(request({ temperature: 0.0001 }), 'default', all)).toBe(false);
    expect(isCacheable(request({}), 'default', all)).toBe(false);
  });

  it('the opt-in header makes any request cacheable, when the config allows it', () => {
    expect(isCacheable(request({ temperature: 1 }), 'force', all)).toBe(true);
    expect(isCacheable(request({ temperature: 1 }), 'force', { ...all, optInHeader: false })).toBe(false);
  });

  it('each rule can be switched off', () => {
    const none = { temperatureZero: false, seed: false, optInHeader: false };
    expect(isCacheable(request({ temperature: 0 }), 'default', none)).toBe(false);
    expect(isCacheable(request({ seed: 1 }), 'default', none)).toBe(false);
  });
});

describe('cache directive', () => {
  it('reads x-gateway-cache and Cache-Control; the most restrictive wins', () => {
    expect(cacheDirectiveOf(headers({}))).toBe('default');
    expect(cacheDirectiveOf(headers({ 'x-gateway-cache': 'Force' }))).toBe('force');
    expect(cacheDirectiveOf(headers({ 'x-gateway-cache': 'refresh' }))).toBe('refresh');
    expect(cacheDirectiveOf(headers({ 'cache-control': 'max-age=0, no-cache' }))).toBe('refresh');
    expect(cacheDirectiveOf(headers({ 'x-gateway-cache': 'bypass' }))).toBe('bypass');
    expect(cacheDirectiveOf(headers({ 'cache-control': 'no-store' }))).toBe('bypass');
    expect(cacheDirectiveOf(headers({ 'x-gateway-cache': 'force', 'cache-control': 'no-store' }))).toBe(
      'bypass',
    );
    expect(cacheDirectiveOf(headers({ 'x-gateway-cache': 'whatever' }))).toBe('default');
  });

  it('plans lookup and store: refresh stores without reading, bypass does neither', () => {
    const det = request({ temperature: 0 });
    expect(cachePlanFor(det, 'default', all)).toEqual({ lookup: true, store: true });
    expect(cachePlanFor(det, 'refresh', all)).toEqual({ lookup: false, store: true });
    expect(cachePlanFor(det, 'bypass', all)).toEqual({ lookup: false, store: false });
    expect(cachePlanFor(request({ temperature: 0.8 }), 'default', all)).toEqual({
      lookup: false,
      store: false,
    });
  });
});

describe('cache config', () => {
  it('defaults to off, with bounded sizes, per-customer scope and billed hits', () => {
    expect(cacheConfigSchema.parse(undefined)).toEqual({
      enabled: false,
      ttlSeconds: 3600,
      maxEntryBytes: 262_144,
      maxEntries: 50_000,
      maxTotalBytes: 268_435_456,
      scope: 'customer',
      billHits: true,
      cacheable: { temperatureZero: true, seed: true, optInHeader: true },
    });
  });

  it('refuses an entry limit above the total and unknown fields', () => {
    expect(cacheConfigSchema.safeParse({ maxEntryBytes: 2000, maxTotalBytes: 1000 }).success).toBe(false);
    expect(cacheConfigSchema.safeParse({ ttl: 5 }).success).toBe(false);
    expect(cacheConfigSchema.safeParse({ scope: 'global' }).success).toBe(false);
  });
});
