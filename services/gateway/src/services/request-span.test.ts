import type { RequestTracer } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../producers/event.publisher.js';
import type { AuthKey } from './key-auth.service.js';
import { newRequestContext, type RequestContext } from './request-context.js';
import { toRequestSpan } from './request-span.js';
import { createUsageRecorder, toUsageEvent } from './usage-recorder.service.js';

const key = { id: 'key-1', customerId: 'customer-1' } as AuthKey;

function context(fields: Partial<RequestContext> = {}, endpoint = '/v1/chat/completions'): RequestContext {
  return {
    ...newRequestContext({
      requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      method: 'POST',
      dialect: 'openai',
      endpoint,
      clientIp: '203.0.113.7',
      userAgent: 'test',
      startedAt: 1000,
      requestHeader: (name) => (name === 'traceparent' ? '00-trace-parent-01' : undefined),
    }),
    ...fields,
  };
}

const span = (ctx: RequestContext, status: number, endedAt = 1200) =>
  toRequestSpan(ctx, toUsageEvent(ctx, status, endedAt), endedAt);

describe('toRequestSpan', () => {
  it('names the server span by route, with a child span over the upstream waits', () => {
    const ctx = context({
      key,
      model: 'fast',
      upstreamModel: 'llama3.2:latest',
      provider: 'ollama',
      upstreamHost: 'http://user:pw@ollama:11434/?token=x',
      usage: { promptTokens: 12, completionTokens: 34 },
      upstreamMs: 150,
      upstreamStartedAt: 1010,
      upstreamEndedAt: 1190,
    });
    const result = span(ctx, 200);
    expect(result).toMatchObject({
      name: 'POST /v1/chat/completions',
      startTime: 1000,
      endTime: 1200,
      traceparent: '00-trace-parent-01',
      attributes: {
        'http.route': '/v1/chat/completions',
        'gateway.api_key_id': 'key-1',
        'gateway.customer_id': 'customer-1',
        'gateway.overhead_ms': 50,
        'gateway.upstream_host': 'http://ollama:11434/',
        'gen_ai.request.model': 'fast',
        'gen_ai.response.model': 'llama3.2:latest',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 34,
      },
    });
    expect(result.error).toBeUndefined();
    expect(result.children).toEqual([
      expect.objectContaining({
        name: 'chat llama3.2:latest',
        startTime: 1010,
        endTime: 1190,
        attributes: expect.objectContaining({ 'server.address': 'ollama', 'server.port': 11434 }),
      }),
    ]);
    // Credentials of a base URL are never exported.
    expect(JSON.stringify(result)).not.toMatch(/pw|token=x/);
  });

  it('never names a span by an unknown path, and marks 5xx as errors', () => {
    const unknown = span(context({ method: 'BREW' }, '/v1/secret-looking/sk-123'), 404);
    expect(unknown.name).toBe('_OTHER');
    expect(unknown.attributes['url.path']).toBe('other');
    expect(unknown.attributes['http.route']).toBeUndefined();
    expect(JSON.stringify(unknown)).not.toContain('sk-123');
    expect(unknown.children).toEqual([]);

    const failed = span(
      context({ errorCode: 'upstream_error', upstreamStartedAt: 1001, upstreamEndedAt: 1002 }),
      502,
    );
    expect(failed.error).toBe('upstream_error');
    expect(failed.children?.[0]?.error).toBe('upstream_error');
    expect(span(context({ errorCode: 'client_closed_request' }), 499).error).toBeUndefined();
  });

  it('is recorded by the usage recorder once per request when a tracer is given', () => {
    const recorded: unknown[] = [];
    const tracer: RequestTracer = { record: (s) => recorded.push(s), shutdown: async () => {} };
    const publisher = { publishUsage: () => {}, publishRequestLog: () => {} } as unknown as EventPublisher;
    createUsageRecorder({ publisher, logBodies: false, tracer }).record(context(), 200, 1100);
    createUsageRecorder({ publisher, logBodies: false }).record(context(), 200, 1100);
    expect(recorded).toHaveLength(1);
  });
});
