// `staffroom db copy`: the demo organisation, seeded into SQLite, moves to an empty PostgreSQL
// database whole: the same rows, the same leadership figures, the same not-finished report.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { onPostgres } from "./helpers/db";
import { createTestDatabase, testPostgresServer } from "./helpers/postgres";

function staffroom(args: string[], database: { DATABASE_PATH?: string; DATABASE_URL?: string }) {
  const env: NodeJS.ProcessEnv = { ...process.env, COURSES_DIR: "courses", ...database };
  if (!database.DATABASE_URL) delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ["bin/staffroom.js", ...args], {
    encoding: "utf8",
    env,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The report's objects, each as its JSON text, sorted: equal reports give equal text. */
const sortedReport = (stdout: string) =>
  (JSON.parse(stdout) as unknown[])
    .map((row) => JSON.stringify(row))
    .sort()
    .join("\n");

describe("db copy from SQLite to PostgreSQL", () => {
  test("the demo organisation: same rows, same figures, same not-finished report byte for byte", async (ctx) => {
    ctx.skip(!onPostgres, "copies into PostgreSQL: runs under npm run test:pg");
    const sqlite = {
      DATABASE_PATH: path.join(
        fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-copy-")),
        "demo.db",
      ),
    };
    const postgres = { DATABASE_URL: await createTestDatabase(testPostgresServer()!, "copy") };

    const demo = staffroom(["demo", "--no-serve"], sqlite);
    expect(demo.stderr).toBe("");
    expect(demo.code).toBe(0);

    const copy = staffroom(["db", "copy", "--to", postgres.DATABASE_URL], sqlite);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/\n {2}users +40\n/);
    expect(copy.stdout).toContain("Leadership figures, identical before and after");

    const report = ["report", "not-finished", "--format", "json"];
    const [fromSqlite, fromPostgres] = [staffroom(report, sqlite), staffroom(report, postgres)];
    expect(fromPostgres.code).toBe(0);
    expect(JSON.parse(fromSqlite.stdout).length).toBeGreaterThan(100);
    expect(sortedReport(fromPostgres.stdout)).toBe(sortedReport(fromSqlite.stdout));

    // A second copy into the now full database is refused and changes nothing.
    const again = staffroom(["db", "copy", "--to", postgres.DATABASE_URL], sqlite);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/The target database is not empty \(.*users: 40 rows/);
    expect(sortedReport(staffroom(report, postgres).stdout)).toBe(sortedReport(fromSqlite.stdout));
  });
});
