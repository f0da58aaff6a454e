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
import {
  csvOf,
  databaseDump,
  manyRows,
  seedRosterBase,
  seedRosterTeam,
} from "./fixtures/roster/roster-csv";

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
  test("is previewed, applied exactly, unchanged when re-imported, corrected field by field, and deactivates only whom it is asked to", async () => {
    // This story's own people, beside the admin everyone shares: Mo manages Pat; Dee has left.
    await seedRosterTeam("good.example");
    const ofStory = (emails: string[]) => emails.filter((e) => e.endsWith("@good.example"));

    // 1. BOM, CRLF, a quoted field with a comma and a line break, a manager listed after their
    // reports, a manager already in Staffroom, and mixed-case emails: previewed, then applied.
    const file = bytes(
      "\uFEFF" +
        csvOf([
          'kim@good.example,"Kim, the Second","Sales & Service",Advisor,LEE@good.example,,2024-03-01',
          'lee@good.example,Lee Lead,"Sales & Service","Head of\nSales",mo@good.example,leader,',
          "Ada@X.example,Ada Admin,Office,,,admin,",
        ]),
    );
    const preview = await previewRoster(file, "team.csv", actor);
    expect(preview.problems).toEqual([]);
    expect(preview.creates.map((c) => [c.line, c.email, c.name, c.managerEmail])).toEqual([
      [2, "kim@good.example", "Kim, the Second", "lee@good.example"],
      [3, "lee@good.example", "Lee Lead", "mo@good.example"],
    ]);
    expect(preview.creates[1]).toMatchObject({
      title: "Head of Sales",
      isLeader: true,
      isAdmin: false,
    });
    expect(preview.updates).toEqual([]);
    expect(preview.unchanged).toBe(1);
    expect(ofStory(preview.absent.map((a) => a.email))).toEqual([
      "mo@good.example",
      "pat@good.example",
    ]);

    const result = await applyRoster(file, "team.csv", actor, { expectedDigest: preview.digest });
    expect(result).toEqual({
      status: "applied",
      summary: { created: 2, updated: 0, unchanged: 1, deactivated: 0 },
    });
    const kim = await findUserByEmail("kim@good.example");
    const lee = await findUserByEmail("lee@good.example");
    expect(kim).toMatchObject({
      name: "Kim, the Second",
      manager_id: lee!.id,
      hired_on: "2024-03-01",
    });
    expect(lee).toMatchObject({
      manager_id: (await findUserByEmail("mo@good.example"))!.id,
      is_leader: 1,
    });
    // Absent people are kept.
    expect(await findUserByEmail("pat@good.example")).toMatchObject({ status: "active" });

    // 2. The same file again changes nothing.
    const before = await databaseDump();
    const again = await previewRoster(file, "team.csv", actor);
    expect([again.creates.length, again.updates.length, again.unchanged]).toEqual([0, 0, 3]);
    expect(await applyRoster(file, "team.csv", actor)).toMatchObject({
      summary: { created: 0, updated: 0, unchanged: 3 },
    });
    expect(await databaseDump()).toEqual(before);

    // 3. A corrected file updates only the changed fields, audited with before and after.
    const corrected = bytes(
      csvOf([
        'kim@good.example,"Kim, the Second",Warehouse,Advisor,lee@good.example,leader,2024-03-01',
        'lee@good.example,Lee Lead,"Sales & Service","Head of Sales",mo@good.example,leader,',
        "ada@x.example,Ada Admin,Office,,,admin,",
      ]),
    );
    const fix = await previewRoster(corrected, "fix.csv", actor);
    expect(fix.updates.map((u) => [u.email, u.before, u.after])).toEqual([
      [
        "kim@good.example",
        { department: "Sales & Service", isLeader: false },
        { department: "Warehouse", isLeader: true },
      ],
    ]);
    await applyRoster(corrected, "fix.csv", actor);
    const audit = await all(
      sql`select action, subject, before, after from audit_log where subject = 'kim@good.example' order by id`,
    );
    expect(audit).toEqual([
      expect.objectContaining({ action: "person.created" }),
      {
        action: "person.updated",
        subject: "kim@good.example",
        before: JSON.stringify({ department: "Sales & Service" }),
        after: JSON.stringify({ department: "Warehouse" }),
      },
      {
        action: "person.roles_changed",
        subject: "kim@good.example",
        before: JSON.stringify({ isLeader: false }),
        after: JSON.stringify({ isLeader: true }),
      },
    ]);

    // 4. People missing from the file are deactivated only when asked, and never yourself.
    const onlyAda = bytes(csvOf(["ada@x.example,Ada Admin,Office,,,admin,"]));
    const ada = await findUserByEmail("ada@x.example");
    const asAda = { id: ada!.id, label: "ada@x.example" };
    await expect(
      applyRoster(onlyAda, "f.csv", asAda, { deactivate: ["ada@x.example"] }),
    ).rejects.toThrow(RosterImportError);
    const deactivated = await applyRoster(onlyAda, "f.csv", asAda, {
      deactivate: ["PAT@good.example"],
    });
    expect(deactivated).toMatchObject({ summary: { deactivated: 1 } });
    expect(await findUserByEmail("pat@good.example")).toMatchObject({ status: "deactivated" });
    expect(await findUserByEmail("kim@good.example")).toMatchObject({ status: "active" });
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

  test("20,000 rows import", async () => {
    const file = bytes(
      csvOf(["ada@x.example,Ada Admin,Office,,,admin,", ...manyRows(19_999, "big.example")]),
    );
    const preview = await previewRoster(file, "big.csv", actor);
    expect(preview.problems).toEqual([]);
    expect(preview.creates).toHaveLength(19_999);
    await applyRoster(file, "big.csv", actor);
    const row = await one(sql`select count(*) n from users where email like '%@big.example'`);
    expect(row).toEqual({ n: 19_999 });
  });
});
