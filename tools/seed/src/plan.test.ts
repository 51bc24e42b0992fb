import { describe, expect, it } from 'vitest';
import { COMBO_SLOTS, keyCombos } from './combos.js';
import { allocateSlots, buildPlan, KEY_SLOTS, type PlanInput } from './plan.js';
import { formatDuration } from './progress.js';
import { roundBudget } from './seed.repository.js';
import { rollupSlices } from './seed.service.js';
import { nanoLiteral } from './sql/generator.sql.js';

const input: PlanInput = {
  seed: 42,
  events: 1_000_003,
  logs: 1000,
  days: 30,
  customers: 25,
  until: new Date('2026-06-15T10:25:00Z'),
  timeZone: 'Europe/Berlin',
};

describe('buildPlan', () => {
  const plan = buildPlan(input);

  it('is deterministic: the same input gives the same plan, another seed another one', () => {
    expect(buildPlan(input)).toEqual(plan);
    const other = buildPlan({ ...input, seed: 43 });
    expect(other.customers.map((c) => c.id)).not.toEqual(plan.customers.map((c) => c.id));
  });

  it('spreads exactly `events` rows over the hours of the range, contiguously, more by day than by night', () => {
    let next = 0;
    for (const hour of plan.hours) {
      expect(hour.firstN).toBe(next);
      expect(hour.count).toBeGreaterThan(0);
      next += hour.count;
    }
    expect(next).toBe(input.events);
    expect(plan.hours[0]!.start.toISOString()).toBe('2026-05-16T10:00:00.000Z');
    const last = plan.hours.at(-1)!;
    expect(last.start.getTime() + last.lengthMs).toBe(input.until.getTime());
    const byLocalHour = (h: number) =>
      plan.hours.filter((x) => (x.start.getUTCHours() + 2) % 24 === h).reduce((s, x) => s + x.count, 0);
    expect(byLocalHour(14)).toBeGreaterThan(3 * byLocalHour(3));
  });

  it('gives every customer 2–4 keys marked "(seed)", unusable hashes and seed.example e-mails', () => {
    expect(plan.customers).toHaveLength(25);
    for (const c of plan.customers) {
      const keys = plan.keys.filter((k) => k.customerIdx === c.idx);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.length).toBeLessThanOrEqual(4);
      expect(c.email).toMatch(/^[a-z-]+@[a-z0-9-]+\.seed\.example$/);
    }
    for (const k of plan.keys) {
      expect(k.name).toMatch(/ \(seed\)$/);
      expect(k.prefix).toMatch(/^sk-og-[0-9A-Za-z]{8}$/);
      expect(k.secretHash).not.toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(plan.keys.map((k) => k.secretHash)).size).toBe(plan.keys.length);
  });

  it('hands the traffic of a key outside its lifetime to an always-active key', () => {
    const byIdx = new Map(plan.keys.map((k) => [k.idx, k]));
    expect(plan.keys.some((k) => k.revokedAt)).toBe(true);
    expect(plan.keys.some((k) => k.activeFrom)).toBe(true);
    for (const k of plan.keys) {
      const fallback = byIdx.get(k.fallbackIdx)!;
      expect(fallback.activeFrom).toBeNull();
      expect(fallback.revokedAt).toBeNull();
    }
  });

  it('fills the key slots of each hour class, and each key draws combos that sum to 1', () => {
    for (const slots of plan.keySlots) {
      expect(slots).toHaveLength(KEY_SLOTS);
      expect(new Set(slots).size).toBeGreaterThan(plan.keys.length / 2);
    }
    for (const key of plan.keys) {
      const combos = keyCombos(key);
      expect(combos.reduce((s, c) => s + c.weight, 0)).toBeCloseTo(1, 9);
      for (const c of combos) {
        if (c.dialect === 'anthropic') expect(c.endpoint).toBe('/v1/messages');
        if (c.endpoint.includes('embed')) expect(c.stream).toBe(false);
      }
      expect(
        allocateSlots(
          combos.map((c) => c.weight),
          COMBO_SLOTS,
        ),
      ).toHaveLength(COMBO_SLOTS);
    }
  });

  it('slices the rollups on hour boundaries covering every hour once', () => {
    const slices = rollupSlices(plan, 100_000);
    expect(slices.reduce((s, x) => s + x.events, 0)).toBe(input.events);
    expect(slices[0]!.from).toEqual(plan.hours[0]!.start);
    for (let i = 1; i < slices.length; i += 1) expect(slices[i]!.from).toEqual(slices[i - 1]!.to);
    expect(slices.at(-1)!.to.getTime()).toBeGreaterThanOrEqual(input.until.getTime());
  });
});

describe('helpers', () => {
  it('allocates slots by cumulative rounding', () => {
    expect(allocateSlots([1, 1, 2], 4)).toEqual([0, 1, 2, 2]);
    expect(allocateSlots([0, 1], 3)).toEqual([1, 1, 1]);
  });

  it('rounds budgets up to two significant digits, at least 5', () => {
    expect(roundBudget(123.4)).toBe('130');
    expect(roundBudget(7.21)).toBe('7.3');
    expect(roundBudget(0.2)).toBe('5');
    expect(roundBudget(1999)).toBe('2000');
  });

  it('writes decimals as nano-unit integers and refuses anything else', () => {
    expect(nanoLiteral('0.15')).toBe('150000000');
    expect(nanoLiteral('350')).toBe('350000000000');
    expect(() => nanoLiteral('1e3')).toThrow();
    expect(() => nanoLiteral('0; DROP TABLE x')).toThrow();
  });

  it('formats durations', () => {
    expect(formatDuration(9.2)).toBe('9s');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(3725)).toBe('1h02m');
  });
});
