// A table of rows with headed columns; rows may link to a page. Empty and loading states
// say so in words.
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { ScrollTable } from './ScrollTable';

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Hidden on narrow screens. */
  wide?: boolean;
}

export function DataTable<T>({
  rows,
  columns,
  rowKey,
  rowLink,
  empty = 'Nothing here yet.',
  caption,
}: {
  rows: T[] | undefined;
  columns: Column<T>[];
  rowKey: (row: T) => string | number;
  /** The first column links here. */
  rowLink?: (row: T) => string;
  empty?: string;
  caption?: string;
}) {
  if (!rows) return <p className="muted">Loading…</p>;
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ScrollTable label={caption ?? 'Table'}>
      <table className="data-table">
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.wide ? 'wide' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, index) => (
                <td key={column.header} className={column.wide ? 'wide' : undefined}>
                  {index === 0 && rowLink ? <Link to={rowLink(row)}>{column.cell(row)}</Link> : column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollTable>
  );
}
