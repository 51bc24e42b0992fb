// OpenTelemetry traces from the built gateway (docs/metrics.md, "Tracing"): with OTEL_EXPORTER_OTLP_ENDPOINT pointing
// at a tiny OTLP/HTTP receiver started here, real traffic through nginx produces one server span per request
// (non-stream, stream joined to the caller's traceparent, 401, client disconnect, upstream failure) with a child span
// for the upstream call, and the attributes agree with the usage rows in Postgres. No key secret leaves the process.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedKey, type Stack, startStack, type UsageRow } from '../support/stack.js';

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
};
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: AnyValue }[];
  status: { code?: number; message?: string };
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: AnyValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}
interface Span extends Omit<OtlpSpan, 'attributes'> {
  attributes: Record<string, string | number | boolean>;
  service: string;
}

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

const otlpValue = (value: AnyValue) =>
  value.stringValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.doubleValue ??
  value.boolValue ??
  '';

/** An OTLP/HTTP (JSON) traces receiver: every POST /v1/traces body, raw and parsed. */
function startReceiver(): Promise<{ server: Server; url: string; bodies: string[]; spans: () => Span[] }> {
  const bodies: string[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        contentTypes.push(String(req.headers['content-type']));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  const spans = () => {
    expect(new Set(contentTypes)).toEqual(new Set(['application/json']));
    return bodies.flatMap((body) =>
      (JSON.parse(body) as OtlpExport).resourceSpans.flatMap((resource) => {
        const service = resource.resource.attributes.find((a) => a.key === 'service.name')?.value;
        return resource.scopeSpans.flatMap((scope) =>
          scope.spans.map((span) => ({
            ...span,
            service: String(service ? otlpValue(service) : ''),
            attributes: Object.fromEntries(span.attributes.map((a) => [a.key, otlpValue(a.value)])),
          })),
        );
      }),
    );
  };
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}`, bodies, spans });
    }),
  );
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let stack: Stack;
let customer: CreatedKey;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack({
    label: 'tracing',
    // A short export delay so the test does not wait the 5 s default.
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  customer = await stack.createKey();
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

const chat = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content }], ...extra });

async function waitFor<T>(what: string, read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${stack.describe()}`);
}

describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it('exports one server span per request, joined to the caller trace, with the upstream call as its child', async () => {
    const headers = { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' };
    const url = `${stack.apiUrl}/v1/chat/completions`;

    const plain = await fetch(url, { method: 'POST', headers, body: chat('Hi') });
    expect(plain.status).toBe(200);
    await plain.json();
    const plainId = plain.headers.get('x-request-id')!;

    const callerTrace = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const streamed = await fetch(url, {
      method: 'POST',
      headers: { ...headers, traceparent: `00-${callerTrace}-${callerSpan}-01` },
      body: chat('Hi there', { stream: true }),
    });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('data: [DONE]');
    const streamedId = streamed.headers.get('x-request-id')!;

    const wrongKey = `sk-ogw-${randomBytes(24).toString('hex')}`;
    const refused = await fetch(url, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${wrongKey}` },
      body: chat('Hi'),
    });
    expect(refused.status).toBe(401);
    const refusedId = refused.headers.get('x-request-id')!;

    // A slow stream the client abandons after a few chunks (recorded as 499).
    const controller = new AbortController();
    const slow = await fetch(url, {
      method: 'POST',
      headers,
      body: chat('[[sim:slow]] [[sim:tokens=400]] go on', { stream: true }),
      signal: controller.signal,
    });
    expect(slow.status).toBe(200);
    const abandonedId = slow.headers.get('x-request-id')!;
    const reader = slow.body!.getReader();
    let received = '';
    while ((received.match(/"content":"/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});

    // The upstream fails before the first byte.
    const failed = await fetch(url, { method: 'POST', headers, body: chat('boom [[sim:error-500]]') });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await failed.text();
    const failedId = failed.headers.get('x-request-id')!;

    const ids = [plainId, streamedId, refusedId, abandonedId, failedId];
    expect(new Set(ids).size).toBe(5);
    const rows = await stack.waitForUsageRows(5);
    const rowOf = (id: string): UsageRow => {
      const row = rows.find((r) => r.request_id === id);
      expect(row, `usage row of ${id}`).toBeDefined();
      return row!;
    };

    const spanOf = (spans: Span[], id: string) =>
      spans.find((span) => span.kind === SERVER && span.attributes['gateway.request_id'] === id);
    const spans = await waitFor('the five server spans', () => {
      const all = receiver.spans();
      return ids.every((id) => spanOf(all, id)) ? all : undefined;
    });
    const server = (id: string) => spanOf(spans, id)!;
    const childrenOf = (parent: Span) => spans.filter((span) => span.parentSpanId === parent.spanId);

    // Exactly one server span per request, each named by the route template.
    expect(spans.filter((span) => span.kind === SERVER)).toHaveLength(5);
    for (const id of ids) {
      const span = server(id);
      expect(span.name).toBe('POST /v1/chat/completions');
      expect(span.service).toBe('gateway');
      expect(span.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/v1/chat/completions',
        'url.path': '/v1/chat/completions',
        'http.response.status_code': rowOf(id).status,
        'gateway.dialect': 'openai',
        'gateway.stream': rowOf(id).stream,
      });
    }

    // Answered requests: model, tokens as billed, the key's ids, the upstream call as a child span.
    for (const id of [plainId, streamedId]) {
      const span = server(id);
      const row = rowOf(id);
      expect(row.status).toBe(200);
      expect(row.completion_tokens).toBeGreaterThan(0);
      expect(span.attributes).toMatchObject({
        'http.response.status_code': 200,
        'gateway.api_key_id': customer.keyId,
        'gateway.customer_id': customer.customerId,
        'gateway.upstream_host': new URL(stack.simUrl).href,
        'gen_ai.system': 'ollama',
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'llama3.2',
        'gen_ai.response.model': row.upstream_model!,
        'gen_ai.usage.input_tokens': row.prompt_tokens,
        'gen_ai.usage.output_tokens': row.completion_tokens,
      });
      expect(span.attributes['gateway.overhead_ms']).toBeCloseTo(Number(row.gateway_overhead_ms), 2);
      expect(span.status.code ?? 0).not.toBe(ERROR);

      const children = childrenOf(span);
      expect(children, `${id}: one upstream span`).toHaveLength(1);
      const upstream = children[0]!;
      expect(upstream).toMatchObject({
        kind: CLIENT,
        traceId: span.traceId,
        name: `chat ${row.upstream_model}`,
      });
      expect(upstream.attributes).toMatchObject({
        'gen_ai.system': 'ollama',
        'gen_ai.request.model': row.upstream_model!,
        'gen_ai.usage.output_tokens': row.completion_tokens,
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(stack.simUrl).port),
      });
      // Within its parent.
      expect(BigInt(upstream.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
      expect(BigInt(upstream.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(span.endTimeUnixNano));
    }
    // The non-streamed request starts a trace of its own; the streamed one joins the caller's.
    expect(server(plainId).parentSpanId ?? '').toBe('');
    expect(server(plainId).traceId).not.toBe(callerTrace);
    expect(server(streamedId).traceId).toBe(callerTrace);
    expect(server(streamedId).parentSpanId).toBe(callerSpan);
    expect(server(streamedId).attributes['gateway.ttft_ms']).toBeCloseTo(
      Number(rowOf(streamedId).ttft_ms),
      2,
    );

    // The 401: no key ids, no upstream call, not a server error.
    const refusal = server(refusedId);
    expect(refusal.attributes['http.response.status_code']).toBe(401);
    expect(refusal.attributes['gateway.api_key_id']).toBeUndefined();
    expect(refusal.attributes['error.type']).toBe(rowOf(refusedId).error_code);
    expect(refusal.status.code ?? 0).not.toBe(ERROR);
    expect(childrenOf(refusal)).toEqual([]);

    // The abandoned stream: 499 with the tokens sent so far, and its upstream span.
    const abandoned = server(abandonedId);
    expect(rowOf(abandonedId).status).toBe(499);
    expect(abandoned.attributes).toMatchObject({
      'http.response.status_code': 499,
      'error.type': 'client_closed_request',
      'gateway.stream': true,
      'gen_ai.usage.output_tokens': rowOf(abandonedId).completion_tokens,
    });
    expect(childrenOf(abandoned)).toHaveLength(1);

    // The upstream failure: both spans carry the error status.
    const failure = server(failedId);
    expect(failure.status.code).toBe(ERROR);
    expect(failure.attributes['error.type']).toBe(rowOf(failedId).error_code);
    const failedUpstream = childrenOf(failure);
    expect(failedUpstream).toHaveLength(1);
    expect(failedUpstream[0]!.status.code).toBe(ERROR);

    // Nothing else was exported, and no secret anywhere in what was.
    const upstreamSpans = spans.filter((span) => span.kind === CLIENT);
    expect(upstreamSpans).toHaveLength(4);
    const payload = receiver.bodies.join('\n');
    expect(payload).not.toContain(customer.key);
    expect(payload).not.toContain(wrongKey);
    expect(payload).not.toContain(stack.env.INTERNAL_SECRET!);
  });
});
