import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli.args.js';
import { parseGoDuration } from './clock.util.js';
import { normalizeModelName } from './models.catalog.js';
import { parseJsonBody, parseKeepAlive, parseOptions, parseThink } from './request.validator.js';

describe('request parsing', () => {
  it('parses Go durations and keep_alive', () => {
    expect(parseGoDuration('5m')).toBe(300_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('250ms')).toBe(250);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('10')).toThrow('time: missing unit in duration "10"');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(parseKeepAlive(30)).toBe(30_000);
    expect(parseKeepAlive(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(parseKeepAlive('-1m')).toBe(Number.POSITIVE_INFINITY);
    expect(parseKeepAlive(undefined)).toBeUndefined();
    expect(() => parseKeepAlive(true)).toThrow("Unsupported type: 'bool'");
  });

  it('applies Ollama option types', () => {
    expect(parseOptions({ num_predict: 5, stop: ['a'], temperature: 0.2, seed: 1, unknown: 'x' })).toEqual({
      numPredict: 5,
      stop: ['a'],
    });
    expect(() => parseOptions({ temperature: 'hot' })).toThrow(
      'option "temperature" must be of type float32',
    );
    expect(() => parseOptions({ stop: [1] })).toThrow('option "stop" must be of an array of strings');
  });

  it('reads think and bodies', () => {
    expect(parseThink('low')).toBe('low');
    expect(() => parseThink('extreme')).toThrow(/invalid think value/);
    expect(parseJsonBody('null', 'ChatRequest')).toEqual({});
    expect(() => parseJsonBody('[1]', 'ChatRequest')).toThrow(
      'json: cannot unmarshal array into Go value of type api.ChatRequest',
    );
    expect(() => parseJsonBody(' \n', 'ChatRequest')).toThrow('missing request body');
  });

  it('normalises model names', () => {
    expect(normalizeModelName('llama3.2')).toBe('llama3.2:latest');
    expect(normalizeModelName('Qwen3:0.6B')).toBe('qwen3:0.6b');
    expect(normalizeModelName('library/llama3.2')).toBe('library/llama3.2:latest');
  });
});

describe('CLI arguments', () => {
  it('reads flags over env, with defaults', () => {
    expect(parseCliArgs([], {})).toEqual({ port: 11434 });
    expect(
      parseCliArgs(['--port', '0', '--ttft-ms', '20', '--tokens-per-second', 'Infinity'], {
        OLLAMA_SIM_PORT: '9999',
        OLLAMA_SIM_LOAD_MS: '100',
        OLLAMA_SIM_HOST: '0.0.0.0',
      }),
    ).toEqual({
      port: 0,
      ttftMs: 20,
      tokensPerSecond: Number.POSITIVE_INFINITY,
      loadMs: 100,
      host: '0.0.0.0',
    });
    expect(parseCliArgs(['--help'], {})).toBeNull();
    expect(() => parseCliArgs(['--reply-tokens', 'x'], {})).toThrow(/must be a non-negative number/);
    expect(() => parseCliArgs(['--bogus'], {})).toThrow();
  });
});
