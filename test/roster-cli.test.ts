import { sql } from "kysely";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, test } from "vitest";
import { BAD_FILES } from "./fixtures/roster/bad-files";
import { csvOf, databaseDump, seedRosterBase } from "./fixtures/roster/roster-csv";
import { all, migratedDatabase, one } from "./helpers/db";

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-roster-cli-"));

/** Runs `staffroom users …` against this test file's database; never throws. */
async function staffroom(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/staffroom.js", "users", ...args], {
      env: { ...process.env, DATABASE_PATH: process.env.DATABASE_PATH!, NODE_ENV: "production" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, content: Buffer | string) {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
}

beforeAll(async () => {
  await migratedDatabase();
  await seedRosterBase();
});

describe("staffroom users import: a bad file exits 1, names the lines, and changes nothing", () => {
  // Concurrently: each run starts a process; none of them may change the database.
  test.concurrent.for(BAD_FILES)("$name", async (c, { expect }) => {
    const before = await databaseDump();
    const result = await staffroom("import", file(`${c.name}.csv`, c.file()));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nothing was imported\.\n$/);
    for (const where of c.expect) {
      const [line, column] = where.split(":");
      if (line !== "-") expect(result.stderr).toContain(`Line ${line}`);
      if (column !== "-") expect(result.stderr).toContain(`(${column})`);
    }
    expect(result.stderr).toMatch(c.message);
    expect(await databaseDump()).toEqual(before);
  });
});

describe("staffroom users", () => {
  /** A roster with Kim Kaur at `email`, new to Staffroom (each test uses its own), and Ada. */
  const roster = (email: string) =>
    file(
      `${email}.csv`,
      csvOf([
        `${email},Kim Kaur,Sales,Advisor,mo@x.example,,2025-01-06`,
        "ada@x.example,Ada Admin,Office,,,admin,",
      ]),
    );

  test("import --dry-run shows the plan and changes nothing", async () => {
    const before = await databaseDump();
    const result = await staffroom("import", roster("kim.dry@x.example"), "--dry-run");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("create  line 2  kim.dry@x.example  Kim Kaur");
    expect(result.stdout).toContain("absent  mo@x.example  Mo Manager");
    expect(result.stdout).toContain(
      "Dry run of kim.dry@x.example.csv: 1 person to create, 0 to update, 1 unchanged.",
    );
    expect(await databaseDump()).toEqual(before);
  });

  test("import applies, and applying it again changes nothing", async () => {
    const staff = roster("kim.import@x.example");
    const first = await staffroom("import", staff);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain(
      "Imported kim.import@x.example.csv: 1 created, 0 updated, 1 unchanged.",
    );
    const before = await databaseDump();
    const second = await staffroom("import", staff);
    expect(second.stdout).toContain(
      "Imported kim.import@x.example.csv: 0 created, 0 updated, 2 unchanged.",
    );
    expect(await databaseDump()).toEqual(before);
  });

  test("list --format json, invite and deactivate", async () => {
    const kim = "kim.list@x.example";
    expect(await staffroom("import", roster(kim))).toMatchObject({ code: 0, stderr: "" });
    const list = await staffroom("list", "--format", "json");
    expect(list.code).toBe(0);
    const people = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(people.find((p) => p.email === kim)).toEqual({
      email: kim,
      name: "Kim Kaur",
      department: "Sales",
      title: "Advisor",
      manager_email: "mo@x.example",
      roles: "",
      hired_on: "2025-01-06",
      status: "active",
      password_set: false,
    });
    const table = await staffroom("list");
    expect(table.stdout).toMatch(
      /^email\s+name\s+department\s+manager_email\s+roles\s+status\s+password$/m,
    );
    expect(table.stdout).toMatch(
      /^kim\.list@x\.example\s+Kim Kaur\s+Sales\s+mo@x\.example\s+active\s+invited$/m,
    );

    const invite = await staffroom("invite", "KIM.LIST@x.example");
    expect(invite.code).toBe(0);
    expect(invite.stdout).toMatch(
      /Invitation for KIM\.LIST@x\.example, valid once until .*put in the outbox/,
    );
    expect(invite.stdout).toMatch(/\/set-password\/[\w-]{43}\n$/);
    expect(await all(sql`select recipient from outbox where recipient = ${kim}`)).toEqual([
      { recipient: kim },
    ]);

    const deactivated = await staffroom("deactivate", kim);
    expect(deactivated.code).toBe(0);
    expect(deactivated.stdout).toContain(`Deactivated Kim Kaur <${kim}>`);
    expect(await one(sql`select status from users where email = ${kim}`)).toEqual({
      status: "deactivated",
    });
    const actions = await all(sql`select actor, action from audit_log where subject = ${kim}`);
    expect(actions).toEqual([
      { actor: `command line (${os.userInfo().username})`, action: "person.created" },
      { actor: `command line (${os.userInfo().username})`, action: "link.issued" },
      { actor: `command line (${os.userInfo().username})`, action: "person.deactivated" },
    ]);
  });

  test("bad input exits 1 with a clear message", async () => {
    const [unknown, deactivated, missing, format, command] = await Promise.all([
      staffroom("deactivate", "nobody@x.example"),
      staffroom("invite", "dee@x.example"),
      staffroom("import", path.join(dir, "missing.csv")),
      staffroom("list", "--format", "xml"),
      staffroom("frobnicate"),
    ]);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: "Nothing changed: No person with the email nobody@x.example.\n",
    });
    expect(deactivated).toMatchObject({
      code: 1,
      stderr: "Nothing changed: Dee Left is deactivated; reactivate them first.\n",
    });
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Cannot read/) });
    expect(format).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--format table\|json/),
    });
    expect(command).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Usage: staffroom users import/),
    });
  });
});
