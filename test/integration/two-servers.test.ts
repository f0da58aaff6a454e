// Two app servers on different ports sharing one database (PostgreSQL under test:pg, the SQLite
// file under npm test), as behind a load balancer: one session works on both, either shows what
// the other wrote, and the same requests fired at both at once lose nothing and break no
// invariant (attempt limits, one confirmation per statement, certificates once, no manager
// cycles, at least one active admin, assignments recomputed one at a time).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { courseStatus } from "~/models/progress.server";
import { recomputeAssignments } from "~/services/assignments.server";
import { syncCourses } from "~/services/courses.server";
import { courseStatusFromLedger } from "~/services/progress.server";
import { all, exec, migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { PASSWORD, seedPeople, type TestPerson } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

const DOMAIN = "two.example";
const mail = (key: string) => `${key}@${DOMAIN}`;
const LEARNERS = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
const PEOPLE: TestPerson[] = [
  { key: "ana", name: "Ana Admin", admin: true },
  { key: "ben", name: "Ben Admin", admin: true },
  { key: "lee", name: "Lee Leader", leader: true },
  { key: "fox", name: "Fox Fell" },
  { key: "gus", name: "Gus Grey" },
  { key: "ann", name: "Ann Able" },
  { key: "ivy", name: "Ivy Ives" },
  ...LEARNERS.map((key) => ({ key, name: `Learner ${key}` })),
];
// test/fixtures/courses-quiz/safety: welcome; check = five questions (three attempts) and a
// statement; policy = a statement.
const RIGHT = { q1: "q1-b", q2: "q2-a", q3: ["q3-a", "q3-c"], q4: "q4-c", q5: "q5-a" };
const WRONG = { q1: "q1-a", q2: "q2-b", q3: "q3-b", q4: "q4-a", q5: "q5-b" };

let servers: [RunningServer, RunningServer];
/** The servers' COURSES_DIR: a copy of test/fixtures/courses-quiz that a test edits. */
const coursesDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-two-")), "courses");
let ids: Map<string, number>;
let safety: { id: number; check: number; policy: number };

/** The same person on each server, with one cookie: logged in through the first. */
async function onBoth(key: string): Promise<[Browser, Browser]> {
  const a = new Browser(servers[0].url);
  await a.login(mail(key), PASSWORD);
  const b = new Browser(servers[1].url);
  b.cookie = a.cookie;
  return [a, b];
}

async function versionOf(browser: Browser, lesson: string) {
  const html = await (await browser.get(`/courses/safety/${lesson}`)).text();
  return /name="version" value="(\d+)"/.exec(html)![1]!;
}

async function matrix(browser: Browser) {
  const res = await browser.get("/reports/matrix.csv");
  expect(res.status).toBe(200);
  return parse(await res.text(), { columns: true, bom: true }) as Record<string, string>[];
}

/** An admin's save of a person's form: their current values with `change` applied. */
async function savePerson(
  admin: Browser,
  key: string,
  change: { managerEmail?: string; isAdmin?: boolean },
) {
  const row = (await one(
    sql`select u.email, u.name, u.title, u.is_admin, u.is_leader, m.email manager
      from users u left join users m on m.id = u.manager_id where u.id = ${ids.get(key)}`,
  )) as Record<string, string | number | null>;
  return admin.post(`/admin/people/${ids.get(key)}`, {
    intent: "save",
    email: String(row.email),
    name: String(row.name),
    department: "",
    title: String(row.title),
    managerEmail: String(row.manager ?? ""),
    hiredOn: "",
    ...(row.is_leader === 1 ? { leader: "on" } : {}),
    ...((change.isAdmin ?? row.is_admin === 1) ? { admin: "on" } : {}),
    ...(change.managerEmail !== undefined ? { managerEmail: change.managerEmail } : {}),
  });
}

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople(PEOPLE, DOMAIN);
  fs.cpSync("test/fixtures/courses-quiz", coursesDir, { recursive: true });
  // Both start at once: migrations, the course sync and the recompute meet on one database.
  servers = (await Promise.all([
    startServer({ COURSES_DIR: coursesDir }),
    startServer({ COURSES_DIR: coursesDir }),
  ])) as [RunningServer, RunningServer];
  const lessons = await all<{ id: number; slug: string; course_id: number }>(
    sql`select l.id, l.slug, l.course_id from lessons l join courses c on c.id = l.course_id
      where c.slug = 'safety'`,
  );
  const idOf = (slug: string) => lessons.find((l) => l.slug === slug)!.id;
  safety = { id: lessons[0]!.course_id, check: idOf("check"), policy: idOf("policy") };
});

afterAll(async () => {
  await Promise.all(servers?.map((s) => s.stop()) ?? []);
});

describe("two app servers, one database", () => {
  test("log in through one, complete a lesson through the other; the report on either shows it", async () => {
    const [a, b] = await onBoth("ann");
    expect((await b.get("/courses/safety/welcome")).status).toBe(200);
    expect((await b.post("/courses/safety/welcome", { intent: "complete" })).status).toBe(302);
    const course = (await (await a.get("/courses/safety")).text()).replace(/<!-- -->/g, "");
    expect(course).toContain("1 of 3 lessons");

    const [leaderA, leaderB] = await onBoth("lee");
    const [onA, onB] = [await matrix(leaderA), await matrix(leaderB)];
    expect(onB).toEqual(onA);
    expect(onA.find((r) => r.email === mail("ann") && r.course === "safety")).toMatchObject({
      status: "in_progress",
    });
  });

  test("200 completion, quiz and confirmation POSTs at once, spread over both: nothing lost, every invariant intact", async () => {
    const browsers = new Map(
      await Promise.all(LEARNERS.map(async (key) => [key, await onBoth(key)] as const)),
    );
    const [annA] = await onBoth("ana");
    const [, benB] = await onBoth("ben");
    const versions = {
      check: await versionOf(browsers.get("l1")![0], "check"),
      policy: await versionOf(browsers.get("l1")![0], "policy"),
    };
    // Per learner: the welcome lesson twice, four quiz submissions against a limit of three
    // (one of them right), and each statement confirmed twice: ten POSTs, alternating servers.
    const requests = LEARNERS.flatMap((key, n) => {
      const [a, b] = browsers.get(key)!;
      const on = (i: number) => (i % 2 === 0 ? a : b);
      const quiz = [0, 1, 2, 3].map((i) => ({
        key,
        kind: "quiz" as const,
        right: i === n % 4,
        send: () =>
          on(i + n).post("/courses/safety/check", {
            intent: "quiz",
            quiz: "quiz-1",
            version: versions.check,
            ...(i === n % 4 ? RIGHT : WRONG),
          }),
      }));
      const confirm = (lesson: "check" | "policy", i: number) => ({
        key,
        kind: lesson,
        right: false,
        send: () =>
          on(i).post(`/courses/safety/${lesson}`, {
            intent: "acknowledge",
            island: "ack-1",
            version: versions[lesson],
            confirm: "yes",
          }),
      });
      return [
        ...[0, 1].map((i) => ({
          key,
          kind: "welcome" as const,
          right: false,
          send: () => on(i).post("/courses/safety/welcome", { intent: "complete" }),
        })),
        ...quiz,
        confirm("check", 0),
        confirm("check", 1),
        confirm("policy", 1),
        confirm("policy", 0),
      ];
    });
    expect(requests).toHaveLength(200);
    // And meanwhile two admins, one on each server, each give a person a manager: together
    // the two would manage each other.
    const loop = [
      savePerson(annA, "fox", { managerEmail: mail("gus") }),
      savePerson(benB, "gus", { managerEmail: mail("fox") }),
    ];
    const answers = await Promise.all(
      requests.map(async (r) => {
        const res = await r.send();
        return { ...r, status: res.status, body: await res.text() };
      }),
    );
    const loopAnswers = await Promise.all(loop);

    const failed = answers.filter((r) => r.status >= 500);
    expect(failed.length, servers.map((s) => s.logs()).join("\n")).toBe(0);
    expect(loopAnswers.map((r) => r.status).sort()).toEqual([200, 400]);
    const cycle = await one(
      sql`select count(*) n from users f join users g on f.manager_id = g.id and g.manager_id = f.id`,
    );
    expect(cycle).toEqual({ n: 0 });

    for (const key of LEARNERS) {
      const userId = ids.get(key)!;
      const mine = answers.filter((r) => r.key === key);
      expect(
        mine.filter((r) => r.kind === "welcome").map((r) => r.status),
        key,
      ).toEqual([302, 302]);
      expect(
        mine.filter((r) => r.kind === "check" || r.kind === "policy").map((r) => r.status),
        key,
      ).toEqual([200, 200, 200, 200]);
      // Every attempt answered as recorded is there, and no more than the limit.
      const quiz = mine.filter((r) => r.kind === "quiz");
      const recorded = quiz.filter((r) => r.status === 200);
      expect(recorded.length, key).toBe(3);
      expect(
        quiz.filter((r) => r.status === 400).map((r) => r.body),
        key,
      ).toEqual([expect.stringContaining("You have used all 3 attempts")]);
      const passed = recorded.some((r) => r.right);
      const stored = await one(
        sql`select (select count(*) from quiz_attempts where user_id = ${userId} and lesson_id = ${safety.check}) attempts,
          (select count(*) from progress_events where user_id = ${userId} and type = 'quiz_attempted') attempted,
          (select count(*) from progress_events where user_id = ${userId} and type = 'quiz_passed') passed,
          (select count(*) from acknowledgements where user_id = ${userId} and lesson_id = ${safety.check}) checks,
          (select count(*) from acknowledgements where user_id = ${userId} and lesson_id = ${safety.policy}) policies,
          (select count(*) from certificates where user_id = ${userId}) certificates,
          (select count(*) from progress_events where user_id = ${userId} and type = 'course_completed') completions`,
      );
      expect(stored, key).toEqual({
        attempts: 3,
        attempted: 3,
        passed: passed ? 1 : 0,
        checks: 1,
        policies: 1,
        certificates: passed ? 1 : 0,
        completions: passed ? 1 : 0,
      });
      // The summary rows say what the ledger says.
      expect(await courseStatus(userId, safety.id), key).toEqual(
        await courseStatusFromLedger(userId, safety.id),
      );
    }
    // The assignments' copies of the summary rows (kept by triggers) followed every write.
    expect(
      await all(
        sql`select a.user_id from assignments a join course_progress cp
          on cp.user_id = a.user_id and cp.course_id = a.course_id
          where a.is_current = 1 and (a.completed_at is distinct from cp.completed_at
            or a.lessons_completed <> cp.lessons_completed)`,
      ),
    ).toEqual([]);
  });

  test("two admins on two servers demoting each other at the same moment, 10 times: never zero", async () => {
    const [anaA] = await onBoth("ana");
    const [, benB] = await onBoth("ben");
    for (let round = 0; round < 10; round++) {
      const answers = await Promise.all([
        savePerson(anaA, "ben", { isAdmin: false }),
        savePerson(benB, "ana", { isAdmin: false }),
      ]);
      // The loser is refused in its write (400) or, when the winner committed first, finds
      // itself no longer an admin (403).
      const [won, lost] = answers.map((r) => r.status).sort();
      expect(won, `round ${round}`).toBe(200);
      expect([400, 403], `round ${round}`).toContain(lost);
      expect(
        await one(sql`select count(*) n from users where is_admin = 1 and status = 'active'`),
      ).toEqual({ n: 1 });
      await exec(
        sql`update users set is_admin = 1 where id in (${ids.get("ana")}, ${ids.get("ben")})`,
      );
    }
  });

  test("rules created on both servers at once: assignments recomputed one at a time, none twice", async () => {
    const [anaA] = await onBoth("ana");
    const [, benB] = await onBoth("ben");
    const answers = await Promise.all([
      anaA.post("/admin/assignments/new", { course: "other", audience: "everyone", dueDays: "10" }),
      benB.post("/admin/assignments/new", {
        course: "safety",
        audience: "role",
        role: "leader",
        dueDays: "5",
      }),
    ]);
    expect(answers.map((r) => r.status)).toEqual([302, 302]);
    expect(
      await all(
        sql`select user_id, course_id from assignments where is_current = 1
          group by user_id, course_id having count(*) > 1`,
      ),
    ).toEqual([]);
    // Both rules are in force, and what the two servers wrote is what a recompute now wants.
    expect(await recomputeAssignments()).toEqual({ added: 0, renewed: 0, redated: 0, removed: 0 });
    const [leaderA, leaderB] = await onBoth("lee");
    const onA = await matrix(leaderA);
    expect(await matrix(leaderB)).toEqual(onA);
    expect(onA.filter((r) => r.course === "other")).toHaveLength(PEOPLE.length);
  });

  test("a course sync by anyone shows on both servers at once: new text, a new answer key", async () => {
    const [a, b] = await onBoth("ivy");
    // Both have served the lesson and graded its quiz, so any cache they keep is warm.
    for (const server of [a, b]) {
      expect((await server.get("/courses/safety/check")).status).toBe(200);
    }
    const file = (name: string) => path.join(coursesDir, "safety", name);
    const edit = (name: string, change: (text: string) => string) =>
      fs.writeFileSync(file(name), change(fs.readFileSync(file(name), "utf8")));
    edit("01-welcome.mdx", (text) => text.replace("Hazzards", "SYNCED-TEXT Hazards"));
    // Question 1's right answer moves from its second choice to its first.
    edit("02-check.mdx", (text) =>
      text
        .replace("<Choice>Walk around it</Choice>", "<Choice correct>Walk around it</Choice>")
        .replace("<Choice correct>CORRECT-MARKER-Q1", "<Choice>CORRECT-MARKER-Q1"),
    );
    // The command line, or a third server: neither of these two.
    expect((await syncCourses(coursesDir)).published).toBe(2);

    for (const server of [a, b]) {
      expect(await (await server.get("/courses/safety/welcome")).text()).toContain("SYNCED-TEXT");
    }
    const graded = await b.post("/courses/safety/check", {
      intent: "quiz",
      quiz: "quiz-1",
      version: await versionOf(b, "check"),
      ...RIGHT,
      q1: "q1-a",
    });
    expect((await graded.text()).replace(/<!-- -->/g, "")).toContain(
      "You scored 100%. You passed.",
    );
  });
});
