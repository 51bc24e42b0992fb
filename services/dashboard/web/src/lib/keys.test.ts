import { describe, expect, it } from 'vitest';
import { keyStatus, limitsText } from './keys.js';

describe('keys', () => {
  const now = new Date('2026-03-05T12:00:00Z');
  it('derives the status', () => {
    expect(keyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(keyStatus({ revokedAt: null, expiresAt: '2026-03-06T00:00:00Z' }, now)).toBe('active');
    expect(keyStatus({ revokedAt: null, expiresAt: '2026-03-05T11:59:59Z' }, now)).toBe('expired');
    expect(keyStatus({ revokedAt: '2026-03-01T00:00:00Z', expiresAt: '2026-03-01T00:00:00Z' }, now)).toBe(
      'revoked',
    );
  });

  it('summarizes limits', () => {
    expect(limitsText({ rpmLimit: 60, tpmLimit: null, maxConcurrency: 4 })).toBe('60 rpm · 4 parallel');
    expect(limitsText({ rpmLimit: null, tpmLimit: null, maxConcurrency: null })).toBe('No limits');
  });
});
