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
import { migratedDatabase } from "../helpers/db";
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

let sqlite: Awaited<ReturnType<typeof migratedDatabase>>["sqlite"];
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
  const assignment = sqlite
    .prepare("select id from assignments where user_id = ? limit 1")
    .get(ids.get(waivee)) as { id: number };
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
  ({ sqlite } = await migratedDatabase());
  ids = await seedPeople(PEOPLE, DOMAIN);
  // Xaviera is exported, Veronika erased: the tests do not depend on each other's order.
  await everythingAbout("xavi", "bo");
  await everythingAbout("vera", "ann");
  await completeQuizCourse(ids.get("wes")!);
});

/** Every (table, column) that names a person: foreign keys to users, and person-ish names. */
function personColumnsInSchema() {
  return sqlite
    .prepare(
      `select m.name as "table", c.name as "column"
       from sqlite_master m join pragma_table_info(m.name) c
       where m.type = 'table' and m.name not like 'sqlite_%'
         and (c.name in (select "from" from pragma_foreign_key_list(m.name) where "table" = 'users')
           or c.name in ('user_id', 'actor_id', 'subject_id', 'recipient')
           or c.name like '%\\_by' escape '\\')
       order by 1, 2`,
    )
    .all() as { table: string; column: string }[];
}

describe("S13 every table that names a person is covered", () => {
  test("S13 each column that names a person (read from the schema) is in PERSON_COLUMNS", () => {
    const missing = personColumnsInSchema().filter(
      ({ table, column }) =>
        !Object.hasOwn(PERSON_COLUMNS, table) ||
        !Object.hasOwn(PERSON_COLUMNS[table as keyof typeof PERSON_COLUMNS].columns, column),
    );
    expect(missing, "add these to PERSON_COLUMNS in app/models/personal-data.server.ts").toEqual(
      [],
    );
  });

  test("S13 every table is declared either as naming people or as holding no personal data", () => {
    const tables = (
      sqlite
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
        .all() as { name: string }[]
    ).map((t) => t.name);
    const undeclared = tables.filter(
      (t) => !Object.hasOwn(PERSON_COLUMNS, t) && !NOT_PERSONAL.has(t),
    );
    expect(undeclared).toEqual([]);
    const stale = Object.keys(PERSON_COLUMNS).filter((t) => !tables.includes(t));
    expect(stale).toEqual([]);
  });

  test("S13 the fixture puts the person into every table PERSON_COLUMNS names", () => {
    const xavi = ids.get("xavi")!;
    for (const [table, spec] of Object.entries(PERSON_COLUMNS)) {
      if (table === "erasure_in_progress") continue;
      const where = Object.entries(spec.columns)
        .map(([column, c]) => `${column} = ${c.by === "id" ? xavi : `'${mail("xavi")}'`}`)
        .join(" or ");
      const { n } = sqlite.prepare(`select count(*) n from ${table} where ${where}`).get() as {
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

  test("S13 users erase needs --yes and changes nothing without it", () => {
    const before = sqlite.prepare("select * from users order by id").all();
    const result = spawnSync(process.execPath, ["bin/staffroom.js", "users", "erase", mail("bo")], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Run again with --yes");
    expect(sqlite.prepare("select * from users order by id").all()).toEqual(before);
  });

  test("S13 erase leaves no byte of the email or name in the database file, ledger and audit log included; figures for everyone else stay the same", async () => {
    const vera = ids.get("vera")!;
    const now = nowIso();
    const others = [...ids.entries()].filter(([k]) => k !== "vera").map(([, id]) => id);
    const figuresBefore = summarise(await statusCounts(now, { userIds: others }));
    const listBefore = (await notFinishedList({})).filter((r) => r.userId !== vera);
    expect(figuresBefore.completion.done).toBeGreaterThan(0);

    const needles = [mail("vera"), "Veronika Quillfeather", "Quillfeather"];
    const inFiles = () => {
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const file = sqlite.name;
      return [file, `${file}-wal`]
        .filter((path) => fs.existsSync(path))
        .flatMap((path) => {
          const bytes = fs.readFileSync(path);
          return needles
            .filter((n) => bytes.includes(Buffer.from(n)))
            .map((n) => `${n} in ${path}`);
        });
    };
    expect(inFiles()).toEqual(needles.map((n) => `${n} in ${sqlite.name}`));

    const report = await erasePerson(ada(), mail("vera"));
    expect(report).toMatchObject({ nameReplaced: true, checkpointed: true });

    expect(summarise(await statusCounts(now))).toEqual(figuresBefore);
    expect(await notFinishedList({})).toEqual(listBefore);

    expect(inFiles()).toEqual([]);
    // What stays: an anonymous row that organisation records still point at, and the audit
    // entry of the erasure.
    expect(sqlite.prepare("select email, name, status from users where id = ?").get(vera)).toEqual({
      email: `erased-${vera}@erased.invalid`,
      name: `Erased person ${vera}`,
      status: "deactivated",
    });
    expect(
      sqlite.prepare("select waived_reason from assignments where waived_by = ?").get(vera),
    ).toEqual({
      waived_reason: `Covered with Erased person ${vera} (erased-${vera}@erased.invalid)`,
    });
    expect(
      sqlite
        .prepare(
          "select actor, subject from audit_log where action = 'person.erased' and subject_id = ?",
        )
        .all(vera),
    ).toEqual([{ actor: mail("ada"), subject: `erased-${vera}@erased.invalid` }]);
  });

  test("S13 erasure replaces whole mentions only: a longer address or name that contains theirs is someone else's", async () => {
    const zed = ids.get("zed")!;
    const bo = sqlite
      .prepare("select id from assignments where user_id = ? limit 1 offset 1")
      .get(ids.get("bo")) as { id: number };
    const reason = `Zedekiah Pomfrey, ZED@privacy.example and ex.zed@privacy.example (Zedekiah Pomfreyson) agreed`;
    await waive(ada(), ids.get("bo")!, bo.id, reason);
    await erasePerson(ada(), mail("zed"));
    expect(sqlite.prepare("select waived_reason from assignments where id = ?").get(bo.id)).toEqual(
      {
        waived_reason: `Erased person ${zed}, erased-${zed}@erased.invalid and ex.zed@privacy.example (Zedekiah Pomfreyson) agreed`,
      },
    );
    expect(
      sqlite.prepare("select email, name from users where id = ?").get(ids.get("ex.zed")),
    ).toEqual({ email: mail("ex.zed"), name: "Zedekiah Pomfreyson" });
  });

  test("S13 the append-only tables stay append-only outside an erasure", () => {
    expect(sqlite.prepare("select count(*) n from erasure_in_progress").get()).toEqual({ n: 0 });
    for (const table of [
      "progress_events",
      "audit_log",
      "acknowledgements",
      "certificates",
      "quiz_attempts",
    ]) {
      expect(() => sqlite.prepare(`update ${table} set id = id`).run(), table).toThrow(
        `${table} is append-only`,
      );
      expect(() => sqlite.prepare(`delete from ${table}`).run(), table).toThrow(
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
    expect(sqlite.prepare("select name from users where id = ?").get(wes)).toEqual({
      name: "Wesley Marchbanks",
    });

    const erased = await admin.post(`/admin/people/${wes}`, {
      intent: "erase",
      confirmEmail: mail("WES"),
    });
    expect(erased.status).toBe(200);
    expect(await erased.text()).toContain("Erased. Their records are gone");
    expect(sqlite.prepare("select name from users where id = ?").get(wes)).toEqual({
      name: `Erased person ${wes}`,
    });
    expect(
      sqlite.prepare("select count(*) n from progress_events where user_id = ?").get(wes),
    ).toEqual({ n: 0 });
  });
});
