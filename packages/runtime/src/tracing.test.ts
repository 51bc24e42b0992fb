import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';
import { startTracing, tracingEnvShape } from './tracing.js';

const schema = z.object(tracingEnvShape);
/** The OpenTelemetry SDK files Node has loaded in this process (the test file runs in a process of its own). */
const loadedSdk = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((file) =>
    /@opentelemetry[\\/](sdk-trace|exporter-trace|otlp-|resources)/.test(file),
  );

let receiver: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  receiver = undefined;
});

/** A local OTLP/HTTP receiver: resolves its URL; `bodies` collects each export's parsed JSON. */
function receive(bodies: unknown[]): Promise<string> {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(JSON.parse(body));
      res.end('{}');
    });
  });
  return new Promise((resolve) =>
    receiver!.listen(0, '127.0.0.1', () => {
      const address = receiver!.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    }),
  );
}

describe('startTracing', () => {
  it('is off, loading nothing, without an endpoint or with OTEL_SDK_DISABLED', async () => {
    expect(await startTracing('unit', parseEnv(schema, {}))).toBeNull();
    expect(
      await startTracing(
        'unit',
        parseEnv(schema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }),
      ),
    ).toBeNull();
    expect(loadedSdk()).toEqual([]);
  });

  it('rejects a bad endpoint, sampler or ratio at start-up', () => {
    expect(() => parseEnv(schema, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => parseEnv(schema, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => parseEnv(schema, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('exports finished spans over OTLP/HTTP JSON: the caller trace joined, children under the server span', async () => {
    const bodies: unknown[] = [];
    const url = await receive(bodies);
    const tracer = await startTracing(
      'unit',
      parseEnv(schema, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces`,
        OTEL_SERVICE_NAME: 'named',
      }),
    );
    expect(tracer).not.toBeNull();
    expect(loadedSdk().length).toBeGreaterThan(0);
    const now = performance.now();
    tracer!.record({
      name: 'POST /v1/chat/completions',
      startTime: now - 20,
      endTime: now,
      attributes: { 'http.response.status_code': 502 },
      error: 'upstream_error',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      children: [{ name: 'chat llama3.2', startTime: now - 15, endTime: now - 5, attributes: {} }],
    });
    // An unparsable traceparent: a trace of its own.
    tracer!.record({ name: 'GET', startTime: now, endTime: now, attributes: {}, traceparent: 'garbage' });
    await tracer!.shutdown();

    const exported = bodies as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: {
          spans: {
            name: string;
            traceId: string;
            spanId: string;
            parentSpanId?: string;
            kind: number;
            startTimeUnixNano: string;
            endTimeUnixNano: string;
            status: { code?: number };
          }[];
        }[];
      }[];
    }[];
    const spans = exported.flatMap((b) =>
      b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    const service = exported[0]!.resourceSpans[0]!.resource.attributes.find((a) => a.key === 'service.name');
    expect(service?.value.stringValue).toBe('named');
    const server = spans.find((s) => s.name === 'POST /v1/chat/completions')!;
    const child = spans.find((s) => s.name === 'chat llama3.2')!;
    const lone = spans.find((s) => s.name === 'GET')!;
    expect(server).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      kind: 2,
      status: { code: 2 },
    });
    expect(child).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, kind: 3 });
    expect(lone.traceId).not.toBe(server.traceId);
    expect(lone.parentSpanId ?? '').toBe('');
    // The explicit times: 20 ms and 10 ms long, on the wall clock.
    const ms = (s: typeof server) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
    expect(ms(server)).toBeCloseTo(20, 3);
    expect(ms(child)).toBeCloseTo(10, 3);
    expect(Math.abs(Number(BigInt(server.endTimeUnixNano) / 1_000_000n) - Date.now())).toBeLessThan(60_000);
  });
});
