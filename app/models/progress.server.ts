/**
 * Progress SQL: the append-only ledger (`progress_events`, written only by `appendEvents`), the
 * summary rows (`lesson_progress`, `course_progress`), quiz attempts and acknowledgements.
 * What counts as complete, stale or passed is decided in app/services/progress.server.ts; these
 * functions run inside its write transactions (through the plain `db`, which joins them).
 */
import type { ExpressionBuilder } from "kysely";
import type { Database, ProgressEventType } from "#db/schema";
import { chunks } from "~/utils/chunks";
import { db } from "~/utils/db.server";
import { summaryStatus, type ProgressStatus } from "~/utils/progress-status";

export interface LessonRef {
  courseId: number;
  lessonId: number;
  versionId: number;
}

export interface LedgerEvent {
  userId: number;
  courseId: number;
  lessonId: number | null;
  versionId: number | null;
  type: ProgressEventType;
  at: string;
  data?: Record<string, unknown>;
}

/** The one writer of the ledger. */
export async function appendEvents(events: LedgerEvent[]): Promise<void> {
  for (const batch of chunks(events)) {
    await db
      .insertInto("progress_events")
      .values(
        batch.map((e) => ({
          user_id: e.userId,
          course_id: e.courseId,
          lesson_id: e.lessonId,
          version_id: e.versionId,
          type: e.type,
          data: JSON.stringify(e.data ?? {}),
          created_at: e.at,
        })),
      )
      .execute();
  }
}

/** The course's summary row exists and shows activity at `at`. */
export async function touchCourseProgress(userId: number, courseId: number, at: string) {
  await db
    .insertInto("course_progress")
    .values({
      user_id: userId,
      course_id: courseId,
      lessons_completed: 0,
      started_at: at,
      last_activity_at: at,
      stale_since: null,
    })
    .onConflict((oc) => oc.columns(["user_id", "course_id"]).doUpdateSet({ last_activity_at: at }))
    .execute();
}

/** The lesson's summary row, first time only: true when this call created it. */
export async function startLesson(userId: number, ref: LessonRef, at: string): Promise<boolean> {
  const inserted = await db
    .insertInto("lesson_progress")
    .values({
      user_id: userId,
      lesson_id: ref.lessonId,
      course_id: ref.courseId,
      version_id: ref.versionId,
      started_at: at,
      completed_at: null,
      stale_since: null,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function hasStartedLesson(userId: number, lessonId: number): Promise<boolean> {
  const row = await db
    .selectFrom("lesson_progress")
    .select("user_id")
    .where("user_id", "=", userId)
    .where("lesson_id", "=", lessonId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function lessonCompletedAt(userId: number, lessonId: number) {
  const row = await db
    .selectFrom("lesson_progress")
    .select("completed_at")
    .where("user_id", "=", userId)
    .where("lesson_id", "=", lessonId)
    .executeTakeFirst();
  return row?.completed_at ?? null;
}

export async function markLessonCompleted(userId: number, ref: LessonRef, at: string) {
  await db
    .insertInto("lesson_progress")
    .values({
      user_id: userId,
      lesson_id: ref.lessonId,
      course_id: ref.courseId,
      version_id: ref.versionId,
      started_at: at,
      completed_at: at,
      stale_since: null,
    })
    .onConflict((oc) =>
      oc
        .columns(["user_id", "lesson_id"])
        .doUpdateSet({ completed_at: at, version_id: ref.versionId, stale_since: null }),
    )
    .execute();
}

/** Completed lessons among a course's PUBLISHED lessons: the one way lessons_completed is counted. */
function completedPublished(courseId: number) {
  return db
    .selectFrom("lesson_progress as lp")
    .innerJoin("lessons as l", "l.id", "lp.lesson_id")
    .where("lp.course_id", "=", courseId)
    .where("l.status", "=", "published")
    .where("lp.completed_at", "is not", null);
}

/** For an UPDATE of course_progress: that row's person's completed published lessons. */
function completedPublishedOf(
  eb: ExpressionBuilder<Database, "course_progress">,
  courseId: number,
) {
  return eb
    .selectFrom("lesson_progress as lp")
    .innerJoin("lessons as l", "l.id", "lp.lesson_id")
    .select((e) => e.fn.countAll<number>().as("n"))
    .whereRef("lp.user_id", "=", "course_progress.user_id")
    .where("lp.course_id", "=", courseId)
    .where("l.status", "=", "published")
    .where("lp.completed_at", "is not", null);
}

export async function publishedLessonCount(courseId: number): Promise<number> {
  const row = await db
    .selectFrom("lessons")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("course_id", "=", courseId)
    .where("status", "=", "published")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function completedLessonCount(userId: number, courseId: number): Promise<number> {
  const row = await completedPublished(courseId)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("lp.user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Sets the course's lesson count and, when `completedAt` is given, completes it — only if it was
 * not complete already. True when the row changed that way (one request wins a race).
 */
export async function updateCourseProgress(
  userId: number,
  courseId: number,
  lessonsCompleted: number,
  completedAt: string | null,
): Promise<boolean> {
  const updated = await db
    .updateTable("course_progress")
    .set({
      lessons_completed: lessonsCompleted,
      ...(completedAt ? { completed_at: completedAt, stale_since: null } : {}),
    })
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .where("completed_at", "is", null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/**
 * Recounts lessons_completed for everyone with progress in a course (lessons were added or
 * archived), set-based; returns who has now done every published lesson but is not complete.
 */
export async function recountCourse(courseId: number): Promise<number[]> {
  await db
    .updateTable("course_progress")
    .set((eb) => ({
      lessons_completed: completedPublishedOf(eb, courseId),
    }))
    .where("course_id", "=", courseId)
    .execute();
  const total = await publishedLessonCount(courseId);
  if (total === 0) return [];
  const rows = await db
    .selectFrom("course_progress")
    .select("user_id")
    .where("course_id", "=", courseId)
    .where("completed_at", "is", null)
    .where("lessons_completed", ">=", total)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Completed lessons (of these, or all) with the version completed on, for re-opening. */
export async function completedLessons(
  courseId: number,
  filter: { userIds?: number[]; lessonIds?: number[] },
) {
  let query = db
    .selectFrom("lesson_progress")
    .select(["user_id as userId", "lesson_id as lessonId", "version_id as versionId"])
    .where("course_id", "=", courseId)
    .where("completed_at", "is not", null);
  if (filter.userIds) query = query.where("user_id", "in", filter.userIds);
  if (filter.lessonIds) query = query.where("lesson_id", "in", filter.lessonIds);
  return query.orderBy("user_id").orderBy("lesson_id").execute();
}

/** Who has opened a lesson and not completed it (a stale completion included): part-way. */
export async function lessonInProgressUserIds(lessonId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("lesson_progress")
    .select("user_id")
    .where("lesson_id", "=", lessonId)
    .where("completed_at", "is", null)
    .orderBy("user_id")
    .execute();
  return rows.map((r) => r.user_id);
}

/**
 * Re-opens completed lessons, set-based: the summary rows say what is needed now (the ledger
 * keeps the earlier completions). `staleSince` is null for a new cycle of a recurring course.
 */
export async function reopenSummaryRows(
  courseId: number,
  rows: { userId: number; lessonId: number }[],
  staleSince: string | null,
) {
  const userIds = [...new Set(rows.map((r) => r.userId))];
  const lessonIds = [...new Set(rows.map((r) => r.lessonId))];
  for (const users of chunks(userIds)) {
    await db
      .updateTable("lesson_progress")
      .set({ completed_at: null, stale_since: staleSince })
      .where("course_id", "=", courseId)
      .where("user_id", "in", users)
      .where("lesson_id", "in", lessonIds)
      .where("completed_at", "is not", null)
      .execute();
    await db
      .updateTable("course_progress")
      .set((eb) => ({
        lessons_completed: completedPublishedOf(eb, courseId),
        completed_at: null,
        stale_since: staleSince,
      }))
      .where("course_id", "=", courseId)
      .where("user_id", "in", users)
      .execute();
  }
}

/** The ledger events a lesson's evidence is read from, oldest first. */
export function evidenceEvents(userId: number, ref: Omit<LessonRef, "versionId">) {
  return db
    .selectFrom("progress_events")
    .select(["type", "version_id", "data", "created_at"])
    .where("user_id", "=", userId)
    .where("course_id", "=", ref.courseId)
    .where("lesson_id", "=", ref.lessonId)
    .where("type", "in", ["quiz_attempted", "quiz_passed", "acknowledged", "reopened"])
    .orderBy("id")
    .execute();
}

export async function insertQuizAttempt(
  userId: number,
  ref: LessonRef,
  attempt: { quizId: string; answers: Record<string, string[]>; score: number; passed: boolean },
  at: string,
) {
  await db
    .insertInto("quiz_attempts")
    .values({
      user_id: userId,
      lesson_id: ref.lessonId,
      version_id: ref.versionId,
      quiz_id: attempt.quizId,
      answers: JSON.stringify(attempt.answers),
      score: attempt.score,
      passed: attempt.passed ? 1 : 0,
      created_at: at,
    })
    .execute();
}

export async function insertAcknowledgement(
  userId: number,
  ref: LessonRef,
  statement: { islandId: string; text: string },
  at: string,
) {
  await db
    .insertInto("acknowledgements")
    .values({
      user_id: userId,
      lesson_id: ref.lessonId,
      version_id: ref.versionId,
      island_id: statement.islandId,
      statement_text: statement.text,
      created_at: at,
    })
    .execute();
}

export interface LessonProgressRow {
  lessonId: number;
  /** The version the person last completed (or opened) the lesson on. */
  versionId: number | null;
  startedAt: string;
  completedAt: string | null;
  staleSince: string | null;
}

/** Per lesson of one course: this person's summary row. */
export async function lessonProgressForCourse(
  userId: number,
  courseId: number,
): Promise<LessonProgressRow[]> {
  return db
    .selectFrom("lesson_progress")
    .select([
      "lesson_id as lessonId",
      "version_id as versionId",
      "started_at as startedAt",
      "completed_at as completedAt",
      "stale_since as staleSince",
    ])
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .execute();
}

/** Per course: this person's summary row. */
export function courseProgressForUser(userId: number) {
  return db
    .selectFrom("course_progress")
    .select(["course_id", "lessons_completed", "started_at", "completed_at", "last_activity_at"])
    .where("user_id", "=", userId)
    .execute();
}

export interface CourseStatusSummary {
  status: ProgressStatus;
  lessonsCompleted: number;
  completedAt: string | null;
  staleSince: string | null;
}

/** One person's summary row for one course, as a status. */
export async function courseStatus(userId: number, courseId: number): Promise<CourseStatusSummary> {
  const row = await db
    .selectFrom("course_progress")
    .select([
      "lessons_completed as lessonsCompleted",
      "started_at as startedAt",
      "completed_at as completedAt",
      "stale_since as staleSince",
    ])
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .executeTakeFirst();
  return {
    status: summaryStatus(row ?? null),
    lessonsCompleted: row?.lessonsCompleted ?? 0,
    completedAt: row?.completedAt ?? null,
    staleSince: row?.staleSince ?? null,
  };
}

/** A person's whole ledger for one course, oldest first. */
export function courseLedger(userId: number, courseId: number) {
  return db
    .selectFrom("progress_events")
    .select(["type", "lesson_id", "data", "created_at"])
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .orderBy("id")
    .execute();
}
