import type { ComponentChildren } from 'preact';

/** One column of a table: its heading, whether it holds numbers (right-aligned), and its cell. */
export interface Column<T> {
  title: string;
  numeric?: boolean;
  cell: (row: T) => ComponentChildren;
}

/** A table of `rows` in a scrolling box, one row per item, with column headings for screen readers. */
export function DataTable<T>({
  testId,
  columns,
  rows,
  rowKey,
  rowClass,
}: {
  testId: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  rowClass?: (row: T) => string;
}) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.title} scope="col" class={c.numeric ? 'num' : undefined}>
              {c.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} class={rowClass?.(row)}>
            {columns.map((c) => (
              <td key={c.title} class={c.numeric ? 'num' : undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
