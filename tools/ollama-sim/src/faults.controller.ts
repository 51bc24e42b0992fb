import type { FaultMode, FaultSetting } from './sim.types.js';

export const FAULT_MODES: readonly FaultMode[] = Object.freeze([
  'error-500',
  'error-midstream',
  'hang',
  'drop',
  'slow',
]);

const MARKER_RE = /\[\[sim:(error-500|error-midstream|hang|drop|slow)\]\]/;
const TOKENS_RE = /\[\[sim:tokens=(\d+)\]\]/;

/** The fault named by a `[[sim:<mode>]]` marker in the text, if any. */
export function markerFault(text: string): FaultMode | null {
  if (!text.includes('[[sim:')) return null;
  const match = MARKER_RE.exec(text);
  return match ? (match[1] as FaultMode) : null;
}

/** The reply length asked for by a `[[sim:tokens=N]]` marker, if any. */
export function markerTokens(text: string): number | null {
  if (!text.includes('[[sim:tokens=')) return null;
  const match = TOKENS_RE.exec(text);
  return match ? Number(match[1]) : null;
}

export function isFaultMode(value: unknown): value is FaultMode {
  return typeof value === 'string' && (FAULT_MODES as readonly string[]).includes(value);
}

/** The global fault set through the control API, consumed by inference requests. */
export class FaultController {
  private mode: FaultMode | null = null;
  private remaining: number | null = null;

  set(setting: FaultSetting | null): void {
    if (!setting || setting.mode === null) {
      this.mode = null;
      this.remaining = null;
      return;
    }
    this.mode = setting.mode;
    this.remaining =
      setting.count === undefined || setting.count === null ? null : Math.max(0, setting.count);
    if (this.remaining === 0) this.mode = null;
  }

  current(): { mode: FaultMode | null; remaining: number | null } {
    return { mode: this.mode, remaining: this.remaining };
  }

  /** The fault for the next inference request: a marker wins, then the global setting (which it consumes). */
  take(marker: FaultMode | null): FaultMode | null {
    if (marker) return marker;
    if (!this.mode) return null;
    const mode = this.mode;
    if (this.remaining !== null) {
      this.remaining--;
      if (this.remaining <= 0) {
        this.mode = null;
        this.remaining = null;
      }
    }
    return mode;
  }

  reset(): void {
    this.set(null);
  }
}
