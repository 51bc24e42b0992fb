import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@ollama-gateway/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseGatewayConfig } from './config.loader.js';
import { createConfigStore } from './config.store.js';

const dir = mkdtempSync(join(tmpdir(), 'ogw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const GOOD = `
hosts:
  - url: http://gpu1:11434
    weight: 2
    gpuWatts: 450
    maxConcurrent: 2
    labels: [big]
  - url: http://gpu2:11434
aliases:
  default: llama3.1:8b
  coding: qwen2.5-coder:14b
modelOptions:
  "*": { keepAlive: 30m }
  llama3.1:8b: { numCtx: 8192 }
queue: { maxWaitMs: 5000 }
`;

describe('config loader', () => {
  it('reads a good file, filling in every default', () => {
    const config = loadGatewayConfig({ file: file('good.yaml', GOOD), envHosts: ['http://ignored:1'] });
    expect(config.hosts).toEqual([
      { url: 'http://gpu1:11434', weight: 2, gpuWatts: 450, maxConcurrent: 2, labels: ['big'] },
      { url: 'http://gpu2:11434', weight: 1, maxConcurrent: 4, labels: [] },
    ]);
    expect(config.aliases).toEqual({ default: 'llama3.1:8b', coding: 'qwen2.5-coder:14b' });
    expect(config.modelOptions['llama3.1:8b']).toEqual({ numCtx: 8192 });
    expect(config.queue).toEqual({ maxWaitMs: 5000, maxQueued: 256, retryAfterSeconds: 5 });
    expect(config.health).toEqual({ intervalMs: 5000, timeoutMs: 2000 });
    expect(config.breaker).toEqual({ failureThreshold: 3, cooldownMs: 15_000 });
    expect(config.fallback).toBeDefined();
    expect(config.cache).toBeDefined();
  });

  it('uses OLLAMA_URLS (or OLLAMA_URL) when the file lists no hosts, or when there is no file', () => {
    const noHosts = file('no-hosts.yaml', 'aliases: { fast: qwen3:0.6b }\n');
    const config = loadGatewayConfig({
      file: noHosts,
      envHosts: ['http://a:1', 'http://b:2'],
      envMaxConcurrent: 8,
    });
    expect(config.hosts.map((host) => [host.url, host.maxConcurrent])).toEqual([
      ['http://a:1', 8],
      ['http://b:2', 8],
    ]);
    expect(config.aliases).toEqual({ fast: 'qwen3:0.6b' });
    const none = loadGatewayConfig({ file: undefined, envHosts: ['http://127.0.0.1:11434'] });
    expect(none.hosts).toEqual([{ url: 'http://127.0.0.1:11434', weight: 1, maxConcurrent: 4, labels: [] }]);
    expect(loadGatewayConfig({ file: file('empty.yaml', ''), envHosts: ['http://c:3'] }).hosts).toHaveLength(
      1,
    );
  });

  it('names the file and each bad field', () => {
    const bad = file(
      'bad.yaml',
      'hosts:\n  - url: ftp://x\n  - url: http://ok:1\n    maxConcurrent: 0\nqueue: { maxWait: 3 }\naliases: { a: b, b: c }\n',
    );
    let error: unknown;
    try {
      loadGatewayConfig({ file: bad, envHosts: [] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(bad);
    expect(message).toMatch(/hosts\[0\]\.url: must be an http\(s\) URL/);
    expect(message).toMatch(/hosts\[1\]\.maxConcurrent:/);
    expect(message).toMatch(/queue: Unrecognized key.*maxWait/);
    expect(message).toMatch(/aliases\.a: "b" is itself an alias/);
  });

  it('reports YAML syntax errors with their place, a missing file, duplicate hosts and bad env URLs', () => {
    expect(() => parseGatewayConfig('hosts: [\n  url: x', 'x.yaml')).toThrow(
      /Invalid gateway config file x\.yaml: .*line/s,
    );
    expect(() => loadGatewayConfig({ file: join(dir, 'missing.yaml'), envHosts: [] })).toThrow(
      /Cannot read the gateway config file .*missing\.yaml/,
    );
    expect(() =>
      parseGatewayConfig('hosts: [{ url: "http://a:1" }, { url: "http://a:1/" }]', 'dup.yaml'),
    ).toThrow(/hosts: each host URL may appear only once/);
    expect(() => loadGatewayConfig({ file: undefined, envHosts: ['nope'] })).toThrow(/OLLAMA_URLS/);
  });
});

describe('config store', () => {
  it('reloads a good file and tells listeners; keeps the old config when the new one is invalid', () => {
    const path = file('store.yaml', 'hosts: [{ url: "http://one:1" }]\n');
    const load = () => loadGatewayConfig({ file: path, envHosts: [] });
    const errors: string[] = [];
    const store = createConfigStore({
      load,
      logger: { info: () => {}, error: (_fields: unknown, message: string) => errors.push(message) } as never,
    });
    const seen: string[][] = [];
    store.onChange((next, previous) => seen.push([previous.hosts[0]!.url, next.hosts[0]!.url]));
    const first = store.current();

    writeFileSync(path, 'hosts: [{ url: "http://two:2" }]\n');
    expect(store.reload()).toMatchObject({ ok: true });
    expect(store.current().hosts[0]!.url).toBe('http://two:2');
    expect(seen).toEqual([['http://one:1', 'http://two:2']]);
    expect(first.hosts[0]!.url).toBe('http://one:1'); // the old object is untouched (in-flight readers)

    writeFileSync(path, 'hosts: [{ url: "not a url" }]\n');
    const refused = store.reload();
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.error).toMatch(/hosts\[0\]\.url/);
    expect(store.current().hosts[0]!.url).toBe('http://two:2');
    expect(seen).toHaveLength(1);
    expect(errors[0]).toMatch(/keeping the current config/);
  });

  it('a throwing listener does not stop the others or the swap', () => {
    let version = 1;
    const store = createConfigStore({
      load: () => loadGatewayConfig({ file: undefined, envHosts: [`http://h${version}:1`] }),
      logger: { info: () => {}, error: () => {} } as never,
    });
    const calls: string[] = [];
    store.onChange(() => {
      throw new Error('boom');
    });
    const unsubscribe = store.onChange((next) => calls.push(next.hosts[0]!.url));
    version = 2;
    expect(store.reload().ok).toBe(true);
    unsubscribe();
    version = 3;
    store.reload();
    expect(calls).toEqual(['http://h2:1']);
    expect(store.current().hosts[0]!.url).toBe('http://h3:1');
  });
});

describe('config/gateway.example.yaml', () => {
  it('is a valid config file (every section the schemas know, nothing else)', () => {
    const example = join(import.meta.dirname, '../../../../config/gateway.example.yaml');
    const config = loadGatewayConfig({ file: example, envHosts: [] });
    expect(config.hosts.map((host) => host.url)).toEqual(['http://127.0.0.1:11434']);
    expect(config.queue.maxWaitMs).toBe(60_000);
  });
});
