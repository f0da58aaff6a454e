import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { beforeAll, expect, test } from "vitest";
import { departmentIdFor } from "~/models/departments.server";
import { createUser, findUserByEmail } from "~/models/users.server";
import { rowCounts } from "~/utils/db-catalogue.server";
import { openDatabase } from "~/utils/db.server";
import { verifyPassword } from "~/utils/password.server";
import { postgresProgram } from "~/utils/postgres-driver.server";
import { freshDatabase, migratedDatabase, one, onPostgres, pointAt } from "./helpers/db";

function staffroom(args: string[], input?: string) {
  const result = spawnSync(process.execPath, ["bin/staffroom.js", ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, COURSES_DIR: "test/fixtures/courses-integration" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  await migratedDatabase();
  await createUser({
    email: "una@example.com",
    name: "Una Useful",
    departmentId: await departmentIdFor("Shop"),
  });
});

test("courses check names the file, line and column of every problem and exits 1", () => {
  const { code, stderr } = staffroom(["courses", "check", "test/fixtures/courses-broken"]);
  expect(code).toBe(1);
  const base = "test/fixtures/courses-broken/shop";
  expect(stderr).toMatch(new RegExp(`${base}/01-bad-jsx\\.mdx:9:1 .*closing tag`));
  expect(stderr).toMatch(new RegExp(`${base}/02-bad-yaml\\.mdx:4:1 .*YAML`));
  expect(stderr).toMatch(new RegExp(`${base}/03-import\\.mdx:7:1 .*import`));
  expect(stderr).toMatch(
    new RegExp(`${base}/04-unknown-key\\.mdx:5:1 .*unknown frontmatter key \`author\``),
  );
  expect(stderr).toContain("4 errors found.");
});

test("courses check passes on a good folder", () => {
  const { code, stdout } = staffroom(["courses", "check", "test/fixtures/courses-integration"]);
  expect(code).toBe(0);
  expect(stdout).toContain("2 courses, 3 lessons OK");
});

test("users set-password reads the password from standard input", async () => {
  const refused = staffroom(["users", "set-password", "una@example.com"], "short\n");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("at least 8 characters");

  const unknown = staffroom(
    ["users", "set-password", "nobody@example.com"],
    "a fine long password\n",
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("No person with the email nobody@example.com");

  const ok = staffroom(["users", "set-password", "UNA@example.com"], "a fine long password\n");
  expect(ok.code).toBe(0);
  const una = await findUserByEmail("una@example.com");
  expect(await verifyPassword(una!.password_hash!, "a fine long password")).toBe(true);
});

test("report not-finished --format json lists every unfinished course per person", async () => {
  const sync = staffroom(["courses", "sync"]);
  expect(sync.code).toBe(0);
  // The sync itself assigns the new courses (the default rule: everyone, every published course).
  const assigned = await one(
    sql`select count(*) n from assignments a join users u on u.id = a.user_id
      where u.email = ${"una@example.com"}`,
  );
  expect(assigned).toEqual({ n: 2 });
  const { code, stdout } = staffroom([
    "report",
    "not-finished",
    "--format",
    "json",
    "--course",
    "basics",
  ]);
  expect(code).toBe(0);
  const rows = JSON.parse(stdout) as Record<string, unknown>[];
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    email: "una@example.com",
    name: "Una Useful",
    department: "Shop",
    course: "basics",
    status: "not_started",
  });
});

test("bad flags and unknown commands exit 1 with a message", () => {
  const badFormat = staffroom(["report", "not-finished", "--format", "xml"]);
  expect(badFormat.code).toBe(1);
  expect(badFormat.stderr).toContain("--format must be one of table, csv, json");
  const unknown = staffroom(["frobnicate"]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('Unknown command "frobnicate"');
});

test("backup writes a consistent copy with the same rows, and never overwrites", async (ctx) => {
  ctx.skip(onPostgres, "SQLite's VACUUM INTO backup; PostgreSQL's pg_dump backup is the next test");
  const Database = (await import("better-sqlite3")).default;
  const target = path.join(path.dirname(process.env.DATABASE_PATH!), "backup-copy.db");
  const first = staffroom(["backup", target]);
  expect(first.code).toBe(0);
  const copy = new Database(target, { readonly: true });
  const live = new Database(process.env.DATABASE_PATH!, { readonly: true });
  for (const table of ["users", "courses", "lessons", "lesson_versions", "progress_events"]) {
    const count = (db: InstanceType<typeof Database>) =>
      (db.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
    expect(count(copy)).toBe(count(live));
    // The command prints the copy's row counts after its integrity check.
    if (count(copy) > 0) {
      expect(first.stdout).toMatch(
        new RegExp(`\\n  ${table} +${count(copy).toLocaleString("en")}\\n`),
      );
    }
  }
  expect(first.stdout).toContain("Integrity check: ok.");
  expect(fs.readdirSync(path.dirname(target)).filter((f) => f.includes(".partial-"))).toEqual([]);
  expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
  copy.close();
  live.close();
  const again = staffroom(["backup", target]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("already exists");
  expect(fs.existsSync(target)).toBe(true);
});

test("backup on PostgreSQL: a pg_dump archive that restores into a new database with the same rows", async (ctx) => {
  ctx.skip(!onPostgres, "PostgreSQL's pg_dump backup; SQLite's is the test before");
  const live = process.env.DATABASE_URL!;
  const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-dump-")), "copy.dump");
  const first = staffroom(["backup", target]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  expect(first.stdout).toContain("pg_restore --list reads the data of every table");
  expect(fs.readdirSync(path.dirname(target)).filter((f) => f.includes(".partial-"))).toEqual([]);

  const restored = await freshDatabase("restore");
  pointAt(live);
  execFileSync(postgresProgram("pg_restore"), ["--no-owner", `--dbname=${restored}`, target]);
  const [copy, original] = [openDatabase(restored), openDatabase(live)];
  try {
    const counts = await rowCounts(original);
    expect(counts.users).toBeGreaterThan(0);
    expect(await rowCounts(copy)).toEqual(counts);
    expect(first.stdout).toMatch(new RegExp(`\\n  users +${counts.users}\\n`));
  } finally {
    await Promise.all([copy.db.destroy(), original.db.destroy()]);
  }
  const again = staffroom(["backup", target]);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain("already exists");
});
