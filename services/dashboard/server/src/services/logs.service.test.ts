import { describe, expect, it } from 'vitest';
import { clipPreview, decodeCursor, encodeCursor } from './logs.service.js';

describe('log cursor', () => {
  it('round-trips the exact timestamp and id', () => {
    const cursor = encodeCursor({ occurred_at_exact: '2026-03-15T10:00:00.000001Z', id: '42' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ occurredAt: '2026-03-15T10:00:00.000001Z', id: '42' });
  });

  it('refuses anything else with a 400 naming cursor', () => {
    for (const bad of [
      'garbage',
      Buffer.from('["2026-03-15", "1"]').toString('base64url'),
      Buffer.from('["2026-03-15T10:00:00.000001Z", 1]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
    ])
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ status: 400, param: 'cursor' }));
  });
});

describe('clipPreview', () => {
  it('keeps at most 160 characters, with an ellipsis when cut', () => {
    expect(clipPreview('short')).toBe('short');
    expect(clipPreview('a'.repeat(160))).toBe('a'.repeat(160));
    expect(clipPreview('a'.repeat(161))).toBe(`${'a'.repeat(159)}…`);
    // Code points, not UTF-16 units: an emoji is one character.
    expect(Array.from(clipPreview('😀'.repeat(200)))).toHaveLength(160);
  });
});
