import { sql } from "kysely";
import { beforeAll, expect, test } from "vitest";
import { getLessonPage, listLessons, listPublishedCourses } from "~/models/courses.server";
import type { LessonRef } from "~/models/progress.server";
import { completeLesson, reopenLessons } from "~/services/progress.server";
import { createUser } from "~/models/users.server";
import { syncCourses } from "~/services/courses.server";
import { all, exec, migratedDatabase, one } from "./helpers/db";

let refs: LessonRef[];
let learners = 0;

/** A learner of this test's own, with no progress yet. */
const newLearner = () =>
  createUser({ email: `p${++learners}@example.com`, name: "P", departmentId: null });

const courseRow = async (userId: number) =>
  (await one(
    sql`select lessons_completed, completed_at, stale_since from course_progress where user_id = ${userId}`,
  )) as {
    lessons_completed: number;
    completed_at: string | null;
    stale_since: string | null;
  };

beforeAll(async () => {
  await migratedDatabase();
  const sync = await syncCourses("test/fixtures/courses-integration");
  expect(sync.errors).toEqual([]);
  const course = (await listPublishedCourses()).find((c) => c.slug === "basics")!;
  const lessons = await listLessons(course.id);
  refs = await Promise.all(
    lessons.map(async (l) => ({
      courseId: course.id,
      lessonId: l.id,
      versionId: (await getLessonPage("basics", l.slug))!.versionId,
    })),
  );
});

test("completing every lesson completes the course, once", async () => {
  const userId = await newLearner();
  await completeLesson(userId, refs[0]!);
  expect(await courseRow(userId)).toMatchObject({ lessons_completed: 1, completed_at: null });
  await completeLesson(userId, refs[1]!);
  await completeLesson(userId, refs[1]!);
  expect(await courseRow(userId)).toMatchObject({ lessons_completed: 2 });
  expect((await courseRow(userId)).completed_at).not.toBeNull();
  const events = await all(
    sql`select type, count(*) n from progress_events where user_id = ${userId} group by type order by type`,
  );
  expect(events).toEqual([
    { type: "course_completed", n: 1 },
    { type: "lesson_completed", n: 2 },
  ]);
});

test("re-opening a stale lesson re-opens the course and keeps the ledger", async () => {
  const userId = await newLearner();
  for (const ref of refs) await completeLesson(userId, ref);
  expect((await courseRow(userId)).completed_at).not.toBeNull();
  const reopened = await reopenLessons(
    refs[0]!.courseId,
    { userIds: [userId], lessonIds: [refs[0]!.lessonId] },
    "stale",
  );
  expect(reopened).toBe(1);
  expect(await courseRow(userId)).toMatchObject({ lessons_completed: 1, completed_at: null });
  expect((await courseRow(userId)).stale_since).not.toBeNull();
  await completeLesson(userId, refs[0]!);
  expect(await courseRow(userId)).toMatchObject({ lessons_completed: 2, stale_since: null });
  expect((await courseRow(userId)).completed_at).not.toBeNull();
});

test("the event ledger refuses UPDATE and DELETE", async () => {
  const userId = await newLearner();
  await completeLesson(userId, refs[0]!);
  await expect(
    exec(sql`update progress_events set type = 'waived' where user_id = ${userId}`),
  ).rejects.toThrow(/append-only/);
  await expect(exec(sql`delete from progress_events where user_id = ${userId}`)).rejects.toThrow(
    /append-only/,
  );
});
