/** CSV (RFC 4180) and JSON export of what a table shows. Pure; the download itself lives in download.ts. */

export type CellValue = string | number | boolean | null | undefined;

/** Spreadsheet apps run cells starting with these as formulas; prompts and names are user-controlled. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CellValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(headers: readonly string[], rows: readonly (readonly CellValue[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Rows as objects keyed by column key, for the JSON export. */
export function toRecords(
  keys: readonly string[],
  rows: readonly (readonly CellValue[])[],
): Record<string, CellValue>[] {
  return rows.map((row) => Object.fromEntries(keys.map((key, i) => [key, row[i] ?? null])));
}

/** "requests-2026-03-05.csv": a file name safe on every OS. */
export function exportFileName(base: string, extension: 'csv' | 'json', now: Date = new Date()): string {
  const safe = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${safe || 'export'}-${now.toISOString().slice(0, 10)}.${extension}`;
}
