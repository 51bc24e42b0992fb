/**
 * Everything gatewayctl prints goes through here. With --json: exactly one JSON object on stdout (the result) or on
 * stderr (`{"error":…}`). Without: human lines, tables aligned.
 */
export interface Output {
  readonly json: boolean;
  /** Prints the result: `data` as JSON, or the lines `human()` returns. */
  result(data: object, human: () => string[]): void;
  /** Prints an error message (stderr). */
  error(message: string): void;
}

export function createOutput(
  json: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): Output {
  return {
    json,
    result(data, human) {
      stdout.write(json ? `${JSON.stringify(data)}\n` : `${human().join('\n')}\n`);
    },
    error(message) {
      stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `Error: ${message}\n`);
    },
  };
}

/** Columns padded to their widest cell, two spaces apart; header first. */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `2025-06-01 14:03 UTC`, or `-` for none. */
export function formatTime(date: Date | null | undefined, none = '-'): string {
  if (!date) return none;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A key's visible prefix with an ellipsis, so nobody mistakes it for the whole key. */
export function showPrefix(prefix: string): string {
  return `${prefix}…`;
}
