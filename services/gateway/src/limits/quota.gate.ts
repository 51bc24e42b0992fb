import type { Redis } from 'ioredis';
import type { Usage } from '../canonical/chat.types.js';
import type { LimitsRepository } from '../repositories/limits.repository.js';
import type { AdmissionGate } from './admission.js';
import { type CustomerLimitsCache, insufficientQuota, NO_TICKET, onceTicket } from './budget.gate.js';
import { counterTtlSeconds, monthWindow } from './budget.period.js';
import { COUNTER_ADJUST, QUOTA_ADMIT, runScript } from './budget.scripts.js';

export interface QuotaGateOptions {
  redis: Redis;
  repository: Pick<LimitsRepository, 'usageSince'>;
  limits: CustomerLimitsCache;
  /** Redis key prefix, e.g. `ogw:quota`. */
  keyPrefix: string;
  /** IANA zone whose calendar months are the quota periods (BILLING_TIME_ZONE). */
  timeZone: string;
  /** Completion tokens held against the token quota when the request sets no max_tokens. */
  maxCompletionTokens: number;
  now?: () => Date;
}

const ROLLING_TTL = 35 * 86_400;

/**
 * Plan quotas: the plan's monthly request quota (counted when a request is admitted) and monthly token quota
 * (prompt estimate + max completion tokens held while in flight, replaced by the real tokens at settle), per
 * customer per calendar month in the billing time zone. Plans with neither quota (NULL = unlimited) cost nothing.
 */
export function createQuotaGate(options: QuotaGateOptions): AdmissionGate {
  const now = options.now ?? (() => new Date());
  return {
    name: 'quota',
    async admit(request) {
      const customerId = request.context.key?.customerId;
      if (!customerId) return NO_TICKET;
      const limits = await options.limits.get(customerId);
      if (!limits || (limits.monthlyRequestQuota === null && limits.monthlyTokenQuota === null))
        return NO_TICKET;

      const at = now();
      const window = monthWindow(at, options.timeZone);
      const ttl = counterTtlSeconds(window, at, ROLLING_TTL);
      const keys = [
        `${options.keyPrefix}:${customerId}:${window.period}:requests`,
        `${options.keyPrefix}:${customerId}:${window.period}:tokens`,
      ];
      const hold =
        Math.max(0, Math.ceil(request.promptTokensEstimate)) +
        (request.maxCompletionTokens ?? options.maxCompletionTokens);
      const args = [
        limits.monthlyRequestQuota === null ? '' : String(limits.monthlyRequestQuota),
        limits.monthlyTokenQuota === null ? '' : String(limits.monthlyTokenQuota),
        String(hold),
        ttl,
      ];
      let result = (await runScript(options.redis, QUOTA_ADMIT, keys, [...args, '', ''])) as unknown[];
      if (result[0] === -1) {
        const ledger = await options.repository.usageSince(customerId, window.start);
        result = (await runScript(options.redis, QUOTA_ADMIT, keys, [
          ...args,
          String(ledger.requests),
          String(ledger.tokens),
        ])) as unknown[];
      }
      if (result[0] !== 1) {
        const plan = limits.planName ? `The ${limits.planName} plan` : 'Your plan';
        const month = window.period.slice(0, 7);
        throw insufficientQuota(
          result[1] === 'requests'
            ? `${plan} allows ${limits.monthlyRequestQuota} requests per month and they are used up for ${month}.`
            : `${plan} allows ${limits.monthlyTokenQuota} tokens per month; ${result[2]} are used or held for ` +
                `${month} and this request may need up to ${hold}.`,
        );
      }

      return onceTicket({}, async (usage: Usage, status: number) => {
        const tokens = usage.promptTokens + usage.completionTokens;
        const ttlNow = counterTtlSeconds(window, now(), ROLLING_TTL);
        // A request refused by a later gate (429, nothing generated) is not counted against the request quota.
        if (status === 429 && tokens === 0)
          await runScript(options.redis, COUNTER_ADJUST, [keys[0]!], ['-1', ttlNow]);
        await runScript(options.redis, COUNTER_ADJUST, [keys[1]!], [String(tokens - hold), ttlNow]);
      });
    },
  };
}
