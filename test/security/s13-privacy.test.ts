import { sql } from "kysely";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { actorOf, commandLineActor, SYSTEM_ACTOR } from "~/models/audit.server";
import { NOT_PERSONAL, PERSON_COLUMNS } from "~/models/personal-data.server";
import { statusCounts } from "~/models/reports.server";
import { getViewer } from "~/models/users.server";
import { stageRosterUpload } from "~/models/roster-uploads.server";
import { createRule, recomputeAssignments, waive } from "~/services/assignments.server";
import { addLesson, createCourse } from "~/services/course-admin.server";
import { syncCourses } from "~/services/courses.server";
import { issueSetPasswordLink } from "~/services/invitations.server";
import { erasePerson, PrivacyError } from "~/services/privacy.server";
import { chooseMail, getSchedule, saveSchedule } from "~/services/reminder-settings.server";
import { nudge } from "~/services/reminders.server";
import { notFinishedList, summarise } from "~/services/reports.server";
import { createSessionCookie } from "~/services/session.server";
import { nowIso } from "~/utils/clock.server";
import { foreignKeys, listTables, textColumns } from "~/utils/db-catalogue.server";
import { db, handlesFor } from "~/utils/db.server";
import { all, exec, migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { PASSWORD, seedPeople } from "../helpers/people";
import { completeQuizCourse } from "../helpers/quiz-course";
import { startServer, type RunningServer } from "../helpers/server";

// S13: export and erase one person's data; a table that names a person and is not covered by
// both fails here. Names are distinctive, so that a byte search of the file means something.

const DOMAIN = "privacy.example";
const PEOPLE = [
  { key: "ada", name: "Ada Admin", dept: "Office", admin: true },
  { key: "mia", name: "Mia Manager", dept: "Sales" },
  { key: "vera", name: "Veronika Quillfeather", dept: "Sales", manager: "mia", admin: true },
  { key: "xavi", name: "Xaviera Thornbury", dept: "Office", admin: true },
  { key: "ann", name: "Ann Able", dept: "Sales", manager: "mia" },
  { key: "wes", name: "Wesley Marchbanks", dept: "Sales", manager: "mia" },
  { key: "bo", name: "Bo Baker", dept: "Warehouse" },
  { key: "zed", name: "Zedekiah Pomfrey", dept: "Warehouse" },
  // Zed's email inside a longer address, his name inside a longer one: not his to erase.
  { key: "ex.zed", name: "Zedekiah Pomfreyson", dept: "Warehouse" },
] as const;
const mail = (key: string) => `${key}@${DOMAIN}`;

let ids: Map<string, number>;
const ada = () => actorOf({ id: ids.get("ada")!, email: mail("ada") });

/**
 * Puts a row that names `key` into every table of PERSON_COLUMNS (lesson_versions only for the
 * first, who publishes the courses); `waivee`'s assignment is waived by them, with their name in
 * the reason.
 */
async function everythingAbout(key: string, waivee: string) {
  const id = ids.get(key)!;
  const self = actorOf({ id, email: mail(key) });
  const sync = await syncCourses("test/fixtures/courses-quiz", self);
  expect(sync.errors).toEqual([]);
  await createRule(ada(), {
    courseId: null,
    audience: "people",
    departmentId: null,
    role: null,
    personIds: [id],
    dueDays: 14,
    recurMonths: null,
  });
  await recomputeAssignments();
  await completeQuizCourse(id);
  await createSessionCookie(id);
  await issueSetPasswordLink(ada(), id);
  await issueSetPasswordLink(self, ids.get(waivee)!);
  await stageRosterUpload(id, "staff.csv", `email,name\n${mail(key)},Someone\n`);
  const assignment = (await one(
    sql`select id from assignments where user_id = ${ids.get(waivee)} limit 1`,
  )) as { id: number };
  const { name } = PEOPLE.find((p) => p.key === key)!;
  await waive(self, ids.get(waivee)!, assignment.id, `Covered with ${name} (${mail(key)})`);
  // Mail: a choice of their own, and a reminder from Ada covering a step reached today.
  await chooseMail(id, { digest: "fortnightly" });
  const schedule = await getSchedule();
  await saveSchedule(SYSTEM_ACTOR, { ...schedule, beforeDueDays: [30] });
  expect(await nudge((await getViewer(ids.get("ada")!))!, id, "organisation")).toMatchObject({
    status: "sent",
  });
  await saveSchedule(SYSTEM_ACTOR, schedule);
  const draft = await createCourse(self, {
    title: `Drafted by ${key}`,
    summary: "A draft.",
    order: 9,
  });
  await addLesson(self, draft.slug, "A first lesson");
}

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople(PEOPLE, DOMAIN);
  // Xaviera is exported, Veronika erased: the tests do not depend on each other's order.
  await everythingAbout("xavi", "bo");
  await everythingAbout("vera", "ann");
  await completeQuizCourse(ids.get("wes")!);
});

/** Every (table, column) that names a person: foreign keys to users, and person-ish names. */
async function personColumnsInSchema() {
  const toUsers = (await foreignKeys()).filter((k) => k.references === "users");
  const found: { table: string; column: string }[] = [];
  for (const table of await db.introspection.getTables()) {
    for (const { name: column } of table.columns) {
      if (
        toUsers.some((k) => k.table === table.name && k.column === column) ||
        ["user_id", "actor_id", "subject_id", "recipient"].includes(column) ||
        column.endsWith("_by")
      )
        found.push({ table: table.name, column });
    }
  }
  return found;
}

describe("S13 every table that names a person is covered", () => {
  test("S13 each column that names a person (read from the schema) is in PERSON_COLUMNS", async () => {
    const missing = (await personColumnsInSchema()).filter(
      ({ table, column }) =>
        !Object.hasOwn(PERSON_COLUMNS, table) ||
        !Object.hasOwn(PERSON_COLUMNS[table as keyof typeof PERSON_COLUMNS].columns, column),
    );
    expect(missing, "add these to PERSON_COLUMNS in app/models/personal-data.server.ts").toEqual(
      [],
    );
  });

  test("S13 every table is declared either as naming people or as holding no personal data", async () => {
    const tables = await listTables();
    const undeclared = tables.filter(
      (t) => !Object.hasOwn(PERSON_COLUMNS, t) && !NOT_PERSONAL.has(t),
    );
    expect(undeclared).toEqual([]);
    const stale = Object.keys(PERSON_COLUMNS).filter((t) => !tables.includes(t));
    expect(stale).toEqual([]);
  });

  test("S13 the fixture puts the person into every table PERSON_COLUMNS names", async () => {
    const xavi = ids.get("xavi")!;
    for (const [table, spec] of Object.entries(PERSON_COLUMNS)) {
      if (table === "erasure_in_progress") continue;
      const where = sql.join(
        Object.entries(spec.columns).map(
          ([column, c]) => sql`${sql.ref(column)} = ${c.by === "id" ? xavi : mail("xavi")}`,
        ),
        sql` or `,
      );
      const { n } = (await one(sql`select count(*) n from ${sql.table(table)} where ${where}`)) as {
        n: number;
      };
      expect(n, table).toBeGreaterThan(0);
    }
  });
});

describe("S13 export", () => {
  test("S13 users export writes everything held about the person as JSON on stdout, secrets left out", () => {
    const result = spawnSync(
      process.execPath,
      ["bin/staffroom.js", "users", "export", mail("xavi").toUpperCase()],
      { encoding: "utf8", env: { ...process.env, COURSES_DIR: "test/fixtures/courses-quiz" } },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const exported = JSON.parse(result.stdout) as {
      person: Record<string, unknown>;
      tables: Record<string, unknown[] | { count: number }>;
    };
    expect(exported.person).toMatchObject({
      email: mail("xavi"),
      name: "Xaviera Thornbury",
      department: "Office",
      managerEmail: null,
      isAdmin: true,
      hasPassword: true,
    });
    for (const table of [
      "users",
      "one_time_tokens",
      "progress_events",
      "lesson_progress",
      "course_progress",
      "quiz_attempts",
      "acknowledgements",
      "certificates",
      "assignments",
      "assignment_rule_people",
      "audit_log",
      "outbox",
      "roster_uploads",
      "lesson_versions",
      "reminder_messages",
      "reminder_items",
      "mail_preferences",
    ]) {
      expect((exported.tables[table] as unknown[]).length, table).toBeGreaterThan(0);
    }
    expect(exported.tables.sessions).toEqual({ count: 1 });
    // Ledger data and answers come parsed; hashes and other people's rows never come at all.
    const attempts = exported.tables.quiz_attempts as { answers: Record<string, string[]> }[];
    expect(attempts[0]!.answers).toHaveProperty("q1");
    expect(result.stdout).not.toMatch(/password_hash|token_hash|\$argon2|"source"|"content"/);
    const users = exported.tables.users as { id: number }[];
    expect(users.map((u) => u.id)).toEqual([ids.get("xavi")]);
  });
});

describe("S13 erase", () => {
  test("S13 erase is refused for oneself, the last active admin and someone who manages people", async () => {
    await expect(erasePerson(ada(), mail("ada"))).rejects.toThrow("You cannot erase yourself.");
    await expect(erasePerson(commandLineActor("ops"), mail("mia"))).rejects.toThrow(
      /still manages people/,
    );
    await expect(erasePerson(commandLineActor("ops"), mail("nobody"))).rejects.toThrow(
      PrivacyError,
    );
  });

  test("S13 users erase needs --yes and changes nothing without it", async () => {
    const before = await all(sql`select * from users order by id`);
    const result = spawnSync(process.execPath, ["bin/staffroom.js", "users", "erase", mail("bo")], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Run again with --yes");
    expect(await all(sql`select * from users order by id`)).toEqual(before);
  });

  test("S13 erase leaves no byte of the email or name in the database file, ledger and audit log included; figures for everyone else stay the same", async () => {
    const handles = handlesFor();
    const vera = ids.get("vera")!;
    const now = nowIso();
    const others = [...ids.entries()].filter(([k]) => k !== "vera").map(([, id]) => id);
    const figuresBefore = summarise(await statusCounts(now, { userIds: others }));
    const listBefore = (await notFinishedList({})).filter((r) => r.userId !== vera);
    expect(figuresBefore.completion.done).toBeGreaterThan(0);

    const needles = [mail("vera"), "Veronika Quillfeather", "Quillfeather"];
    // SQLite: the bytes of the file and its WAL. PostgreSQL: every text value of every row (its
    // files are the server's; README says what VACUUM does and does not scrub there).
    const found = async () => {
      const hits = new Set<string>();
      if (handles.engine === "postgres") {
        for (const { table, column } of await textColumns()) {
          for (const needle of needles) {
            const pattern = `%${needle}%`;
            const hit = await one(
              sql`select 1 as hit from ${sql.table(table)} where ${sql.ref(column)} like ${pattern}`,
            );
            if (hit) hits.add(needle);
          }
        }
      } else {
        handles.sqlite.pragma("wal_checkpoint(TRUNCATE)");
        const file = handles.sqlite.name;
        for (const path of [file, `${file}-wal`].filter((p) => fs.existsSync(p))) {
          const bytes = fs.readFileSync(path);
          for (const needle of needles) if (bytes.includes(Buffer.from(needle))) hits.add(needle);
        }
      }
      return [...hits];
    };
    expect(await found()).toEqual(needles);

    const report = await erasePerson(ada(), mail("vera"));
    expect(report).toMatchObject({ nameReplaced: true, scrubbed: true });

    expect(summarise(await statusCounts(now))).toEqual(figuresBefore);
    expect(await notFinishedList({})).toEqual(listBefore);

    expect(await found()).toEqual([]);
    // What stays: an anonymous row that organisation records still point at, and the audit
    // entry of the erasure.
    expect(await one(sql`select email, name, status from users where id = ${vera}`)).toEqual({
      email: `erased-${vera}@erased.invalid`,
      name: `Erased person ${vera}`,
      status: "deactivated",
    });
    expect(await one(sql`select waived_reason from assignments where waived_by = ${vera}`)).toEqual(
      {
        waived_reason: `Covered with Erased person ${vera} (erased-${vera}@erased.invalid)`,
      },
    );
    expect(
      await all(
        sql`select actor, subject from audit_log where action = 'person.erased' and subject_id = ${vera}`,
      ),
    ).toEqual([{ actor: mail("ada"), subject: `erased-${vera}@erased.invalid` }]);
  });

  test("S13 erasure replaces whole mentions only: a longer address or name that contains theirs is someone else's", async () => {
    const zed = ids.get("zed")!;
    const bo = (await one(
      sql`select id from assignments where user_id = ${ids.get("bo")} limit 1 offset 1`,
    )) as { id: number };
    const reason = `Zedekiah Pomfrey, ZED@privacy.example and ex.zed@privacy.example (Zedekiah Pomfreyson) agreed`;
    await waive(ada(), ids.get("bo")!, bo.id, reason);
    await erasePerson(ada(), mail("zed"));
    expect(await one(sql`select waived_reason from assignments where id = ${bo.id}`)).toEqual({
      waived_reason: `Erased person ${zed}, erased-${zed}@erased.invalid and ex.zed@privacy.example (Zedekiah Pomfreyson) agreed`,
    });
    expect(await one(sql`select email, name from users where id = ${ids.get("ex.zed")}`)).toEqual({
      email: mail("ex.zed"),
      name: "Zedekiah Pomfreyson",
    });
  });

  test("S13 the append-only tables stay append-only outside an erasure", async () => {
    expect(await one(sql`select count(*) n from erasure_in_progress`)).toEqual({ n: 0 });
    for (const table of [
      "progress_events",
      "audit_log",
      "acknowledgements",
      "certificates",
      "quiz_attempts",
    ]) {
      await expect(exec(sql`update ${sql.table(table)} set id = id`), table).rejects.toThrow(
        `${table} is append-only`,
      );
      await expect(exec(sql`delete from ${sql.table(table)}`), table).rejects.toThrow(
        `${table} is append-only`,
      );
    }
  });
});

describe("S13 on the admin person page", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ COURSES_DIR: "test/fixtures/courses-quiz" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("S13 an admin downloads a person's export, and erases them only with the typed email", async () => {
    const admin = new Browser(server.url);
    await admin.login(mail("ada"), PASSWORD);
    const wes = ids.get("wes")!;
    const download = await admin.get(`/admin/people/${wes}/export`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="person-${wes}.json"`,
    );
    expect(((await download.json()) as { person: { name: string } }).person.name).toBe(
      "Wesley Marchbanks",
    );

    const wrong = await admin.post(`/admin/people/${wes}`, {
      intent: "erase",
      confirmEmail: mail("ann"),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(`Type ${mail("wes")} to confirm.`);
    expect(await one(sql`select name from users where id = ${wes}`)).toEqual({
      name: "Wesley Marchbanks",
    });

    const erased = await admin.post(`/admin/people/${wes}`, {
      intent: "erase",
      confirmEmail: mail("WES"),
    });
    expect(erased.status).toBe(200);
    expect(await erased.text()).toContain("Erased. Their records are gone");
    expect(await one(sql`select name from users where id = ${wes}`)).toEqual({
      name: `Erased person ${wes}`,
    });
    expect(await one(sql`select count(*) n from progress_events where user_id = ${wes}`)).toEqual({
      n: 0,
    });
  });
});
