import { describe, expect, it } from 'vitest';
import { type HostView, selectHost } from './host-selector.js';

type Host = HostView & { name: string };

const host = (name: string, fields: Partial<HostView> & { has?: string[]; load?: string[] } = {}): Host => ({
  name,
  alive: true,
  admits: true,
  models: fields.has ? new Set(fields.has) : null,
  missing: new Set(),
  loaded: new Set(fields.load ?? []),
  busy: 0,
  maxConcurrent: 4,
  weight: 1,
  ...fields,
});

const pick = (hosts: Host[], model: string, turn = 0, exclude?: Set<Host>) => {
  const choice = selectHost(hosts, model, turn, exclude);
  return choice.kind === 'host' ? choice.host.name : choice.kind;
};

const M = 'llama3.2:latest';

describe('host selector', () => {
  it('never picks a host that lacks the model; none has it → not_available', () => {
    const hosts = [host('a', { has: ['qwen3:0.6b'] }), host('b', { has: [M] })];
    expect(pick(hosts, M)).toBe('b');
    expect(pick(hosts, M, 1)).toBe('b');
    expect(pick(hosts, 'mistral:latest')).toBe('not_available');
  });

  it('prefers the host where the model is loaded, over an idler one', () => {
    const hosts = [host('a', { has: [M] }), host('b', { has: [M], load: [M], busy: 3 })];
    expect(pick(hosts, M)).toBe('b');
  });

  it('a loaded host with no free slot competes on load like the others', () => {
    const hosts = [host('a', { has: [M], busy: 1 }), host('b', { has: [M], load: [M], busy: 4 })];
    expect(pick(hosts, M)).toBe('a');
  });

  it('then the least busy relative to maxConcurrent; ties to the heavier weight, then taking turns', () => {
    const relative = [
      host('a', { has: [M], busy: 2, maxConcurrent: 4 }),
      host('b', { has: [M], busy: 3, maxConcurrent: 8 }),
    ];
    expect(pick(relative, M)).toBe('b'); // 3/8 < 2/4
    const weighted = [host('a', { has: [M] }), host('b', { has: [M], weight: 2 })];
    expect([0, 1, 2, 3].map((turn) => pick(weighted, M, turn))).toEqual(['b', 'b', 'b', 'b']);
    const equal = [host('a', { has: [M] }), host('b', { has: [M] }), host('c', { has: [M] })];
    expect([0, 1, 2, 3].map((turn) => pick(equal, M, turn))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('skips hosts that are down or whose circuit is open; all of them → no_healthy', () => {
    const hosts = [
      host('a', { has: [M], load: [M], alive: false }),
      host('b', { has: [M], admits: false }),
      host('c', { has: [M] }),
    ];
    expect(pick(hosts, M)).toBe('c');
    expect(pick(hosts.slice(0, 2), M)).toBe('no_healthy');
  });

  it('before tag lists are known, tries hosts in config order; known hosts that have the model come first', () => {
    const unknown = [host('a', { busy: 3 }), host('b'), host('c')];
    expect([0, 1, 2].map((turn) => pick(unknown, M, turn))).toEqual(['a', 'a', 'a']);
    expect(pick(unknown, M, 0, new Set([unknown[0]!]))).toBe('b');
    expect(pick([host('a'), host('b', { has: [M] })], M)).toBe('b');
    expect(pick([host('a', { missing: new Set([M]) }), host('b')], M)).toBe('b');
  });

  it('excluded hosts (already failed for this request) are not picked again; all tried → exhausted', () => {
    const hosts = [host('a', { has: [M] }), host('b', { has: [M] })];
    expect(pick(hosts, M, 0, new Set([hosts[0]!]))).toBe('b');
    expect(pick(hosts, M, 0, new Set(hosts))).toBe('exhausted');
  });

  it('a request without a model may go to any healthy host', () => {
    expect(pick([host('a', { has: [], alive: false }), host('b', { has: [] })], '')).toBe('b');
  });
});
