// "Today", due deadlines and on-time versus late follow ORG_TIMEZONE, not UTC: around local
// midnight and across daylight-saving changes, in three zones on three continents.
import { DateTime } from "luxon";
import { afterEach, describe, expect, test, vi } from "vitest";
import { freshDatabase, pointAt } from "./helpers/db";

/** The app's modules, fresh, against a new database, with ORG_TIMEZONE set to `zone`. */
async function appIn(zone: string) {
  vi.resetModules();
  process.env.ORG_TIMEZONE = zone;
  const database = await freshDatabase("tz");
  const { migrateToLatest } = await import("#db/migrate");
  await migrateToLatest();
  const calendar = await import("~/utils/calendar.server");
  const { syncCourses } = await import("~/services/courses.server");
  const { recomputeAssignments } = await import("~/services/assignments.server");
  const { completeLesson } = await import("~/services/progress.server");
  const { assignmentList } = await import("~/models/reports.server");
  const { listPublishedCourses, listLessons, getLessonPage } =
    await import("~/models/courses.server");
  const { createUser } = await import("~/models/users.server");
  const { learnerDashboard } = await import("~/services/learner.server");
  expect((await syncCourses("test/fixtures/courses-integration")).errors).toEqual([]);
  const course = (await listPublishedCourses()).find((c) => c.slug === "basics")!;
  const refs = await Promise.all(
    (await listLessons(course.id)).map(async (l) => ({
      courseId: course.id,
      lessonId: l.id,
      versionId: (await getLessonPage("basics", l.slug))!.versionId,
    })),
  );
  let n = 0;
  return {
    database,
    calendar,
    /** A new person assigned the course today (their due day: today + 30). */
    async newLearner() {
      n++;
      const id = await createUser({
        email: `p${n}@tz.example`,
        name: `P ${n}`,
        departmentId: null,
      });
      await recomputeAssignments();
      return id;
    },
    async finish(userId: number) {
      for (const ref of refs) await completeLesson(userId, ref);
    },
    async basics(userId: number) {
      const now = new Date().toISOString();
      return (await assignmentList(now, { userIds: [userId], courseSlug: "basics" }))[0]!;
    },
    async dueInDays(userId: number) {
      return (await learnerDashboard(userId)).courses.find((c) => c.slug === "basics")!.dueInDays;
    },
  };
}

/** The UTC instant of a wall-clock time in a zone, e.g. at("America/New_York", "2026-03-08T23:59"). */
function at(zone: string, local: string): Date {
  return DateTime.fromISO(local, { zone }).toJSDate();
}

afterEach(() => {
  vi.useRealTimers();
  delete process.env.ORG_TIMEZONE;
});

const ZONES = [
  // [zone, a day when assignments are made, a daylight-saving change in it (or none)]
  ["America/New_York", "2026-02-06T09:00", "2026-03-08"],
  ["Asia/Shanghai", "2026-02-06T09:00", null],
  ["Pacific/Auckland", "2026-03-06T09:00", "2026-04-05"],
] as const;

describe.each(ZONES)("ORG_TIMEZONE=%s", (zone, assignedAt, dstDay) => {
  test("the due day ends at local midnight: 23:59 is on time, 00:01 the next day is late", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at(zone, assignedAt));
    const app = await appIn(zone);
    const onTime = await app.newLearner();
    const late = await app.newLearner();
    const { dueOn } = await app.basics(onTime);
    expect(dueOn).toBe(app.calendar.addDays(assignedAt.slice(0, 10), 30));

    vi.setSystemTime(at(zone, `${dueOn}T23:59`));
    expect(app.calendar.today()).toBe(dueOn);
    expect(await app.dueInDays(onTime)).toBe(0);
    expect((await app.basics(late)).status).toBe("not_started");
    await app.finish(onTime);
    expect((await app.basics(onTime)).status).toBe("completed_on_time");

    vi.setSystemTime(at(zone, `${dueOn}T23:59`).getTime() + 2 * 60 * 1000);
    expect(app.calendar.today()).toBe(app.calendar.addDays(dueOn, 1));
    expect((await app.basics(late)).status).toBe("overdue");
    expect(await app.dueInDays(late)).toBe(-1);
    await app.finish(late);
    expect((await app.basics(late)).status).toBe("completed_late");
  });

  test("'today' turns at local midnight, not at midnight UTC", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const app = await appIn(zone);
    vi.setSystemTime(at(zone, "2026-06-10T00:30"));
    expect(app.calendar.today()).toBe("2026-06-10");
    vi.setSystemTime(at(zone, "2026-06-09T23:30"));
    expect(app.calendar.today()).toBe("2026-06-09");
  });

  test("across a daylight-saving change the due day is still a whole local day", async () => {
    const app = await appIn(zone);
    const day = dstDay ?? "2026-03-08";
    const start = new Date(app.calendar.startOfDay(day)).getTime();
    const end = new Date(app.calendar.dueBefore(day)).getTime();
    // 23 or 25 hours on the day the clocks change, 24 otherwise; always local midnight to midnight.
    const hours = (end - start) / (60 * 60 * 1000);
    expect(dstDay ? [23, 25] : [24]).toContain(hours);
    expect(app.calendar.dayOf(new Date(end - 1000))).toBe(day);
    expect(app.calendar.dayOf(new Date(end))).toBe(app.calendar.addDays(day, 1));
  });
});

test("changing ORG_TIMEZONE moves every stored due instant to the new zone's midnight", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(at("UTC", "2026-05-01T12:00"));
  const first = await appIn("UTC");
  const id = await first.newLearner();
  const { dueOn } = await first.basics(id);
  // The same database, now read as New York.
  vi.resetModules();
  process.env.ORG_TIMEZONE = "America/New_York";
  pointAt(first.database);
  const { recomputeAssignments } = await import("~/services/assignments.server");
  const { db } = await import("~/utils/db.server");
  await recomputeAssignments();
  const row = await db
    .selectFrom("assignments")
    .select(["due_on", "due_before"])
    .where("user_id", "=", id)
    .executeTakeFirstOrThrow();
  expect(row.due_on).toBe(dueOn);
  expect(row.due_before).toBe(
    at("America/New_York", `${first.calendar.addDays(dueOn, 1)}T00:00`).toISOString(),
  );
});
