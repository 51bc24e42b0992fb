import { zonedParts } from '@ollama-gateway/pricing';
import {
  CATALOG_CUSTOMERS,
  type Dialect,
  KEY_NAMES,
  planForRank,
  type Rhythm,
  SEED_EMAIL_DOMAIN,
  SEED_KEY_MARK,
  USER_AGENTS,
} from './catalog/customers.catalog.js';
import { PROFILES, type Profile } from './catalog/models.catalog.js';
import { RARE_SENTENCES, TEXTS } from './catalog/texts.catalog.js';
import { createRng, seededBase62, seededHex, seededUuid } from './random.js';

/**
 * The small, Node-side half of the seed: who the customers and keys are, how many events fall in each hour, and
 * the lookup tables the SQL generator draws from. Pure and deterministic: the same input gives the same plan.
 */

export interface PlanInput {
  seed: number;
  events: number;
  logs: number;
  days: number;
  customers: number;
  /** The end of the seeded range (exclusive): events fall in [until − days, until). */
  until: Date;
  /** The time zone of the daily rhythm (office hours, nights, weekends). */
  timeZone: string;
}

export interface SeedCustomer {
  idx: number;
  id: string;
  name: string;
  email: string;
  planName: string;
  profile: Profile;
  rhythm: Rhythm;
  /** The SDK most of its keys speak. */
  dialect: Dialect;
  /** Share of the traffic (relative). */
  weight: number;
  markupPercent: string;
  /** Target share of the budget used in the current month (null: no budget); the budget is set after seeding. */
  budgetFill: number | null;
  softLimitPercent: number | null;
  createdAt: Date;
}

export interface SeedKey {
  idx: number;
  id: string;
  customerIdx: number;
  name: string;
  prefix: string;
  secretHash: string;
  profile: Profile;
  dialect: Dialect;
  userAgent: string;
  clientIp: string;
  /** Share of the customer's traffic. */
  weight: number;
  /** Share of requests refused with 429 at average load. */
  rateLimitShare: number;
  rpmLimit: number | null;
  createdAt: Date;
  /** Traffic before this instant goes to `fallbackIdx` (a key created during the range). */
  activeFrom: Date | null;
  /** Revoked: traffic from this instant on goes to `fallbackIdx`. */
  revokedAt: Date | null;
  fallbackIdx: number;
}

/** Hour classes: which customers are busy. */
export const HOUR_CLASSES = ['work', 'evening', 'night'] as const;
export type HourClass = 0 | 1 | 2;

export interface SeedHour {
  start: Date;
  lengthMs: number;
  /** Row numbers [firstN, firstN + count) fall in this hour. */
  firstN: number;
  count: number;
  cls: HourClass;
  /** Busyness 0..1 (queueing delays and rate limiting grow with it). */
  load: number;
}

export interface SeedText {
  profile: Profile;
  idx: number;
  system: string;
  prompt: string;
  reply: string;
}

export interface SeedPlan {
  input: PlanInput;
  start: Date;
  customers: SeedCustomer[];
  keys: SeedKey[];
  hours: SeedHour[];
  /** Per hour class, KEY_SLOTS key indexes: a uniform draw picks a slot, so keys are drawn by weight. */
  keySlots: number[][];
  texts: SeedText[];
  textsPerProfile: number;
  rareSentences: readonly string[];
}

export const KEY_SLOTS = 10_000;
export const TEXTS_PER_PROFILE = 96;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Relative traffic per local hour of the day (a working-day curve with a long evening tail). */
const DIURNAL = [
  0.2, 0.15, 0.12, 0.11, 0.12, 0.17, 0.3, 0.48, 0.72, 0.92, 1, 1, 0.9, 0.97, 1, 0.96, 0.9, 0.78, 0.66, 0.6,
  0.56, 0.48, 0.37, 0.27,
];
/** Sunday..Saturday. */
const WEEKDAY = [0.5, 1, 1.02, 1, 0.98, 0.9, 0.56];
/** How much each rhythm sends in work hours, evenings/weekends and nights (relative). */
const RHYTHM_AFFINITY: Readonly<Record<Rhythm, readonly [number, number, number]>> = {
  business: [1, 0.22, 0.06],
  consumer: [0.55, 1, 0.2],
  nightly: [0.3, 0.35, 2.4],
};
const IP_RANGES = ['203.0.113', '198.51.100', '192.0.2'];

export function buildPlan(input: PlanInput): SeedPlan {
  if (input.customers > CATALOG_CUSTOMERS.length)
    throw new RangeError(`--customers is at most ${CATALOG_CUSTOMERS.length}`);
  const untilHour = Math.floor(input.until.getTime() / HOUR) * HOUR;
  const start = new Date(untilHour - input.days * DAY);
  const customers = buildCustomers(input, start);
  const keys = buildKeys(input, customers, start);
  return {
    input,
    start,
    customers,
    keys,
    hours: buildHours(input, start),
    keySlots: [0, 1, 2].map((cls) => buildKeySlots(customers, keys, cls as HourClass)),
    texts: buildTexts(input.seed),
    textsPerProfile: TEXTS_PER_PROFILE,
    rareSentences: RARE_SENTENCES,
  };
}

function buildCustomers(input: PlanInput, start: Date): SeedCustomer[] {
  const rng = createRng(input.seed, 'customers');
  const chosen = rng.shuffle(CATALOG_CUSTOMERS).slice(0, input.customers);
  const fills = [0.31, 0.48, 0.62, 0.74, 0.83, 0.91, 0.96];
  return chosen.map((c, idx) => {
    const slug = c.name
      .toLowerCase()
      .replace(/&/g, 'and')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
    const hasBudget = rng.next() < 0.65;
    return {
      idx,
      id: seededUuid(input.seed, `customer:${idx}:${c.name}`),
      name: c.name,
      email: `${c.mailbox}@${slug}.${SEED_EMAIL_DOMAIN}`,
      planName: planForRank(idx),
      profile: c.profile,
      rhythm: c.rhythm,
      dialect: c.dialect,
      weight: 1 / (idx + 1) ** 1.15,
      markupPercent: idx === 6 ? '20' : idx === 10 ? '-15' : '0',
      budgetFill: hasBudget ? rng.pick(fills) : null,
      softLimitPercent: hasBudget && rng.next() < 0.4 ? rng.pick([75, 80, 90]) : null,
      createdAt: new Date(start.getTime() - rng.int(7, 420) * DAY - rng.int(0, 23) * HOUR),
    };
  });
}

function buildKeys(input: PlanInput, customers: SeedCustomer[], start: Date): SeedKey[] {
  const rng = createRng(input.seed, 'keys');
  const span = input.days * DAY;
  const at = (fraction: number) => new Date(start.getTime() + Math.round((span * fraction) / HOUR) * HOUR);
  const keys: SeedKey[] = [];
  const primaryOf: number[] = [];
  for (const customer of customers) {
    const count = customer.profile === 'agent' ? 4 : rng.int(2, 4);
    const names = KEY_NAMES[customer.profile].slice(0, count);
    const primaryShare = 0.55 + rng.next() * 0.2;
    primaryOf[customer.idx] = keys.length;
    names.forEach((name, i) => {
      const idx = keys.length;
      const n8n = name === 'n8n-workflows';
      const dialect = n8n ? 'openai' : customer.dialect;
      const restShare = (1 - primaryShare) / 2 ** (i - 1) / (2 - 2 ** (2 - count));
      const ipRange = IP_RANGES[customer.idx % IP_RANGES.length]!;
      const testing = name === 'staging' || name === 'dev-laptop' || name === 'ci';
      keys.push({
        idx,
        id: seededUuid(input.seed, `key:${customer.idx}:${i}`),
        customerIdx: customer.idx,
        name: `${name} ${SEED_KEY_MARK}`,
        prefix: `sk-og-${seededBase62(input.seed, `prefix:${customer.idx}:${i}`, 8)}`,
        // Never a valid HMAC-SHA256 hex digest, so no secret can ever match it: the keys are for show.
        secretHash: `seed-unusable:${seededHex(input.seed, `secret:${customer.idx}:${i}`, 48)}`,
        profile: customer.profile,
        dialect,
        userAgent: n8n ? 'n8n/1.68.0' : rng.pick(USER_AGENTS[dialect]),
        clientIp: `${ipRange}.${10 + ((customer.idx * 7 + i * 3) % 240)}`,
        weight: i === 0 ? primaryShare : restShare,
        rateLimitShare: testing ? 0.025 : 0.005,
        rpmLimit: testing ? 60 : null,
        createdAt: new Date(customer.createdAt.getTime() + i * 3 * DAY + rng.int(0, 20) * HOUR),
        activeFrom: null,
        revokedAt: null,
        fallbackIdx: primaryOf[customer.idx]!,
      });
    });
  }
  // A story in the data: two customers sign up during the range (their traffic went to a big customer before),
  // a staging key is revoked (its traffic moves to the customer's main key) and an agent key is added.
  const sameProfile = (customer: SeedCustomer) =>
    customers.find((c) => c.idx < customer.idx && c.profile === customer.profile && c.idx !== 13)?.idx ?? 0;
  const newcomers = [customers[13], customers[19]].filter((c): c is SeedCustomer => c !== undefined);
  newcomers.forEach((customer, i) => {
    const signup = at(i === 0 ? 0.55 : 0.8);
    customer.createdAt = new Date(signup.getTime() - 2 * HOUR);
    for (const key of keys.filter((k) => k.customerIdx === customer.idx)) {
      key.activeFrom = signup;
      key.createdAt = new Date(signup.getTime() - HOUR);
      key.fallbackIdx = primaryOf[sameProfile(customer)]!;
    }
  });
  const revoked = keys.find((k) => k.name.startsWith('staging ') && k.customerIdx < 6);
  if (revoked) revoked.revokedAt = at(0.7);
  const added = keys.find((k) => k.name.startsWith('agent-3 ') && !k.activeFrom);
  if (added) {
    added.activeFrom = at(0.75);
    added.createdAt = new Date(added.activeFrom.getTime() - HOUR);
  }
  for (const key of keys)
    if (key.createdAt.getTime() > start.getTime() && !key.activeFrom) key.createdAt = start;
  return keys;
}

function buildHours(input: PlanInput, start: Date): SeedHour[] {
  const rng = createRng(input.seed, 'hours');
  const end = input.until.getTime();
  const slots: { start: number; lengthMs: number; weight: number; cls: HourClass; load: number }[] = [];
  const dayNoise = new Map<string, number>();
  const total = Math.ceil((end - start.getTime()) / HOUR);
  for (let i = 0; i < total; i += 1) {
    const from = start.getTime() + i * HOUR;
    const lengthMs = Math.min(HOUR, end - from);
    if (lengthMs <= 0) break;
    const local = zonedParts(from, input.timeZone);
    const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
    const dayKey = `${local.year}-${local.month}-${local.day}`;
    if (!dayNoise.has(dayKey)) dayNoise.set(dayKey, 0.85 + rng.next() * 0.3);
    const shape = DIURNAL[local.hour]! * WEEKDAY[weekday]!;
    const trend = 0.7 + (0.45 * i) / Math.max(1, total - 1);
    const weight = shape * trend * dayNoise.get(dayKey)! * (0.93 + rng.next() * 0.14) * (lengthMs / HOUR);
    const weekend = weekday === 0 || weekday === 6;
    const cls: HourClass = local.hour < 7 ? 2 : !weekend && local.hour >= 8 && local.hour < 18 ? 0 : 1;
    slots.push({ start: from, lengthMs, weight, cls, load: Math.min(1, shape) });
  }
  const sum = slots.reduce((s, h) => s + h.weight, 0);
  const hours: SeedHour[] = [];
  let cumulative = 0;
  let firstN = 0;
  for (const slot of slots) {
    cumulative += slot.weight;
    const next = slot === slots.at(-1) ? input.events : Math.round((input.events * cumulative) / sum);
    if (next > firstN)
      hours.push({
        start: new Date(slot.start),
        lengthMs: slot.lengthMs,
        firstN,
        count: next - firstN,
        cls: slot.cls,
        load: slot.load,
      });
    firstN = Math.max(firstN, next);
  }
  return hours;
}

/** `slots` entries proportional to `weights` (cumulative rounding: every positive weight large enough gets some). */
export function allocateSlots(weights: readonly number[], slots: number): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const out: number[] = [];
  let cumulative = 0;
  weights.forEach((w, i) => {
    cumulative += w;
    const until = Math.round((slots * cumulative) / sum);
    while (out.length < until) out.push(i);
  });
  while (out.length < slots) out.push(weights.length - 1);
  return out;
}

function buildKeySlots(customers: SeedCustomer[], keys: SeedKey[], cls: HourClass): number[] {
  const weights = keys.map((k) => {
    const c = customers[k.customerIdx]!;
    return c.weight * RHYTHM_AFFINITY[c.rhythm][cls] * k.weight;
  });
  return allocateSlots(weights, KEY_SLOTS);
}

function buildTexts(seed: number): SeedText[] {
  const rng = createRng(seed, 'texts');
  const out: SeedText[] = [];
  for (const profile of PROFILES) {
    const t = TEXTS[profile];
    for (let idx = 0; idx < TEXTS_PER_PROFILE; idx += 1) {
      const subject = rng.pick(t.subjects);
      const fill = (template: string) => template.replaceAll('{s}', subject);
      out.push({
        profile,
        idx,
        system: rng.pick(t.systems),
        prompt: fill(t.prompts[idx % t.prompts.length]!),
        reply: fill(rng.pick(t.replies)),
      });
    }
  }
  return out;
}
