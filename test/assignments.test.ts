import { departmentIdFor } from "~/models/departments.server";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { getLessonPage, listLessons, listPublishedCourses } from "~/models/courses.server";
import type { LessonRef } from "~/models/progress.server";
import { completeLesson, recordLessonOpened, reopenLessons } from "~/services/progress.server";
import { assignmentList } from "~/models/reports.server";
import { createUser } from "~/models/users.server";
import {
  changeRule,
  createRule,
  recomputeAssignments,
  removeRule,
  waive,
} from "~/services/assignments.server";
import { syncCourses } from "~/services/courses.server";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { addDays, addMonths, dayOf, today } from "~/utils/calendar.server";
import { advanceClock, nowIso, resetClock } from "~/utils/clock.server";
import { sql } from "kysely";
import { db } from "~/utils/db.server";
import { all, exec, migratedDatabase, one } from "./helpers/db";

const DAY = 24 * 60 * 60 * 1000;
let basics: { id: number; refs: LessonRef[] };
let quizzedId: number;
let sales: number;
let warehouse: number;
let n = 0;

async function person(departmentId: number | null = null, hiredOn: string | null = null) {
  n++;
  return createUser({ email: `p${n}@example.com`, name: `Person ${n}`, departmentId, hiredOn });
}

/** Every row of one person (history too), keyed "course#cycle" → status. */
async function statuses(userId: number) {
  const rows = await assignmentList(nowIso(), { userIds: [userId], history: true });
  return Object.fromEntries(
    rows.map((r) => [`${r.courseSlug}#${r.cycle}${r.removed ? " removed" : ""}`, r.status]),
  );
}

async function current(userId: number, course = "basics") {
  const rows = await assignmentList(nowIso(), { userIds: [userId], courseSlug: course });
  return rows[0];
}

async function completeBasics(userId: number) {
  for (const ref of basics.refs) await completeLesson(userId, ref);
}

beforeAll(async () => {
  await migratedDatabase();
  const sync = await syncCourses("test/fixtures/courses-integration");
  expect(sync.errors).toEqual([]);
  const courses = await listPublishedCourses();
  const course = courses.find((c) => c.slug === "basics")!;
  quizzedId = courses.find((c) => c.slug === "quizzed")!.id;
  const lessons = await listLessons(course.id);
  basics = {
    id: course.id,
    refs: await Promise.all(
      lessons.map(async (l) => ({
        courseId: course.id,
        lessonId: l.id,
        versionId: (await getLessonPage("basics", l.slug))!.versionId,
      })),
    ),
  };
  sales = await departmentIdFor("Sales");
  warehouse = await departmentIdFor("Warehouse");
});

afterEach(() => resetClock());

describe("the default rule", () => {
  test("a fresh database has one rule: every published course, everyone, due in 30 days", async () => {
    expect(await all(sql`select * from assignment_rules`)).toMatchObject([
      { course_id: null, audience: "everyone", due_days: 30, recur_months: null },
    ]);
  });

  test("covers people who already exist, once: a second recompute changes nothing", async () => {
    const id = await person();
    const first = await recomputeAssignments();
    expect(first.added).toBeGreaterThanOrEqual(2);
    expect(await recomputeAssignments()).toEqual({ added: 0, renewed: 0, redated: 0, removed: 0 });
    const row = await current(id);
    expect(row).toMatchObject({ status: "not_started", dueOn: addDays(today(), 30) });
  });

  test("a person hired later is due 30 days after their hire date", async () => {
    const hired = addDays(today(), 10);
    const id = await person(null, hired);
    await recomputeAssignments();
    expect((await current(id))!.dueOn).toBe(addDays(hired, 30));
  });
});

describe("status transitions, with a moving clock", () => {
  test("not started → in progress → overdue → completed late", async () => {
    const id = await person();
    await recomputeAssignments();
    expect((await current(id))!.status).toBe("not_started");
    await recordLessonOpened(id, basics.refs[0]!);
    expect((await current(id))!.status).toBe("in_progress");
    advanceClock(31 * DAY);
    expect((await current(id))!.status).toBe("overdue");
    await completeBasics(id);
    expect((await current(id))!.status).toBe("completed_late");
  });

  test("completed before the due date → completed on time, even when read after it", async () => {
    const id = await person();
    await recomputeAssignments();
    await completeBasics(id);
    expect((await current(id))!.status).toBe("completed_on_time");
    advanceClock(60 * DAY);
    expect((await current(id))!.status).toBe("completed_on_time");
  });

  test("a completion re-opened because the content changed is stale", async () => {
    const id = await person();
    await recomputeAssignments();
    await completeBasics(id);
    await reopenLessons(
      basics.id,
      { userIds: [id], lessonIds: [basics.refs[0]!.lessonId] },
      "stale",
    );
    expect((await current(id))!.status).toBe("stale");
  });

  test("an admin's waiver with a reason, recorded in the ledger", async () => {
    const id = await person();
    await recomputeAssignments();
    const row = (await current(id))!;
    await waive(
      { id: 1, label: "admin@example.com" },
      id,
      row.assignmentId,
      "Joined from a partner firm with the same training",
    );
    expect(await current(id)).toMatchObject({
      status: "waived",
      waivedReason: "Joined from a partner firm with the same training",
    });
    expect(
      await one(sql`select data from progress_events where user_id = ${id} and type = 'waived'`),
    ).toEqual({ data: expect.stringContaining("partner firm") });
    advanceClock(90 * DAY);
    expect((await current(id))!.status).toBe("waived");
  });

  test("a deactivated person leaves the reports and keeps their history", async () => {
    const id = await person();
    await recomputeAssignments();
    await completeBasics(id);
    await exec(sql`update users set status = 'deactivated' where id = ${id}`);
    await recomputeAssignments();
    expect(await assignmentList(nowIso(), { userIds: [id] })).toEqual([]);
    expect(await statuses(id)).toEqual({
      "basics#1": "completed_on_time",
      "quizzed#1": "not_started",
    });
  });
});

describe("rules and the roster", () => {
  test("a roster longer than one recompute slice is covered whole, once", async () => {
    // Recompute works through people 500 ids at a time: 1,100 new people span three slices.
    const ids: number[] = [];
    for (let i = 0; i < 1100; i++) ids.push(await person(i % 2 ? sales : warehouse));
    const first = await recomputeAssignments();
    expect(first.added).toBeGreaterThanOrEqual(ids.length * 2);
    const covered = await one<{ n: number | string }>(
      sql`select count(*) as n from assignments where is_current = 1 and removed_at is null
          and user_id between ${ids[0]} and ${ids.at(-1)}`,
    );
    expect(Number(covered!.n)).toBe(ids.length * 2);
    expect(await recomputeAssignments()).toEqual({ added: 0, renewed: 0, redated: 0, removed: 0 });
  });

  test("a rule added after people exist covers them; editing and deleting it re-applies", async () => {
    const id = await person(sales);
    const other = await person(warehouse);
    await recomputeAssignments();
    const ruleId = await createRule(SYSTEM_ACTOR, {
      courseId: quizzedId,
      audience: "department",
      departmentId: sales,
      role: null,
      personIds: [],
      dueDays: 7,
      recurMonths: null,
    });
    // The strictest rule wins: 7 days for Sales, the default 30 for the warehouse.
    const day = today();
    expect((await current(id, "quizzed"))!.dueOn).toBe(addDays(day, 7));
    expect((await current(other, "quizzed"))!.dueOn).toBe(addDays(day, 30));
    await changeRule(SYSTEM_ACTOR, ruleId, {
      courseId: quizzedId,
      audience: "department",
      departmentId: sales,
      role: null,
      personIds: [],
      dueDays: 3,
      recurMonths: null,
    });
    expect((await current(id, "quizzed"))!.dueOn).toBe(addDays(day, 3));
    await removeRule(SYSTEM_ACTOR, ruleId);
    expect((await current(id, "quizzed"))!.dueOn).toBe(addDays(day, 30));
  });

  test("a department change gains and loses assignments; completed history stays", async () => {
    const defaultRule = 1;
    const everyone = (await db
      .selectFrom("assignment_rules")
      .selectAll()
      .where("id", "=", defaultRule)
      .executeTakeFirstOrThrow())!;
    // Only Sales takes basics; everyone still takes quizzed.
    await changeRule(SYSTEM_ACTOR, defaultRule, {
      courseId: quizzedId,
      audience: "everyone",
      departmentId: null,
      role: null,
      personIds: [],
      dueDays: everyone.due_days,
      recurMonths: null,
    });
    const salesRule = await createRule(SYSTEM_ACTOR, {
      courseId: basics.id,
      audience: "department",
      departmentId: sales,
      role: null,
      personIds: [],
      dueDays: 30,
      recurMonths: null,
    });
    const mover = await person(sales);
    const stayer = await person(warehouse);
    await recomputeAssignments();
    expect(await current(stayer)).toBeUndefined();
    await completeBasics(mover);

    await exec(sql`update users set department_id = ${warehouse} where id = ${mover}`);
    expect((await recomputeAssignments()).removed).toBe(1);
    expect(await current(mover)).toBeUndefined();
    expect(await statuses(mover)).toMatchObject({ "basics#1 removed": "completed_on_time" });

    await exec(sql`update users set department_id = ${sales} where id = ${stayer}`);
    await recomputeAssignments();
    expect((await current(stayer))!.status).toBe("not_started");

    // Back as it was, for the other tests.
    await removeRule(SYSTEM_ACTOR, salesRule);
    await changeRule(SYSTEM_ACTOR, defaultRule, {
      courseId: null,
      audience: "everyone",
      departmentId: null,
      role: null,
      personIds: [],
      dueDays: 30,
      recurMonths: null,
    });
    expect((await current(mover))!.status).toBe("completed_on_time");
  });

  test("named people and roster flags", async () => {
    const named = await person();
    const ruleId = await createRule(SYSTEM_ACTOR, {
      courseId: basics.id,
      audience: "people",
      departmentId: null,
      role: null,
      personIds: [named],
      dueDays: 1,
      recurMonths: null,
    });
    expect((await current(named))!.dueOn).toBe(addDays(today(), 1));
    await removeRule(SYSTEM_ACTOR, ruleId);
  });
});

describe("recurrence", () => {
  test("completed 13 months ago on a 12-month cycle: a new cycle, due again, old completion kept", async () => {
    const ruleId = await createRule(SYSTEM_ACTOR, {
      courseId: basics.id,
      audience: "everyone",
      departmentId: null,
      role: null,
      personIds: [],
      dueDays: 14,
      recurMonths: 12,
    });
    const id = await person();
    await recomputeAssignments();
    await completeBasics(id);
    const completedAt = (await current(id))!.completedAt!;
    expect((await recomputeAssignments()).renewed).toBe(0);

    advanceClock(395 * DAY);
    const result = await recomputeAssignments();
    expect(result.renewed).toBeGreaterThanOrEqual(1);
    const now = await current(id);
    expect(now).toMatchObject({ cycle: 2, status: "overdue", lessonsCompleted: 0 });
    expect(now!.dueOn).toBe(addDays(addMonths(dayOf(completedAt), 12), 14));
    expect(await statuses(id)).toMatchObject({
      "basics#1": "completed_on_time",
      "basics#2": "overdue",
    });
    const history = await assignmentList(nowIso(), { userIds: [id], history: true });
    expect(history.find((r) => r.courseSlug === "basics" && r.cycle === 1)!.completedAt).toBe(
      completedAt,
    );
    // The ledger keeps the first completion.
    expect(
      await one(
        sql`select count(*) n from progress_events where user_id = ${id} and type = 'course_completed'`,
      ),
    ).toEqual({ n: 1 });

    // Completing the new cycle closes it on its own terms; nothing renews again yet.
    await completeBasics(id);
    expect((await current(id))!.status).toBe("completed_late");
    expect((await recomputeAssignments()).renewed).toBe(0);
    await removeRule(SYSTEM_ACTOR, ruleId);
  });
});
