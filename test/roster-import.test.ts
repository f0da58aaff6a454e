import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { commandLineActor } from "~/models/audit.server";
import { createUser, findUserByEmail } from "~/models/users.server";
import {
  applyRoster,
  formatProblem,
  previewRoster,
  RosterImportError,
  type RosterProblem,
} from "~/services/roster-import.server";
import { all, migratedDatabase, one } from "./helpers/db";
import { BAD_FILES } from "./fixtures/roster/bad-files";
import { csvOf, databaseDump, manyRows, seedRosterBase } from "./fixtures/roster/roster-csv";

const actor = commandLineActor("test");
const bytes = (text: string) => Buffer.from(text, "utf8");

beforeAll(async () => {
  await migratedDatabase();
  await seedRosterBase();
});

const where = (p: RosterProblem) => `${p.line ?? "-"}:${p.column ?? "-"}`;

describe("a bad roster file is refused whole, naming every line", () => {
  test.each(BAD_FILES)("$name", async ({ file, expect: expected, message }) => {
    const before = await databaseDump();
    const preview = await previewRoster(file(), "bad.csv", actor);
    expect(preview.problems.map(where)).toEqual(expected);
    expect(preview.problems.map(formatProblem).join("\n")).toMatch(message);

    const error = await applyRoster(file(), "bad.csv", actor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RosterImportError);
    expect((error as RosterImportError).problems.map(where)).toEqual(expected);
    expect(await databaseDump()).toEqual(before);
  });
});

describe("a good roster file", () => {
  // BOM, CRLF, a quoted field with a comma and a line break, a manager listed after their
  // reports, a manager already in Staffroom, and mixed-case emails.
  const FILE = Buffer.from(
    "\uFEFF" +
      csvOf([
        'kim@x.example,"Kim, the Second","Sales & Service",Advisor,LEE@x.example,,2024-03-01',
        'lee@x.example,Lee Lead,"Sales & Service","Head of\nSales",mo@x.example,leader,',
        "Ada@X.example,Ada Admin,Office,,,admin,",
      ]),
    "utf8",
  );

  test("previews who is created, updated, unchanged and absent, then applies exactly that", async () => {
    const preview = await previewRoster(FILE, "team.csv", actor);
    expect(preview.problems).toEqual([]);
    expect(preview.creates.map((c) => [c.line, c.email, c.name, c.managerEmail])).toEqual([
      [2, "kim@x.example", "Kim, the Second", "lee@x.example"],
      [3, "lee@x.example", "Lee Lead", "mo@x.example"],
    ]);
    expect(preview.creates[1]).toMatchObject({
      title: "Head of Sales",
      isLeader: true,
      isAdmin: false,
    });
    expect(preview.updates).toEqual([]);
    expect(preview.unchanged).toBe(1);
    expect(preview.absent.map((a) => a.email)).toEqual(["mo@x.example", "pat@x.example"]);

    const result = await applyRoster(FILE, "team.csv", actor, { expectedDigest: preview.digest });
    expect(result).toEqual({
      status: "applied",
      summary: { created: 2, updated: 0, unchanged: 1, deactivated: 0 },
    });
    const kim = await findUserByEmail("kim@x.example");
    const lee = await findUserByEmail("lee@x.example");
    expect(kim).toMatchObject({
      name: "Kim, the Second",
      manager_id: lee!.id,
      hired_on: "2024-03-01",
    });
    expect(lee).toMatchObject({
      manager_id: (await findUserByEmail("mo@x.example"))!.id,
      is_leader: 1,
    });
    // Absent people are kept.
    expect(await findUserByEmail("pat@x.example")).toMatchObject({ status: "active" });
  });

  test("re-importing the same file changes nothing", async () => {
    const before = await databaseDump();
    const preview = await previewRoster(FILE, "team.csv", actor);
    expect([preview.creates.length, preview.updates.length, preview.unchanged]).toEqual([0, 0, 3]);
    const result = await applyRoster(FILE, "team.csv", actor);
    expect(result).toMatchObject({ summary: { created: 0, updated: 0, unchanged: 3 } });
    expect(await databaseDump()).toEqual(before);
  });

  test("a corrected file updates only the changed fields, audited with before and after", async () => {
    const corrected = bytes(
      csvOf([
        'kim@x.example,"Kim, the Second",Warehouse,Advisor,lee@x.example,leader,2024-03-01',
        'lee@x.example,Lee Lead,"Sales & Service","Head of Sales",mo@x.example,leader,',
        "ada@x.example,Ada Admin,Office,,,admin,",
      ]),
    );
    const preview = await previewRoster(corrected, "fix.csv", actor);
    expect(preview.updates.map((u) => [u.email, u.before, u.after])).toEqual([
      [
        "kim@x.example",
        { department: "Sales & Service", isLeader: false },
        { department: "Warehouse", isLeader: true },
      ],
    ]);
    await applyRoster(corrected, "fix.csv", actor);
    const audit = await all(
      sql`select action, subject, before, after from audit_log where subject = 'kim@x.example' order by id`,
    );
    expect(audit).toEqual([
      expect.objectContaining({ action: "person.created" }),
      {
        action: "person.updated",
        subject: "kim@x.example",
        before: JSON.stringify({ department: "Sales & Service" }),
        after: JSON.stringify({ department: "Warehouse" }),
      },
      {
        action: "person.roles_changed",
        subject: "kim@x.example",
        before: JSON.stringify({ isLeader: false }),
        after: JSON.stringify({ isLeader: true }),
      },
    ]);
  });

  test("a changed roster since the preview is shown again, not applied", async () => {
    const file = bytes(
      csvOf(["ada@x.example,Ada Admin,Office,,,admin,", "new@x.example,New,,,,,"]),
    );
    const preview = await previewRoster(file, "new.csv", actor);
    await createUser({ email: "new@x.example", name: "Someone Else", departmentId: null });
    const result = await applyRoster(file, "new.csv", actor, { expectedDigest: preview.digest });
    expect(result.status).toBe("changed");
  });

  test("people missing from the file are deactivated only when asked, and never yourself", async () => {
    const file = bytes(csvOf(["ada@x.example,Ada Admin,Office,,,admin,"]));
    const ada = await findUserByEmail("ada@x.example");
    const asAda = { id: ada!.id, label: "ada@x.example" };
    await expect(
      applyRoster(file, "f.csv", asAda, { deactivate: ["ada@x.example"] }),
    ).rejects.toThrow(RosterImportError);
    const result = await applyRoster(file, "f.csv", asAda, { deactivate: ["PAT@x.example"] });
    expect(result).toMatchObject({ summary: { deactivated: 1 } });
    expect(await findUserByEmail("pat@x.example")).toMatchObject({ status: "deactivated" });
    expect(await findUserByEmail("kim@x.example")).toMatchObject({ status: "active" });
  });

  test("20,000 rows import", async () => {
    const file = bytes(csvOf(["ada@x.example,Ada Admin,Office,,,admin,", ...manyRows(19_999)]));
    const preview = await previewRoster(file, "big.csv", actor);
    expect(preview.problems).toEqual([]);
    expect(preview.creates).toHaveLength(19_999);
    await applyRoster(file, "big.csv", actor);
    const row = await one(sql`select count(*) n from users where email like 'person%'`);
    expect(row).toEqual({ n: 19_999 });
  });
});
