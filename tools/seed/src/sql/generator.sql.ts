import { COMBO_SLOTS, DEFAULT_WATTS } from '../combos.js';
import { KEY_SLOTS } from '../plan.js';

/**
 * The row generator: SQL that turns row numbers into usage events, entirely inside Postgres. Every value of row n
 * comes from hashes of (n, seed) — `hashint8extended`, the same on every platform — so the same seed gives the same
 * rows whichever chunk, connection or order produces them, and the request log can regenerate the exact event of
 * any row number. The lookup tables (seed_*) are temporary tables made by setup.sql.ts.
 *
 * Per row: the hour is fixed by n (seed_hours), a key is drawn by weight for the hour's class (a key not active at
 * that time hands its traffic to its fallback), a combo (model, dialect, endpoint, stream, host, prices) is drawn
 * from the key's slots, then tokens, durations and money are computed. Money is computed in integer nano-units and
 * rounded half-up exactly as packages/pricing does it, so every row equals what the billing worker would write.
 * Layers are separated by `OFFSET 0` so each derived value is computed once per row, not inlined at every use.
 */

export interface GeneratorConstants {
  seed: number;
  /** Price per million tokens of the default reference model (gpt-4o-mini), "0" when there is none. */
  referenceInputPerMillion: string;
  referenceOutputPerMillion: string;
  kwhPrice: string;
  currency: string;
}

/** A SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A non-negative decimal (validated: nothing else reaches the SQL) in nano-units, as an integer literal. */
export function nanoLiteral(value: string): string {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!match) throw new TypeError(`expected a decimal with at most 9 decimals, got ${value}`);
  return (BigInt(match[1]!) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'))).toString();
}

const TWO_PI = '6.283185307179586';
const INV_2_32 = '2.3283064365386963e-10';

/** The 64-bit hash number k of row n (k < 64 so seeds never overlap). */
function hash(seed: number, k: number, column = 's.n'): string {
  return `hashint8extended(${column}, ${seed * 64 + k})`;
}
/** Uniform doubles in [0, 1) from the high and the low 32 bits of a hash column. */
const hi = (h: string) => `(((${h} >> 32) & 4294967295)::float8 * ${INV_2_32})`;
const lo = (h: string) => `((${h} & 4294967295)::float8 * ${INV_2_32})`;

/** Row numbers of the events with numbers in [from, to). */
export function eventSource(from: number, to: number): string {
  return `SELECT h.cls, h.load, h.start_at, h.start_us, h.len_us, h.first_n, h.cnt, g.n
    FROM seed_hours h
    CROSS JOIN LATERAL generate_series(greatest(h.first_n, ${from}::bigint), least(h.first_n + h.cnt, ${to}::bigint) - 1) AS g(n)
    WHERE h.first_n < ${to} AND h.first_n + h.cnt > ${from}`;
}

/**
 * Row numbers of the logged events j in [from, to) of `logs`: event n = floor(j × events / logs), spread evenly over
 * the events, so exactly `logs` events have a log row.
 */
export function logSource(from: number, to: number, events: number, logs: number): string {
  const e = `${events}::bigint`;
  const l = `${logs}::bigint`;
  return `SELECT h.cls, h.load, h.start_at, h.start_us, h.len_us, h.first_n, h.cnt, (g.j * ${e}) / ${l} AS n
    FROM seed_hours h
    CROSS JOIN LATERAL generate_series(
      greatest(${from}::bigint, (h.first_n * ${l} + ${e} - 1) / ${e}),
      least(${to}::bigint, ((h.first_n + h.cnt) * ${l} + ${e} - 1) / ${e}) - 1) AS g(j)
    WHERE h.first_n <= ((${to}::bigint - 1) * ${e}) / ${l} AND h.first_n + h.cnt > (${from}::bigint * ${e}) / ${l}`;
}

/**
 * Every usage_events column of the rows `source` numbers, plus what the request log needs (profile, embed,
 * dimensions and the text draws). `source` yields cls, load, start_at, start_us, len_us, first_n, cnt, n.
 */
export function generatorSql(source: string, c: GeneratorConstants): string {
  const h = (k: number) => hash(c.seed, k);
  const hashes = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => `${h(k)} AS h${k}`).join(', ');
  const refIn = nanoLiteral(c.referenceInputPerMillion);
  const refOut = nanoLiteral(c.referenceOutputPerMillion);
  const kwh = nanoLiteral(c.kwhPrice);
  const nano = (x: string) => `(${x}) * 0.000000001`;
  return `
SELECT
  lpad(to_hex(((f.us / 1000) << 16) | (${hash(c.seed, 10, 'f.n')} & 65535)), 16, '0')
    || lpad(to_hex(${hash(c.seed, 11, 'f.n')}), 16, '0') AS request_id,
  f.t AS occurred_at, f.customer_id, f.key_id AS api_key_id, f.model,
  CASE WHEN f.status = 429 THEN NULL ELSE f.model END AS upstream_model,
  CASE WHEN f.status = 429 THEN 'none' ELSE 'ollama' END AS provider,
  CASE WHEN f.status = 429 THEN NULL ELSE f.upstream_host END AS upstream_host,
  f.endpoint, f.dialect, f.status,
  CASE f.status WHEN 429 THEN 'rate_limit_exceeded' WHEN 500 THEN 'upstream_error' WHEN 499 THEN 'client_closed_request' END AS error_code,
  f.stream, f.prompt_tokens, f.completion_tokens, f.total_ms, f.ttft_ms, f.gateway_overhead_ms,
  f.load_ns AS load_duration_ns, f.prompt_eval_ns AS prompt_eval_duration_ns, f.eval_ns AS eval_duration_ns,
  f.total_duration_ns, f.client_ip, f.user_agent, f.pricing_id,
  ${nano('f.in_cost')} AS input_cost,
  ${nano('f.out_cost')} AS output_cost,
  ${nano('f.req_cost')} AS request_cost,
  ${nano('f.in_cost + f.out_cost + f.req_cost')} AS total_cost,
  ${nano('coalesce((f.watts * f.busy_ns * 2 + 3600) / 7200, 0)')} AS energy_wh,
  ${nano(`coalesce(div(f.watts::numeric * f.busy_ns * ${kwh} * 2 + 3600000000000000, 7200000000000000), 0)`)} AS electricity_cost,
  ${nano(`(f.prompt_tokens * ${refIn}::bigint * 2 + 1000000) / 2000000 + (f.completion_tokens * ${refOut}::bigint * 2 + 1000000) / 2000000`)} AS reference_cost,
  ${literal(c.currency)} AS currency,
  f.in_pm AS input_price_per_million, f.out_pm AS output_price_per_million, f.req_p AS request_price,
  f.markup AS markup_percent, f.watts AS gpu_watts, ${kwh}::bigint * 0.000000001 AS electricity_price_per_kwh,
  f.profile_idx, f.embed, f.dimensions, f.u_partial, f.u_err, f.u_text, f.u_rare, f.u_rarepick
FROM (
  -- Durations as Ollama reports them (only for complete answers) and as the gateway measured them; money in nano.
  SELECT e.*,
    CASE WHEN e.status = 200 THEN round(e.load_ms * 1000000)::bigint END AS load_ns,
    CASE WHEN e.status = 200 AND NOT e.embed THEN round(e.prompt_ms * 1000000)::bigint END AS prompt_eval_ns,
    CASE WHEN e.status = 200 AND NOT e.embed THEN round(e.eval_ms * 1000000)::bigint END AS eval_ns,
    CASE WHEN e.status = 200 THEN round((e.queue_ms + e.load_ms + e.prompt_ms + e.eval_ms + 1.5) * 1000000)::bigint END AS total_duration_ns,
    CASE WHEN e.status = 200 THEN round(e.load_ms * 1000000)::bigint
      + CASE WHEN e.embed THEN 0 ELSE round(e.prompt_ms * 1000000)::bigint + round(e.eval_ms * 1000000)::bigint END
    END AS busy_ns,
    CASE e.status
      WHEN 429 THEN 0.35 + 2.2 * e.u_load
      WHEN 500 THEN CASE WHEN e.u_tail < 0.25 THEN 30000 + 30000 * e.u_load ELSE e.queue_ms + 4 + 90 * e.u_load END + e.gw_ms + e.net_ms
      WHEN 499 THEN e.queue_ms + e.load_ms + e.prompt_ms * CASE WHEN e.completion_tokens = 0 THEN e.u_partial ELSE 1 END
                    + e.eval_ms + e.gw_ms + e.net_ms
      ELSE e.queue_ms + e.load_ms + e.prompt_ms + e.eval_ms + 1.5 + e.gw_ms + e.net_ms
    END AS total_ms,
    CASE WHEN e.stream AND e.completion_tokens > 0 THEN e.queue_ms + e.load_ms + e.prompt_ms + e.token_ms + e.gw_ms + e.net_ms END AS ttft_ms,
    CASE WHEN e.status = 429 THEN 0.35 + 2.2 * e.u_load ELSE e.gw_ms END AS gateway_overhead_ms,
    (e.prompt_tokens * e.in_nano * 2 + 1000000) / 2000000 AS in_cost,
    (e.completion_tokens * e.out_nano * 2 + 1000000) / 2000000 AS out_cost,
    CASE WHEN e.prompt_tokens > 0 OR e.completion_tokens > 0 OR e.status < 400 THEN e.req_nano ELSE 0 END AS req_cost
  FROM (
    SELECT d.*,
      CASE WHEN d.status IN (429, 500) THEN 0 ELSE d.prompt_raw END AS prompt_tokens,
      CASE d.status WHEN 200 THEN d.completion_raw WHEN 499 THEN floor(d.completion_raw * d.u_partial)::int ELSE 0 END AS completion_tokens,
      d.prompt_raw * 1000 / d.tps_prompt AS prompt_ms,
      CASE d.status WHEN 200 THEN d.completion_raw WHEN 499 THEN floor(d.completion_raw * d.u_partial)::int ELSE 0 END * d.token_ms AS eval_ms
    FROM (
      SELECT b.*,
        least(b.max_prompt, greatest(4, round(exp(b.mu_prompt + b.sigma_prompt * b.z1))))::int AS prompt_raw,
        CASE WHEN b.embed THEN 0 ELSE least(8192, greatest(1, round(exp(b.mu_completion + b.sigma_completion * b.z2))))::int END AS completion_raw,
        b.prompt_tps * exp(0.07 * b.z3) AS tps_prompt,
        CASE WHEN b.embed THEN 0 ELSE 1000 / (b.eval_tps * exp(0.07 * b.z3)) END AS token_ms,
        CASE WHEN b.u_cold < b.cold_rate THEN b.cold_load_ms * (0.75 + 0.6 * b.u_load) ELSE 2 + 28 * b.u_load * b.u_load END AS load_ms,
        -ln(1 - b.u_queue) * 5 * (0.3 + 2.2 * b.load * b.load)
          + CASE WHEN b.u_tail < 0.012 THEN 300 + 4000 * (b.u_tail / 0.012) * (b.u_tail / 0.012) ELSE 0 END AS queue_ms,
        least(40, exp(-0.16 + 0.5 * b.z4)) AS gw_ms,
        0.15 + 1.2 * b.u_net AS net_ms
      FROM (
        -- Who called what (key, then combo), and whether it worked: refusals grow with load, upstream errors are
        -- rare, impatient clients drop some streams.
        SELECT r.n, r.load, r.start_us + r.off_us AS us, r.start_at + make_interval(secs => r.off_us / 1000000::float8) AS t,
          c.key_id, c.customer_id, c.profile_idx, c.model, c.embed, c.dimensions, c.dialect, c.endpoint, c.stream,
          c.upstream_host, c.user_agent, c.client_ip, c.mu_prompt, c.sigma_prompt, c.max_prompt, c.mu_completion,
          c.sigma_completion, c.eval_tps, c.prompt_tps, c.cold_rate, c.cold_load_ms,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN 429
               WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) + 0.004 THEN 500
               WHEN c.stream AND ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) + 0.02 THEN 499
               ELSE 200 END AS status,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN ${DEFAULT_WATTS} ELSE c.watts END AS watts,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_pricing_id ELSE c.pricing_id END AS pricing_id,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_in_nano ELSE c.in_nano END AS in_nano,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_out_nano ELSE c.out_nano END AS out_nano,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_req_nano ELSE c.req_nano END AS req_nano,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_in_pm ELSE c.in_pm END AS in_pm,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_out_pm ELSE c.out_pm END AS out_pm,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_req_p ELSE c.req_p END AS req_p,
          CASE WHEN ${hi('r.h2')} < c.rate_limit * (0.4 + r.load) THEN c.none_markup ELSE c.markup END AS markup,
          sqrt(-2 * ln(1 - ${hi('r.h3')})) * cos(${TWO_PI} * ${lo('r.h3')}) AS z1,
          sqrt(-2 * ln(1 - ${hi('r.h3')})) * sin(${TWO_PI} * ${lo('r.h3')}) AS z2,
          sqrt(-2 * ln(1 - ${hi('r.h4')})) * cos(${TWO_PI} * ${lo('r.h4')}) AS z3,
          sqrt(-2 * ln(1 - ${hi('r.h4')})) * sin(${TWO_PI} * ${lo('r.h4')}) AS z4,
          ${lo('r.h2')} AS u_partial, ${hi('r.h5')} AS u_cold, ${lo('r.h5')} AS u_load, ${hi('r.h6')} AS u_queue,
          ${lo('r.h6')} AS u_tail, ${hi('r.h7')} AS u_net, ${lo('r.h7')} AS u_err, ${hi('r.h8')} AS u_text,
          ${lo('r.h8')} AS u_rare, ${hi('r.h9')} AS u_rarepick
        FROM (
          SELECT s.cls, s.load, s.n, s.start_at, s.start_us,
            floor(s.len_us * ((s.n - s.first_n)::float8 + ${hi(hash(c.seed, 0))}) / s.cnt)::bigint AS off_us,
            ${hashes}
          FROM (${source}) s
          OFFSET 0
        ) r
        JOIN seed_key_slots ks ON ks.id = r.cls * ${KEY_SLOTS} + floor(${hi('r.h1')} * ${KEY_SLOTS})::int
        JOIN seed_keys k ON k.idx = ks.key_idx
        JOIN seed_combo_slots c ON c.id = ${COMBO_SLOTS} * CASE
            WHEN r.start_us + r.off_us >= k.active_from_us AND r.start_us + r.off_us < k.active_until_us THEN k.idx
            ELSE k.fallback_idx END
          + floor(${lo('r.h1')} * ${COMBO_SLOTS})::int
        OFFSET 0
      ) b
      OFFSET 0
    ) d
    OFFSET 0
  ) e
  OFFSET 0
) f`;
}

/** The usage_events columns the generator fills, in its order. */
export const EVENT_COLUMNS = [
  'request_id',
  'occurred_at',
  'customer_id',
  'api_key_id',
  'model',
  'upstream_model',
  'provider',
  'upstream_host',
  'endpoint',
  'dialect',
  'status',
  'error_code',
  'stream',
  'prompt_tokens',
  'completion_tokens',
  'total_ms',
  'ttft_ms',
  'gateway_overhead_ms',
  'load_duration_ns',
  'prompt_eval_duration_ns',
  'eval_duration_ns',
  'total_duration_ns',
  'client_ip',
  'user_agent',
  'pricing_id',
  'input_cost',
  'output_cost',
  'request_cost',
  'total_cost',
  'energy_wh',
  'electricity_cost',
  'reference_cost',
  'currency',
  'input_price_per_million',
  'output_price_per_million',
  'request_price',
  'markup_percent',
  'gpu_watts',
  'electricity_price_per_kwh',
] as const;

export function insertEventsSql(from: number, to: number, c: GeneratorConstants): string {
  const columns = EVENT_COLUMNS.join(', ');
  return `INSERT INTO usage_events (${columns})
SELECT ${columns} FROM (${generatorSql(eventSource(from, to), c)}) g`;
}
