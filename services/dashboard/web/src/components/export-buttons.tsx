import { type CellValue, exportFileName, toCsv, toRecords } from '../lib/csv.js';
import { downloadText } from '../lib/download.js';
import { testIds } from '../test-ids.js';

export interface ExportData {
  keys: readonly string[];
  headers: readonly string[];
  rows: readonly (readonly CellValue[])[];
}

/** CSV and JSON downloads of exactly what a table shows. */
export function ExportButtons({
  name,
  title,
  data,
}: {
  name: string;
  title: string;
  data: () => ExportData;
}) {
  const exportAs = (kind: 'csv' | 'json') => {
    const { keys, headers, rows } = data();
    const text =
      kind === 'csv' ? toCsv(headers, rows) : `${JSON.stringify(toRecords(keys, rows), null, 2)}\n`;
    downloadText(
      exportFileName(title, kind),
      text,
      kind === 'csv' ? 'text/csv;charset=utf-8' : 'application/json',
    );
  };
  return (
    <div className="export-buttons">
      <button
        type="button"
        className="small"
        onClick={() => exportAs('csv')}
        data-testid={testIds.exportCsv(name)}
        aria-label={`Export ${title} as CSV`}
      >
        CSV
      </button>
      <button
        type="button"
        className="small"
        onClick={() => exportAs('json')}
        data-testid={testIds.exportJson(name)}
        aria-label={`Export ${title} as JSON`}
      >
        JSON
      </button>
    </div>
  );
}
