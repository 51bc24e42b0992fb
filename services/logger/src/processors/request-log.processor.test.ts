import type { RequestLogEvent } from '@ollama-gateway/contracts';
import { createLogger } from '@ollama-gateway/runtime';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { RequestLogRecord } from '../repositories/request-logs.repository.js';
import { type BodyPolicy, createRequestLogProcessor, parseRequestLogEvent } from './request-log.processor.js';

const event: RequestLogEvent = {
  requestId: 'req-log-unit-1',
  occurredAt: '2026-03-01T12:00:00Z',
  customerId: null,
  apiKeyId: null,
  model: 'llama3',
  endpoint: '/v1/chat/completions',
  dialect: 'openai',
  status: 200,
  stream: false,
  durationMs: 12.5,
  requestBody: { messages: [{ role: 'user', content: 'hello' }] },
  responseBody: { choices: [{ message: { content: 'x'.repeat(2000) } }] },
  error: null,
};

function setup(bodies: BodyPolicy) {
  const stored: RequestLogRecord[] = [];
  const processor = createRequestLogProcessor({
    repository: {
      insert: async (record) => {
        stored.push(record);
        return true;
      },
    },
    bodies,
    logger: createLogger('test', 'silent'),
  });
  return { processor, stored };
}

describe('request-log processor', () => {
  it('stores small bodies as they are and truncates large ones', async () => {
    const { processor, stored } = setup({ storeBodies: true, maxBodyBytes: 1000 });
    expect(await processor({ data: event })).toEqual({ requestId: 'req-log-unit-1', inserted: true });
    expect(stored[0]!.requestBody).toEqual(event.requestBody);
    expect(stored[0]!.responseBody).toMatchObject({ truncated: true, bytes: 2040 });
  });

  it('stores no bodies when body logging is off', async () => {
    const { processor, stored } = setup({ storeBodies: false, maxBodyBytes: 1000 });
    await processor({ data: event });
    expect(stored[0]).toMatchObject({ requestBody: null, responseBody: null, model: 'llama3', status: 200 });
  });

  it('rejects a bad payload as unrecoverable, naming the field', async () => {
    const { processor, stored } = setup({ storeBodies: true, maxBodyBytes: 1000 });
    const bad = { ...event, status: 42, dialect: 'klingon' };
    await expect(processor({ data: bad })).rejects.toBeInstanceOf(UnrecoverableError);
    expect(() => parseRequestLogEvent(bad)).toThrow(/status.*dialect|dialect.*status/);
    expect(stored).toHaveLength(0);
  });
});
