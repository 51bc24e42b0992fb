import { readFileSync } from 'node:fs';
import { AppError } from '@ollama-gateway/runtime';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../canonical/chat.types.js';
import { random } from '../../testing/random-split.js';
import { isAbort, readNdjson } from './ollama.client.js';
import { chunkToEvents } from './ollama.mapping.js';
import type { OllamaChatChunk } from './ollama.types.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));

/** Cuts `bytes` at random offsets (anywhere, including inside multi-byte UTF-8 sequences). */
function randomSplit(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const cuts = new Set<number>();
  const count = Math.floor(next() * Math.min(bytes.length, 40));
  for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(next() * (bytes.length - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...sorted, bytes.length]) {
    parts.push(bytes.subarray(from, cut));
    from = cut;
  }
  return parts;
}

async function* iterate(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function collect(parts: Uint8Array[]): Promise<OllamaChatChunk[]> {
  const out: OllamaChatChunk[] = [];
  for await (const line of readNdjson(iterate(parts))) out.push(line);
  return out;
}

function toEvents(lines: OllamaChatChunk[]): ChatEvent[] {
  const state = { sawToolCall: false };
  return lines.flatMap((line) => chunkToEvents(line, state));
}

const expectedLines = (bytes: Uint8Array) =>
  new TextDecoder()
    .decode(bytes)
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as OllamaChatChunk);

const noTimings = {
  loadDurationNs: null,
  promptEvalDurationNs: null,
  evalDurationNs: null,
  totalDurationNs: null,
};

/** The exact canonical events each recorded stream must produce (tool-call ids generated for id-less calls). */
const expectedEvents: Record<string, ChatEvent[]> = {
  'text-utf8.ndjson': [
    { type: 'text', text: 'Bonjour, ' },
    { type: 'text', text: 'café déjà vu é' },
    { type: 'text', text: ' 🌍🚀 日本語' },
    { type: 'text', text: ' — “fin” 👋🏽' },
    {
      type: 'end',
      finishReason: 'stop',
      usage: { promptTokens: 169, completionTokens: 15 },
      timings: {
        loadDurationNs: 41295167,
        promptEvalDurationNs: 24573166,
        evalDurationNs: 115959084,
        totalDurationNs: 182242375,
      },
      createdAt: '2025-07-07T20:22:19.254112Z',
    },
  ],
  'thinking.ndjson': [
    { type: 'thinking', text: 'Forest' },
    { type: 'thinking', text: ' valley' },
    { type: 'thinking', text: ' garden.' },
    { type: 'text', text: 'Paper' },
    { type: 'text', text: ' window' },
    { type: 'text', text: ' forest.' },
    {
      type: 'end',
      finishReason: 'length',
      usage: { promptTokens: 5, completionTokens: 20 },
      timings: {
        loadDurationNs: 12663,
        promptEvalDurationNs: 8556,
        evalDurationNs: 395097,
        totalDurationNs: 1053775,
      },
      createdAt: '2026-11-23T15:04:05.997886717Z',
    },
  ],
  'tool-calls.ndjson': [
    { type: 'tool_call', call: { id: 'call_58idfc2i', name: 'get_weather', arguments: '{"city":"Zürich"}' } },
    { type: 'tool_call', call: { id: 'call_wjofsnaf', name: 'get_time', arguments: '{}' } },
    {
      type: 'tool_call',
      call: {
        id: expect.stringMatching(/^call_/),
        name: 'get_news',
        arguments: '{"topic":"🌧️ weather","limit":3}',
      },
    },
    {
      type: 'end',
      finishReason: 'tool_calls',
      usage: { promptTokens: 7, completionTokens: 1 },
      timings: {
        loadDurationNs: 5901,
        promptEvalDurationNs: 8916,
        evalDurationNs: 65311,
        totalDurationNs: 769666,
      },
      createdAt: '2026-11-23T15:04:09.271985787Z',
    },
  ],
  'error-midstream.ndjson': [
    { type: 'text', text: 'Summer' },
    { type: 'text', text: ' glacier' },
    { type: 'error', message: 'an error was encountered while running the model: simulated error-midstream' },
  ],
  'metrics-missing.ndjson': [
    { type: 'text', text: 'Hi' },
    { type: 'text', text: '!' },
    {
      type: 'end',
      finishReason: 'stop',
      usage: { promptTokens: 0, completionTokens: 2 },
      timings: noTimings,
      createdAt: '2024-05-01T08:00:01Z',
    },
  ],
};

describe('readNdjson: recorded streams replayed with random chunk boundaries', () => {
  for (const name of Object.keys(expectedEvents)) {
    it(`${name}: exact lines and events for 300 random splits`, async () => {
      const bytes = fixture(name);
      const lines = expectedLines(bytes);
      expect(new TextDecoder().decode(bytes)).toMatch(/\n$/);
      // Whole, byte by byte, then random splits.
      expect(await collect([bytes])).toEqual(lines);
      expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).toEqual(lines);
      for (let seed = 1; seed <= 300; seed++) {
        const parts = randomSplit(bytes, random(seed));
        const parsed = await collect(parts);
        expect(parsed, `seed ${seed}`).toEqual(lines);
        expect(toEvents(parsed), `seed ${seed}`).toEqual(expectedEvents[name]);
      }
    });
  }

  it('the fixtures really split inside multi-byte characters', () => {
    const bytes = fixture('text-utf8.ndjson');
    // "é" is 2 bytes and "🌍" 4: a cut after their first byte is a cut inside the character.
    const at = bytes.indexOf(Buffer.from('🌍'));
    expect(at).toBeGreaterThan(0);
    return collect([bytes.subarray(0, at + 1), bytes.subarray(at + 1, at + 3), bytes.subarray(at + 3)]).then(
      (parsed) => expect(parsed).toEqual(expectedLines(bytes)),
    );
  });
});

describe('readNdjson: edge cases', () => {
  const encode = (text: string) => new TextEncoder().encode(text);

  it('parses a trailing line without a newline', async () => {
    expect(await collect([encode('{"a":1}\n{"done":true,"eval_count":3}')])).toEqual([
      { a: 1 },
      { done: true, eval_count: 3 },
    ]);
    expect(await collect([encode('{"done":'), encode('true}')])).toEqual([{ done: true }]);
  });

  it('skips blank lines and tolerates CRLF', async () => {
    expect(await collect([encode('\n{"a":1}\r\n\r\n  \n{"b":2}\r\n')])).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('yields nothing for an empty body', async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect([encode('\n\n')])).toEqual([]);
  });

  it('throws AppError 502 upstream_bad_response on a malformed line (after the good ones)', async () => {
    const seen: OllamaChatChunk[] = [];
    let caught: unknown;
    try {
      for await (const line of readNdjson(iterate([encode('{"a":1}\n{"broken":\n{"c":3}\n')])))
        seen.push(line);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual([{ a: 1 }]);
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ status: 502, kind: 'upstream', code: 'upstream_bad_response' });
  });

  it('a malformed trailing line without newline is also a 502', async () => {
    await expect(collect([encode('{"a":1}\n{"trunc')])).rejects.toMatchObject({
      status: 502,
      code: 'upstream_bad_response',
    });
  });

  it('a body that fails mid-stream becomes 502 upstream_connection_lost; an abort is rethrown as is', async () => {
    async function* failing(error: unknown): AsyncGenerator<Uint8Array> {
      yield encode('{"a":1}\n');
      throw error;
    }
    await expect(
      (async () => {
        for await (const _ of readNdjson(
          failing(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
        ));
      })(),
    ).rejects.toMatchObject({ status: 502, code: 'upstream_connection_lost' });
    const abort = new DOMException('The operation was aborted', 'AbortError');
    await expect(
      (async () => {
        for await (const _ of readNdjson(failing(abort)));
      })(),
    ).rejects.toBe(abort);
  });
});

describe('isAbort', () => {
  it('recognises the abort errors of fetch, undici and Node', () => {
    expect(isAbort(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbort(Object.assign(new Error('x'), { code: 'UND_ERR_ABORTED' }))).toBe(true);
    expect(isAbort(Object.assign(new Error('x'), { code: 'ABORT_ERR' }))).toBe(true);
    expect(isAbort(new Error('x'))).toBe(false);
    expect(isAbort(null)).toBe(false);
  });
});
