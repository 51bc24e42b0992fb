import type { KeySummary } from '@ollama-gateway/contracts';

export type KeyStatus = 'active' | 'revoked' | 'expired';

export function keyStatus(
  key: Pick<KeySummary, 'revokedAt' | 'expiresAt'>,
  now: Date = new Date(),
): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** "60 rpm · 10k tpm · 4 parallel", or "No limits". */
export function limitsText(key: Pick<KeySummary, 'rpmLimit' | 'tpmLimit' | 'maxConcurrency'>): string {
  const parts = [
    key.rpmLimit !== null ? `${key.rpmLimit} rpm` : null,
    key.tpmLimit !== null ? `${key.tpmLimit} tpm` : null,
    key.maxConcurrency !== null ? `${key.maxConcurrency} parallel` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'No limits';
}
