import { PROFILES } from '../catalog/models.catalog.js';
import type { ComboTables } from '../combos.js';
import { KEY_SLOTS, type SeedPlan } from '../plan.js';

export interface Statement {
  sql: string;
  params: unknown[];
}

/** A temporary table filled from a JSON array in one statement. */
function table(name: string, columns: string, rows: unknown[]): Statement {
  return {
    sql: `CREATE TEMP TABLE ${name} AS SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${columns})`,
    params: [JSON.stringify(rows)],
  };
}

const NEVER_BEFORE = Number.MIN_SAFE_INTEGER;
const NEVER_AFTER = Number.MAX_SAFE_INTEGER;

/** Session settings of every seeding connection. */
export const SESSION_SETTINGS: readonly string[] = [
  // Rollup buckets are UTC hours, like the billing worker's.
  "SET TimeZone = 'UTC'",
  // A crash loses at most the last chunks, which --reset cleans up anyway; no waiting for each commit's flush.
  'SET synchronous_commit = off',
  "SET work_mem = '256MB'",
  "SET maintenance_work_mem = '512MB'",
  'SET jit = off',
];

/**
 * For large chunks: the generator's expressions run hundreds of thousands of times per statement, and compiled
 * (without LLVM's costly optimisation passes) they are ~20 % cheaper; the compile takes a fraction of a second per
 * statement, which small chunks would not win back.
 */
export const JIT_SETTINGS: readonly string[] = [
  'SET jit = on',
  'SET jit_above_cost = 0',
  'SET jit_optimize_above_cost = -1',
  'SET jit_inline_above_cost = -1',
];

/**
 * The lookup tables the generator joins, as temporary tables of one connection (each worker connection runs these
 * once): hours, keys (when each is active), key slots per hour class, combo slots per key, texts.
 */
export function setupStatements(plan: SeedPlan, combos: ComboTables, jit = false): Statement[] {
  const us = (date: Date | null, otherwise: number) => (date ? date.getTime() * 1000 : otherwise);
  return [
    ...[...SESSION_SETTINGS, ...(jit ? JIT_SETTINGS : [])].map((sql) => ({ sql, params: [] })),
    table(
      'seed_hours',
      'cls int, load float8, start_at timestamptz, start_us bigint, len_us float8, first_n bigint, cnt bigint',
      plan.hours.map((h) => ({
        cls: h.cls,
        load: h.load,
        start_at: h.start.toISOString(),
        start_us: h.start.getTime() * 1000,
        len_us: h.lengthMs * 1000,
        first_n: h.firstN,
        cnt: h.count,
      })),
    ),
    table(
      'seed_keys',
      'idx int, active_from_us bigint, active_until_us bigint, fallback_idx int',
      plan.keys.map((k) => ({
        idx: k.idx,
        active_from_us: us(k.activeFrom, NEVER_BEFORE),
        active_until_us: us(k.revokedAt, NEVER_AFTER),
        fallback_idx: k.fallbackIdx,
      })),
    ),
    table(
      'seed_key_slots',
      'id int, key_idx int',
      plan.keySlots.flatMap((slots, cls) =>
        slots.map((keyIdx, slot) => ({ id: cls * KEY_SLOTS + slot, key_idx: keyIdx })),
      ),
    ),
    table(
      'seed_combos',
      `combo_id int, key_id uuid, customer_id uuid, profile_idx int, model text, embed boolean, dimensions int,
       dialect text, endpoint text, stream boolean, upstream_host text, user_agent text, client_ip text,
       rate_limit float8, mu_prompt float8, sigma_prompt float8, max_prompt int, mu_completion float8,
       sigma_completion float8, eval_tps float8, prompt_tps float8, cold_rate float8, cold_load_ms float8, watts int,
       pricing_id uuid, in_nano bigint, out_nano bigint, req_nano bigint, in_pm numeric, out_pm numeric,
       req_p numeric, markup numeric, none_pricing_id uuid, none_in_nano bigint, none_out_nano bigint,
       none_req_nano bigint, none_in_pm numeric, none_out_pm numeric, none_req_p numeric, none_markup numeric`,
      combos.combos,
    ),
    table('seed_slot_combo', 'id int, combo_id int', combos.slots),
    {
      sql: `CREATE TEMP TABLE seed_combo_slots AS
        SELECT s.id, c.* FROM seed_slot_combo s JOIN seed_combos c ON c.combo_id = s.combo_id`,
      params: [],
    },
    table(
      'seed_texts',
      'id int, system text, prompt text, reply text',
      plan.texts.map((t) => ({
        id: PROFILES.indexOf(t.profile) * plan.textsPerProfile + t.idx,
        system: t.system,
        prompt: t.prompt,
        reply: t.reply,
      })),
    ),
    table(
      'seed_rare',
      'idx int, sentence text',
      plan.rareSentences.map((sentence, idx) => ({ idx, sentence })),
    ),
    {
      sql: 'ANALYZE seed_hours, seed_keys, seed_key_slots, seed_combo_slots, seed_texts, seed_rare',
      params: [],
    },
  ];
}
