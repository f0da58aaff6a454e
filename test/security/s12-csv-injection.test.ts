import { parse } from "csv-parse/sync";
import { expect, test } from "vitest";
import { neutralizeCell, toCsv } from "~/utils/csv.server";

// S12. The downloads themselves are checked end to end in test/integration/reports.test.ts
// ("the full matrix: every active person × course, cells neutralised").

test.each(["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "\rx"])(
  "S12 a CSV cell starting %j is neutralised",
  (cell) => {
    expect(neutralizeCell(cell)).toBe(`'${cell}`);
  },
);

test("S12 ordinary cells are left alone and commas, quotes and newlines round-trip", () => {
  const rows = [{ name: 'Ann "Nan" O, Neil', note: "line 1\nline 2" }];
  const csv = toCsv(rows, [
    { header: "name", value: (r) => r.name },
    { header: "note", value: (r) => r.note },
  ]);
  expect(parse(csv)).toEqual([
    ["name", "note"],
    ['Ann "Nan" O, Neil', "line 1\nline 2"],
  ]);
});
