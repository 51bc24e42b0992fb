import { type Db, sql } from '@ollama-gateway/db';
import type { Range } from '../services/range.service.js';
import { HISTOGRAM_SUMS, type HistogramSums } from './usage-sums.sql.js';

export interface ModelHistograms extends HistogramSums {
  model: string;
  provider: string;
  upstream_host: string | null;
}

/** Reads latency_hourly: histograms summed element-wise in SQL (percentiles are taken in the service). */
export interface LatencyRepository {
  totals(range: Range): Promise<HistogramSums>;
  byModel(range: Range): Promise<ModelHistograms[]>;
}

const inRange = (range: Range) => sql`h.bucket >= ${range.from} AND h.bucket < ${range.to}`;

export function createLatencyRepository(db: Db): LatencyRepository {
  return {
    async totals(range) {
      const { rows } = await sql<HistogramSums>`
        SELECT ${HISTOGRAM_SUMS} FROM latency_hourly h WHERE ${inRange(range)}`.execute(db);
      return rows[0]!;
    },

    async byModel(range) {
      const { rows } = await sql<ModelHistograms>`
        SELECT h.model, h.provider, h.upstream_host, ${HISTOGRAM_SUMS}
        FROM latency_hourly h WHERE ${inRange(range)}
        GROUP BY h.model, h.provider, h.upstream_host`.execute(db);
      return rows;
    },
  };
}
