import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdjsonScanner } from './stream.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../clients/ollama/__fixtures__', name));

/** Feeds `bytes` in random pieces (a seeded PRNG, so a failure replays), returning the scanner. */
function scan(bytes: Buffer, seed: number, keepBytes = 0): NdjsonScanner {
  const scanner = new NdjsonScanner(keepBytes);
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(random() * 40);
    scanner.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  scanner.end();
  return scanner;
}

describe('NdjsonScanner', () => {
  it('counts token lines and finds the final line at any chunk boundary (multi-byte UTF-8 split too)', () => {
    const bytes = fixture('text-utf8.ndjson');
    for (let seed = 1; seed <= 50; seed++) {
      const scanner = scan(bytes, seed, 1 << 20);
      expect(scanner.lines).toBe(4);
      expect(scanner.final).toMatchObject({ done: true, done_reason: 'stop' });
      expect(scanner.error).toBeNull();
      expect(scanner.keptLines()).toEqual(bytes.toString('utf8').trimEnd().split('\n'));
    }
  });

  it('does not mistake a nested "done":true in tool arguments for the final line', () => {
    const line = `${JSON.stringify({ message: { content: '', tool_calls: [{ function: { name: 'f', arguments: { done: true, error: 'x' } } }] }, done: false })}\n`;
    const scanner = scan(Buffer.from(line + line), 7);
    expect(scanner.lines).toBe(2);
    expect(scanner.final).toBeNull();
    expect(scanner.error).toBeNull();
  });

  it('does not mistake quoted text for keys', () => {
    const line = `${JSON.stringify({ message: { content: '"done":true and "error"' }, done: false })}\n`;
    const scanner = scan(Buffer.from(line), 3);
    expect(scanner.lines).toBe(1);
    expect(scanner.final).toBeNull();
  });

  it('finds a mid-stream error line and keeps the token count before it', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const scanner = scan(fixture('error-midstream.ndjson'), seed);
      expect(scanner.error).toBe(
        'an error was encountered while running the model: simulated error-midstream',
      );
      expect(scanner.lines).toBe(2);
      expect(scanner.final).toBeNull();
    }
  });

  it('reads a last line without a newline, and a spaced final line', () => {
    const scanner = scan(Buffer.from('{"done":false}\n{"done": true, "eval_count": 2}'), 5);
    expect(scanner.final).toEqual({ done: true, eval_count: 2 });
    expect(scanner.lines).toBe(1);
    expect(scanner.endsWithNewline).toBe(false);
  });

  it('ignores blank lines; keeps lines from the start up to the limit, and the final line', () => {
    const scanner = new NdjsonScanner(20);
    expect(scanner.push(Buffer.from('\n  \n{"done":false,"x":1}\n{"done":false}\n{"done":false}\n'))).toBe(3);
    scanner.push(Buffer.from('{"done":true}\n'));
    expect(scanner.lines).toBe(3);
    expect(scanner.keptLines()).toEqual(['{"done":false,"x":1}', '{"done":true}']);
    const none = new NdjsonScanner();
    none.push(Buffer.from('{"done":false}\n{"done":true}\n'));
    expect(none.keptLines()).toEqual([]);
  });
});
