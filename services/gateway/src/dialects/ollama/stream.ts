import type { NativeChunk } from './types.js';

const NEWLINE = 0x0a;
const DONE_TRUE = '"done":true';
const ERROR_KEY = '"error"';

/**
 * Watches an NDJSON byte stream that is relayed unchanged, without re-serialising anything: it finds line ends,
 * counts lines, and parses only the lines that can matter, the final `done:true` line and an `{"error":…}` line.
 * Inside a JSON string quotes are escaped, so `"done":true` and `"error"` appear unescaped only as real keys
 * (possibly nested, e.g. in tool arguments: hence the parse and the top-level check).
 */
export class NdjsonScanner {
  /** Complete non-empty lines seen, the final and error lines excluded. */
  lines = 0;
  final: NativeChunk | null = null;
  error: string | null = null;
  /** Whether the bytes seen so far end at a line boundary. */
  endsWithNewline = true;
  private partial: Buffer[] = [];
  private kept: string[] = [];
  private keptBytes = 0;
  private keepFull = false;
  private last: Buffer | null = null;

  /** `keepBytes`: keep up to this many bytes of complete lines (for the request log); 0 keeps none. */
  constructor(private readonly keepBytes = 0) {}

  /** Feeds the next chunk; returns how many new complete lines it finished. */
  push(chunk: Uint8Array): number {
    if (chunk.length === 0) return 0;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    let finished = 0;
    let newline = bytes.indexOf(NEWLINE, start);
    while (newline !== -1) {
      const piece = bytes.subarray(start, newline);
      const line = this.partial.length > 0 ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      if (this.inspect(line)) finished++;
      start = newline + 1;
      newline = bytes.indexOf(NEWLINE, start);
    }
    if (start < bytes.length) this.partial.push(Buffer.from(bytes.subarray(start)));
    this.endsWithNewline = bytes[bytes.length - 1] === NEWLINE;
    return finished;
  }

  /** At the end of the stream: inspects a last line that had no newline. */
  end(): void {
    if (this.partial.length > 0) {
      const line = Buffer.concat(this.partial);
      this.partial = [];
      this.inspect(line);
    }
    // A server that spaces its JSON (`"done": true`) escapes the cheap check: look at the last line once more.
    if (!this.final && this.error === null && this.last) {
      const parsed = parseObject(this.last);
      if (parsed && typeof parsed.error === 'string') this.error = parsed.error;
      else if (parsed?.done === true) this.final = parsed;
      if (this.final || this.error !== null) this.lines--;
    }
  }

  /** The complete lines kept for the request log (up to `keepBytes`). */
  keptLines(): string[] {
    return this.kept;
  }

  /** Keeps the lines from the start up to `keepBytes` (a log shows a clipped answer, not one with holes). */
  private keep(line: Buffer): void {
    if (this.keepFull) return;
    if (this.keptBytes + line.length > this.keepBytes) {
      this.keepFull = true;
      return;
    }
    this.kept.push(line.toString('utf8'));
    this.keptBytes += line.length;
  }

  private inspect(line: Buffer): boolean {
    if (isBlank(line)) return false;
    if (line.includes(DONE_TRUE) || line.includes(ERROR_KEY)) {
      const parsed = parseObject(line);
      if (parsed && (typeof parsed.error === 'string' || parsed.done === true)) {
        if (this.keepBytes > 0) this.kept.push(line.toString('utf8')); // the last line is always kept
        if (typeof parsed.error === 'string') this.error = parsed.error;
        else this.final = parsed;
        return true;
      }
    }
    this.keep(line);
    this.lines++;
    this.last = line;
    return true;
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function parseObject(line: Buffer): NativeChunk | null {
  try {
    const value = JSON.parse(line.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as NativeChunk)
      : null;
  } catch {
    return null;
  }
}
