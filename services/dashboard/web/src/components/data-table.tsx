import type { KeyboardEvent, ReactNode } from 'react';
import type { CellValue } from '../lib/csv.js';
import { testIds } from '../test-ids.js';
import { ExportButtons } from './export-buttons.js';
import { Skeleton } from './status.js';

export interface Column<T> {
  key: string;
  header: string;
  /** The exported (and default displayed) value. */
  value: (row: T) => CellValue;
  /** What the cell shows, when it differs from `value` (formatted money, bars, buttons). */
  render?: (row: T) => ReactNode;
  numeric?: boolean;
  /** Not exported (action buttons). */
  noExport?: boolean;
}

/**
 * A table that scrolls sideways on narrow screens, with CSV/JSON export of its rows. With `onOpen`, rows are
 * focusable and open on click, Enter or Space.
 */
export function DataTable<T>({
  name,
  title,
  caption,
  columns,
  rows,
  rowKey,
  onOpen,
  rowTestId,
  empty,
  loading = false,
  actions,
}: {
  name: string;
  title: string;
  caption?: ReactNode;
  columns: readonly Column<T>[];
  rows: readonly T[] | undefined;
  rowKey: (row: T) => string;
  onOpen?: (row: T) => void;
  rowTestId?: (row: T) => string;
  empty?: ReactNode;
  loading?: boolean;
  actions?: ReactNode;
}) {
  const exported = columns.filter((column) => !column.noExport);
  const exportData = () => ({
    keys: exported.map((column) => column.key),
    headers: exported.map((column) => column.header),
    rows: (rows ?? []).map((row) => exported.map((column) => column.value(row))),
  });

  const onKeyDown = (row: T) => (event: KeyboardEvent<HTMLTableRowElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen?.(row);
    }
  };

  return (
    <section className="table-card" aria-label={title}>
      <div className="table-toolbar">
        <h2 className="table-title">{title}</h2>
        <div className="table-actions">
          {actions}
          {rows && rows.length > 0 ? <ExportButtons name={name} title={title} data={exportData} /> : null}
        </div>
      </div>
      {rows === undefined && loading ? <Skeleton lines={4} label={`Loading ${title}`} /> : null}
      {rows && rows.length === 0 ? empty : null}
      {rows && rows.length > 0 ? (
        <div className="table-scroll">
          <table data-testid={testIds.table(name)} aria-busy={loading}>
            {caption ? <caption>{caption}</caption> : null}
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.key} scope="col" className={column.numeric ? 'num' : undefined}>
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr
                  key={rowKey(row)}
                  data-testid={rowTestId ? rowTestId(row) : testIds.row(name, rowKey(row))}
                  className={onOpen ? 'clickable' : undefined}
                  {...(onOpen ? { tabIndex: 0, onClick: () => onOpen(row), onKeyDown: onKeyDown(row) } : {})}
                >
                  {columns.map((column) => (
                    <td key={column.key} className={column.numeric ? 'num' : undefined}>
                      {column.render ? column.render(row) : String(column.value(row) ?? '—')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
