import type { ReactNode } from "react";

/** A data table in a labelled, scrollable region that keyboard users can reach. */
export function DataTable({
  label,
  testId,
  columns,
  children,
}: {
  label: string;
  testId?: string;
  /** Column headers; `false` leaves a column out. */
  columns: (string | false)[];
  /** The body's rows. */
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((column) =>
              column === false ? null : (
                <th scope="col" key={column}>
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
