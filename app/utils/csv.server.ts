import { stringify } from "csv-stringify/sync";

// A spreadsheet would run a cell starting with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralizeCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => unknown;
}

export function toCsv<Row>(rows: Row[], columns: CsvColumn<Row>[]): string {
  return stringify([
    columns.map((c) => c.header),
    ...rows.map((row) => columns.map((c) => neutralizeCell(c.value(row)))),
  ]);
}

/** The HTTP answer for a CSV download (never cached: it holds people's data). */
export function csvResponse({
  stream,
  fileName,
}: {
  stream: ReadableStream<Uint8Array>;
  fileName: string;
}) {
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
    },
  });
}
