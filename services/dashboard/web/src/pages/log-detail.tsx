import type { LogDetail } from '@ollama-gateway/contracts';
import type { ReactNode } from 'react';
import { reads } from '../api.js';
import { JsonTree } from '../components/json-tree.js';
import { Modal } from '../components/modal.js';
import { ErrorBox, Skeleton } from '../components/status.js';
import { useApi } from '../hooks/use-api.js';
import { formatDateTime, formatDuration, formatEnergy, formatInt, formatMoney } from '../lib/format.js';
import { testIds } from '../test-ids.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Timings({ detail }: { detail: LogDetail }) {
  const u = detail.usage;
  if (!u) {
    return (
      <section aria-labelledby="timings-title" data-testid={testIds.logTimings}>
        <h3 id="timings-title">Timings and cost</h3>
        <p className="muted">
          Total {formatDuration(detail.durationMs)}. The billing worker has not recorded this request yet (no
          tokens, cost or upstream timings).
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="timings-title" data-testid={testIds.logTimings}>
      <h3 id="timings-title">Timings and cost</h3>
      <dl className="facts">
        <Fact label="Total">{formatDuration(u.totalMs)}</Fact>
        <Fact label="Time to first token">{formatDuration(u.ttftMs)}</Fact>
        <Fact label="Gateway overhead">{formatDuration(u.gatewayOverheadMs)}</Fact>
        <Fact label="Model load">{formatDuration(u.loadDurationMs)}</Fact>
        <Fact label="Prompt evaluation">{formatDuration(u.promptEvalDurationMs)}</Fact>
        <Fact label="Generation (eval)">{formatDuration(u.evalDurationMs)}</Fact>
        <Fact label="Tokens in">{formatInt(u.promptTokens)}</Fact>
        <Fact label="Tokens out">{formatInt(u.completionTokens)}</Fact>
        <Fact label="Billed">{formatMoney(u.totalCost, u.currency)}</Fact>
        <Fact label="GPU energy">{formatEnergy(u.energyWh)}</Fact>
        <Fact label="Electricity">{formatMoney(u.electricityCost, u.currency)}</Fact>
        <Fact label="OpenAI-equivalent">{formatMoney(u.referenceCost, u.currency)}</Fact>
        <Fact label="Upstream host">{u.upstreamHost ?? '—'}</Fact>
        <Fact label="Provider">{u.provider}</Fact>
      </dl>
    </section>
  );
}

/** One request: summary, timings, cost, and the stored request and response bodies. */
export function LogDetailPanel({
  requestId,
  timeZone,
  onClose,
}: {
  requestId: string;
  timeZone: string;
  onClose: () => void;
}) {
  const detail = useApi(reads.logDetail(requestId), { poll: false });
  const d = detail.data;
  return (
    <Modal title="Request details" onClose={onClose} testId={testIds.logDetail} wide>
      {detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : null}
      {!d && detail.loading ? <Skeleton lines={8} label="Loading the request" /> : null}
      {d ? (
        <div className="log-detail">
          <dl className="facts">
            <Fact label="Request id">
              <code>{d.requestId}</code>
            </Fact>
            <Fact label="Time">{formatDateTime(d.occurredAt, timeZone)}</Fact>
            <Fact label="Status">
              <span className={d.status >= 400 ? 'badge error' : 'badge ok'}>{d.status}</span>
            </Fact>
            <Fact label="Model">{d.model}</Fact>
            <Fact label="Endpoint">
              <code>{d.endpoint}</code>
            </Fact>
            <Fact label="Dialect">
              {d.dialect}
              {d.stream ? ' · stream' : ''}
            </Fact>
            <Fact label="Customer">{d.customerName ?? '—'}</Fact>
            <Fact label="Key">{d.keyPrefix ? <code>{d.keyPrefix}…</code> : '—'}</Fact>
          </dl>
          {d.error ? (
            <p className="form-error" role="note">
              {d.error}
            </p>
          ) : null}
          <Timings detail={d} />
          <section aria-labelledby="request-json-title">
            <h3 id="request-json-title">Request</h3>
            <JsonTree value={d.requestBody} label="Request body" testId={testIds.logRequestJson} />
          </section>
          <section aria-labelledby="response-json-title">
            <h3 id="response-json-title">Response</h3>
            <JsonTree value={d.responseBody} label="Response body" testId={testIds.logResponseJson} />
          </section>
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" onClick={onClose} data-testid={testIds.logDetailClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
