import { requestLogEventSchema, usageEventSchema } from '@ollama-gateway/contracts';
import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../producers/event.publisher.js';
import type { AuthKey } from './key-auth.service.js';
import { newRequestContext, type RequestContext } from './request-context.js';
import { createUsageRecorder, toRequestLogEvent, toUsageEvent } from './usage-recorder.service.js';

const key = {
  id: '8f0e2c1a-4b3d-4e5f-9a8b-7c6d5e4f3a2b',
  customerId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
} as AuthKey;

function context(fields: Partial<RequestContext> = {}): RequestContext {
  return {
    ...newRequestContext({
      requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      dialect: 'openai',
      endpoint: '/v1/chat/completions',
      clientIp: '203.0.113.7',
      userAgent: 'OpenAI/JS 6.49.0',
      startedAt: 1000,
    }),
    key,
    model: 'llama3.2',
    upstreamModel: 'llama3.2:latest',
    provider: 'ollama',
    upstreamHost: 'http://ollama:11434',
    stream: true,
    usage: { promptTokens: 169, completionTokens: 15 },
    timings: {
      loadDurationNs: 41295167,
      promptEvalDurationNs: 24573166,
      evalDurationNs: 115959084,
      totalDurationNs: 182242375,
    },
    ttftMs: 12.34567,
    upstreamMs: 180.5,
    requestBody: { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] },
    responseBody: { choices: [] },
    ...fields,
  };
}

describe('toUsageEvent', () => {
  it('produces a valid usage event with overhead = total − upstream', () => {
    const event = toUsageEvent(context(), 200, 1000 + 183.2);
    expect(usageEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      requestId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      customerId: key.customerId,
      apiKeyId: key.id,
      model: 'llama3.2',
      upstreamModel: 'llama3.2:latest',
      provider: 'ollama',
      status: 200,
      errorCode: null,
      stream: true,
      promptTokens: 169,
      completionTokens: 15,
      totalMs: 183.2,
      ttftMs: 12.346,
      gatewayOverheadMs: 2.7,
      loadDurationNs: 41295167,
      totalDurationNs: 182242375,
      clientIp: '203.0.113.7',
    });
  });

  it('is valid for a request rejected before any key or upstream call', () => {
    const early = {
      ...newRequestContext({
        requestId: 'req_0123456789',
        dialect: 'anthropic',
        endpoint: '/v1/messages',
        clientIp: null,
        userAgent: null,
        startedAt: 50,
      }),
      errorCode: 'invalid_api_key',
      errorMessage: 'Incorrect API key provided: sk-og-AbCd…wxyz.',
    };
    const event = toUsageEvent(early, 401, 51);
    expect(usageEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      customerId: null,
      apiKeyId: null,
      model: '',
      upstreamModel: null,
      provider: 'none',
      promptTokens: 0,
      completionTokens: 0,
      ttftMs: null,
      gatewayOverheadMs: 1,
      loadDurationNs: null,
      evalDurationNs: null,
    });
    expect(toRequestLogEvent(early, 401, 51, true)).toMatchObject({ requestBody: null, responseBody: null });
  });

  it('never reports negative times (clock skew, upstream longer than total)', () => {
    const event = toUsageEvent(context({ upstreamMs: 500 }), 200, 900);
    expect(event.totalMs).toBe(0);
    expect(event.gatewayOverheadMs).toBe(0);
    expect(usageEventSchema.safeParse(event).success).toBe(true);
  });

  it('clips long strings to what the schema allows', () => {
    const long = 'x'.repeat(5000);
    const event = toUsageEvent(
      context({
        model: long,
        upstreamModel: long,
        endpoint: `/v1/${long}`,
        errorCode: long,
        clientIp: long,
        userAgent: long,
        upstreamHost: `http://${long}`,
      }),
      500,
      2000,
    );
    expect(usageEventSchema.safeParse(event).error?.issues ?? []).toEqual([]);
    expect(event.model).toHaveLength(512);
    expect(event.upstreamModel).toHaveLength(512);
    expect(event.endpoint).toHaveLength(256);
    expect(event.errorCode).toHaveLength(128);
    expect(event.clientIp).toHaveLength(64);
    expect(event.userAgent).toHaveLength(512);
    expect(event.upstreamHost!.length).toBeLessThanOrEqual(1024);
  });
});

describe('toRequestLogEvent', () => {
  it('includes bodies only when body logging is on', () => {
    const withBodies = toRequestLogEvent(context(), 200, 1100, true);
    expect(requestLogEventSchema.parse(withBodies)).toEqual(withBodies);
    expect(withBodies).toMatchObject({
      durationMs: 100,
      requestBody: { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi' }] },
      responseBody: { choices: [] },
      error: null,
    });
    const without = toRequestLogEvent(context(), 200, 1100, false);
    expect(requestLogEventSchema.parse(without)).toEqual(without);
    expect(without.requestBody).toBeNull();
    expect(without.responseBody).toBeNull();
  });

  it('clips a long error message, model and endpoint', () => {
    const event = toRequestLogEvent(
      context({ errorMessage: 'e'.repeat(20_000), model: 'm'.repeat(600), endpoint: `/${'p'.repeat(300)}` }),
      502,
      1100,
      false,
    );
    expect(requestLogEventSchema.safeParse(event).success).toBe(true);
    expect(event.error).toHaveLength(10_000);
    expect(event.model).toHaveLength(512);
    expect(event.endpoint).toHaveLength(256);
  });
});

describe('createUsageRecorder', () => {
  it('publishes one usage and one request-log event per record()', () => {
    const usage: unknown[] = [];
    const logs: unknown[] = [];
    const publisher: EventPublisher = {
      publishUsage: (event) => void usage.push(event),
      publishRequestLog: (event) => void logs.push(event),
      close: async () => {},
    };
    // One context for all three calls: each new context takes the current time as occurredAt.
    const request = context();
    createUsageRecorder({ publisher, logBodies: false }).record(request, 200, 1200);
    expect(usage).toEqual([toUsageEvent(request, 200, 1200)]);
    expect(logs).toEqual([toRequestLogEvent(request, 200, 1200, false)]);
  });
});
