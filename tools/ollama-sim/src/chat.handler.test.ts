import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseNdjson } from './ndjson.util.js';
import { type OllamaSim, startOllamaSim } from './sim.server.js';
import { conversationKey, replyText, thinkingTokens } from './text.generator.js';
import { promptTokenCount } from './tokens.counter.js';

let sim: OllamaSim;
beforeAll(async () => {
  sim = await startOllamaSim({ port: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const post = (path: string, body: unknown): Promise<Response> =>
  fetch(`${sim.url}${path}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;
const messages = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say something nice about rivers' },
];

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer' },
      },
      required: ['city'],
    },
  },
};

describe('POST /api/chat streaming', () => {
  it('streams by default: one token per NDJSON line, then a done chunk with metrics', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const body = await res.text();
    const lines = parseNdjson<Record<string, unknown>>(body);
    const chunks = lines.slice(0, -1);
    const final = lines.at(-1) as Record<string, unknown>;
    expect(chunks).toHaveLength(12);
    for (const chunk of chunks) {
      expect(Object.keys(chunk)).toEqual(['model', 'created_at', 'message', 'done']);
      expect(chunk.model).toBe('llama3.2');
      expect(chunk.created_at).toMatch(RFC3339_NANO);
      expect(chunk.done).toBe(false);
      expect((chunk.message as { role: string }).role).toBe('assistant');
    }
    const text = chunks.map((c) => (c.message as { content: string }).content).join('');
    expect(text).toBe(replyText(conversationKey(messages), 12));
    expect(final).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: promptTokenCount(messages),
      eval_count: 12,
    });
    expect(Object.keys(final)).toEqual([
      'model',
      'created_at',
      'message',
      'done',
      'done_reason',
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_count',
      'eval_duration',
    ]);
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
      expect(Number.isInteger(final[key])).toBe(true);
      expect(final[key] as number).toBeGreaterThan(0);
    }
    const total = final.total_duration as number;
    expect(total).toBeGreaterThanOrEqual(
      (final.load_duration as number) +
        (final.prompt_eval_duration as number) +
        (final.eval_duration as number),
    );
  });

  it('gives the same bytes for the same request, timestamps and durations aside', async () => {
    const strip = (s: string): string =>
      s.replace(/"created_at":"[^"]+"/g, '').replace(/"(total|load|prompt_eval|eval)_duration":\d+/g, '');
    const a = await (await post('/api/chat', { model: 'llama3.2', messages })).text();
    const b = await (await post('/api/chat', { model: 'llama3.2', messages })).text();
    expect(strip(a)).toBe(strip(b));
  });

  it('honours num_predict with done_reason "length"', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages, options: { num_predict: 5 } });
    const lines = parseNdjson<Record<string, unknown>>(await res.text());
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'length', eval_count: 5 });
  });

  it('cuts the reply at a stop string and reports "stop"', async () => {
    const full = replyText(conversationKey(messages), 12);
    const words = full.split(' ');
    const stopWord = words[4] as string;
    const res = await post('/api/chat', {
      model: 'llama3.2',
      messages,
      options: { stop: [stopWord] },
      stream: false,
    });
    const body = (await res.json()) as {
      message: { content: string };
      done_reason: string;
      eval_count: number;
    };
    expect(body.message.content).toBe(full.slice(0, full.indexOf(stopWord)));
    expect(body.message.content).not.toContain(stopWord);
    expect(body.done_reason).toBe('stop');
  });

  it('rejects a bare stop string like Ollama', async () => {
    const res = await post('/api/chat', {
      model: 'llama3.2',
      messages,
      options: { stop: 'x', seed: 42, temperature: 0 },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'option "stop" must be of type array' });
  });

  it('emits a whole tool call in one non-final chunk when the prompt names a tool', async () => {
    const msgs = [{ role: 'user', content: 'Use get_weather for Tokyo' }];
    const res = await post('/api/chat', { model: 'llama3.2', messages: msgs, tools: [weatherTool] });
    const lines = parseNdjson<Record<string, unknown>>(await res.text());
    expect(lines).toHaveLength(2);
    const [call, final] = lines as [Record<string, unknown>, Record<string, unknown>];
    expect(call.done).toBe(false);
    const message = call.message as { content: string; tool_calls: Array<Record<string, unknown>> };
    expect(message.content).toBe('');
    expect(message.tool_calls).toHaveLength(1);
    const tc = message.tool_calls[0] as { id: string; function: Record<string, unknown> };
    expect(tc.id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(Object.keys(tc.function)).toEqual(['index', 'name', 'arguments']);
    expect(tc.function.index).toBe(0);
    expect(tc.function.name).toBe('get_weather');
    const args = tc.function.arguments as Record<string, unknown>;
    expect(Object.keys(args)).toEqual(['city', 'unit', 'days']);
    expect(typeof args.city).toBe('string');
    expect(args.unit).toBe('celsius');
    expect(Number.isInteger(args.days)).toBe(true);
    expect(final).toMatchObject({ done: true, done_reason: 'stop', eval_count: 1 });
  });

  it('uses the [[sim:tool]] marker and keeps arguments deterministic', async () => {
    const msgs = [{ role: 'user', content: 'please [[sim:tool]]' }];
    const a = (await (
      await post('/api/chat', { model: 'llama3.2', messages: msgs, tools: [weatherTool], stream: false })
    ).json()) as {
      message: { tool_calls: Array<{ id: string; function: unknown }> };
    };
    const b = (await (
      await post('/api/chat', { model: 'llama3.2', messages: msgs, tools: [weatherTool], stream: false })
    ).json()) as {
      message: { tool_calls: Array<{ id: string; function: unknown }> };
    };
    expect(a.message.tool_calls[0]?.function).toEqual(b.message.tool_calls[0]?.function);
  });

  it('answers with text when the last message is a tool result', async () => {
    const msgs = [
      { role: 'user', content: 'Use get_weather' },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: {} } }] },
      { role: 'tool', content: '21C', tool_name: 'get_weather' },
    ];
    const body = (await (
      await post('/api/chat', { model: 'llama3.2', messages: msgs, tools: [weatherTool], stream: false })
    ).json()) as {
      message: { content: string; tool_calls?: unknown };
    };
    expect(body.message.tool_calls).toBeUndefined();
    expect(body.message.content.length).toBeGreaterThan(0);
  });

  it('rejects tools on a model without the tools capability', async () => {
    const res = await post('/api/chat', { model: 'llava', messages, tools: [weatherTool] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'registry.ollama.ai/library/llava:latest does not support tools',
    });
  });
});

describe('POST /api/chat thinking, format and non-stream', () => {
  it('streams thinking chunks before content on a thinking model (think defaults to on)', async () => {
    const res = await post('/api/chat', { model: 'qwen3:0.6b', messages });
    const lines = parseNdjson<{ message: { content: string; thinking?: string }; eval_count?: number }>(
      await res.text(),
    );
    const thinking = lines.filter((l) => l.message.thinking);
    expect(thinking).toHaveLength(8);
    expect(lines.slice(0, 8)).toEqual(thinking);
    expect(thinking.map((l) => l.message.thinking).join('')).toBe(
      thinkingTokens(conversationKey(messages), 8).join(''),
    );
    expect(lines.at(-1)?.eval_count).toBe(20);
  });

  it('turns thinking off with think:false and rejects think on a non-thinking model', async () => {
    const off = (await (
      await post('/api/chat', { model: 'qwen3:0.6b', messages, think: false, stream: false })
    ).json()) as {
      message: Record<string, unknown>;
    };
    expect(off.message.thinking).toBeUndefined();
    const high = (await (
      await post('/api/chat', { model: 'qwen3:0.6b', messages, think: 'high', stream: false })
    ).json()) as {
      message: Record<string, unknown>;
    };
    expect(typeof high.message.thinking).toBe('string');
    const res = await post('/api/chat', { model: 'llama3.2', messages, think: true });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: '"llama3.2" does not support thinking' });
  });

  it('returns valid JSON content for format "json" and for a schema', async () => {
    const a = (await (
      await post('/api/chat', { model: 'llama3.2', messages, format: 'json', stream: false })
    ).json()) as {
      message: { content: string };
    };
    expect(JSON.parse(a.message.content)).toHaveProperty('reply');
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' }, ok: { type: 'boolean' } },
    };
    const res = await post('/api/chat', { model: 'llama3.2', messages, format: schema });
    const lines = parseNdjson<{ message: { content: string } }>(await res.text());
    const parsed = JSON.parse(lines.map((l) => l.message.content).join('')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['name', 'age', 'ok']);
    expect(typeof parsed.age).toBe('number');
  });

  it('answers non-stream requests with one JSON object', async () => {
    const res = await post('/api/chat', { model: 'llama3.2', messages, stream: false });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: replyText(conversationKey(messages)) },
      done: true,
      done_reason: 'stop',
      eval_count: 12,
      prompt_eval_count: promptTokenCount(messages),
    });
  });

  it('honours the [[sim:tokens=N]] marker', async () => {
    const msgs = [{ role: 'user', content: 'short please [[sim:tokens=3]]' }];
    const body = (await (
      await post('/api/chat', { model: 'llama3.2', messages: msgs, stream: false })
    ).json()) as {
      message: { content: string };
      eval_count: number;
    };
    expect(body.eval_count).toBe(3);
    expect(body.message.content.split(' ')).toHaveLength(3);
  });

  it('loads with no messages and unloads with keep_alive 0', async () => {
    const load = (await (await post('/api/chat', { model: 'llama3.2', messages: [] })).json()) as Record<
      string,
      unknown
    >;
    expect(load).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'load',
    });
    let ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as { models: Array<{ name: string }> };
    expect(ps.models.map((m) => m.name)).toContain('llama3.2:latest');
    const unload = (await (
      await post('/api/chat', { model: 'llama3.2', messages: [], keep_alive: 0 })
    ).json()) as Record<string, unknown>;
    expect(unload.done_reason).toBe('unload');
    ps = (await (await fetch(`${sim.url}/api/ps`)).json()) as { models: Array<{ name: string }> };
    expect(ps.models.map((m) => m.name)).not.toContain('llama3.2:latest');
  });
});

describe('POST /api/chat errors', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['empty body', '', 400, 'missing request body'],
    ['bad JSON', 'hello', 400, "invalid character 'h' looking for beginning of value"],
    ['truncated JSON', '{"model":', 400, 'unexpected EOF'],
    ['no model', { messages }, 400, 'model is required'],
    ['unknown model', { model: 'mistral', messages }, 404, 'model "mistral" not found, try pulling it first'],
    [
      'embedding-only model',
      { model: 'all-minilm:latest', messages },
      400,
      '"all-minilm:latest" does not support chat',
    ],
    [
      'content parts',
      { model: 'llama3.2', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
      400,
      'json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string',
    ],
    [
      'stream as string',
      { model: 'llama3.2', messages, stream: 'yes' },
      400,
      'json: cannot unmarshal string into Go struct field ChatRequest.stream of type bool',
    ],
    [
      'bad keep_alive',
      { model: 'llama3.2', messages, keep_alive: '10' },
      400,
      'time: missing unit in duration "10"',
    ],
    [
      'num_predict as string',
      { model: 'llama3.2', messages, options: { num_predict: '5' } },
      400,
      'option "num_predict" must be of type integer',
    ],
  ];
  it.each(cases)('%s', async (_name, body, status, error) => {
    const res = await post('/api/chat', body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ error });
  });
});
