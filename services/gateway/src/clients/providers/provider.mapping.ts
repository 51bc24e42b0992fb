import type { FinishReason, UpstreamTimings } from '../../canonical/chat.types.js';

/** A cloud provider reports no GPU durations: none are recorded (so no energy is charged for its requests). */
export const NO_TIMINGS: UpstreamTimings = {
  loadDurationNs: null,
  promptEvalDurationNs: null,
  evalDurationNs: null,
  totalDurationNs: null,
};

/** The media type of a raw base64 image, from its first bytes (canonical images carry no type). */
export function imageMediaType(base64: string): 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' {
  if (base64.startsWith('iVBOR')) return 'image/png';
  if (base64.startsWith('R0lGOD')) return 'image/gif';
  if (base64.startsWith('UklGR')) return 'image/webp';
  return 'image/jpeg';
}

/** ISO time of a unix-seconds timestamp (OpenAI's `created`), or now. */
export function isoFromUnix(seconds: unknown): string {
  return typeof seconds === 'number' && Number.isFinite(seconds)
    ? new Date(seconds * 1000).toISOString()
    : new Date().toISOString();
}

/** A tool call's arguments as a JSON object text (`{}` for empty or unparseable arguments from a provider). */
export function argumentsText(raw: string): string {
  if (raw.trim() === '') return '{}';
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? raw
      : JSON.stringify({ value });
  } catch {
    return JSON.stringify({ raw });
  }
}

/** A finish reason that fits the canonical three; tool calls win as they do for local models. */
export function canonicalFinish(
  reason: 'stop' | 'length' | 'tool_calls',
  sawToolCall: boolean,
): FinishReason {
  if (sawToolCall) return 'tool_calls';
  return reason;
}
