import { parse } from "csv-parse/sync";
import { expect, test } from "vitest";
import { neutralizeCell, toCsv } from "~/utils/csv.server";

test.each(["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "\rx"])(
  "neutralises a cell starting %j",
  (cell) => {
    expect(neutralizeCell(cell)).toBe(`'${cell}`);
  },
);

test("leaves ordinary cells alone and round-trips commas, quotes and newlines", () => {
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
