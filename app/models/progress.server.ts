import type { Transaction } from "kysely";
import type { Database, ProgressEventType } from "#db/schema";
import { db } from "~/utils/db.server";
import { nowIso } from "~/utils/clock.server";

export interface LessonRef {
  courseId: number;
  lessonId: number;
  versionId: number;
}

type Trx = Transaction<Database>;

async function appendEvent(
  trx: Trx,
  userId: number,
  ref: Omit<LessonRef, "versionId"> & { versionId: number | null },
  type: ProgressEventType,
  at: string,
  data: Record<string, unknown> = {},
) {
  await trx
    .insertInto("progress_events")
    .values({
      user_id: userId,
      course_id: ref.courseId,
      lesson_id: ref.lessonId,
      version_id: ref.versionId,
      type,
      data: JSON.stringify(data),
      created_at: at,
    })
    .execute();
}

async function touchCourse(trx: Trx, userId: number, courseId: number, at: string) {
  await trx
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

/** The first time a person opens a lesson: an event and the summary rows, in one transaction. */
export async function recordLessonOpened(userId: number, ref: LessonRef): Promise<void> {
  const existing = await db
    .selectFrom("lesson_progress")
    .select("user_id")
    .where("user_id", "=", userId)
    .where("lesson_id", "=", ref.lessonId)
    .executeTakeFirst();
  if (existing) return;
  await db.transaction().execute(async (trx) => {
    const at = nowIso();
    const inserted = await trx
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
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    await appendEvent(trx, userId, ref, "started", at);
    await touchCourse(trx, userId, ref.courseId, at);
  });
}

/**
 * Marks a lesson complete (idempotent) and completes the course when every published lesson is
 * done. Runs inside the caller's transaction so that the evidence (a quiz attempt, say) and the
 * completion land together.
 */
export async function completeLessonIn(
  trx: Trx,
  userId: number,
  ref: LessonRef,
  evidence: Record<string, unknown> = {},
): Promise<{ lessonNewlyCompleted: boolean; courseCompleted: boolean }> {
  const at = nowIso();
  const current = await trx
    .selectFrom("lesson_progress")
    .select("completed_at")
    .where("user_id", "=", userId)
    .where("lesson_id", "=", ref.lessonId)
    .executeTakeFirst();
  if (current?.completed_at) return { lessonNewlyCompleted: false, courseCompleted: false };

  await trx
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
  await appendEvent(trx, userId, ref, "lesson_completed", at, evidence);
  await touchCourse(trx, userId, ref.courseId, at);

  const counts = await trx
    .selectFrom("lessons")
    .leftJoin("lesson_progress as lp", (join) =>
      join
        .onRef("lp.lesson_id", "=", "lessons.id")
        .on("lp.user_id", "=", userId)
        .on("lp.completed_at", "is not", null),
    )
    .select((eb) => [
      eb.fn.countAll<number>().as("total"),
      eb.fn.count<number>("lp.lesson_id").as("done"),
    ])
    .where("lessons.course_id", "=", ref.courseId)
    .where("lessons.status", "=", "published")
    .executeTakeFirstOrThrow();
  const done = Number(counts.done);
  const courseCompleted = done >= Number(counts.total);
  await trx
    .updateTable("course_progress")
    .set({
      lessons_completed: done,
      ...(courseCompleted ? { completed_at: at, stale_since: null } : {}),
    })
    .where("user_id", "=", userId)
    .where("course_id", "=", ref.courseId)
    .where("completed_at", "is", null)
    .execute();
  if (courseCompleted) {
    await trx
      .insertInto("progress_events")
      .values({
        user_id: userId,
        course_id: ref.courseId,
        lesson_id: null,
        version_id: null,
        type: "course_completed",
        data: "{}",
        created_at: at,
      })
      .execute();
  }
  return { lessonNewlyCompleted: true, courseCompleted };
}

export type ReopenReason = "stale" | "new_cycle";

/**
 * Re-opens completed lessons of one person's course: because what a lesson assesses changed
 * ("stale"), or because a recurring assignment started a new cycle ("new_cycle", every lesson).
 * The ledger keeps the earlier completions; the summary rows say what is needed now.
 */
export async function reopenLessonsIn(
  trx: Trx,
  userId: number,
  courseId: number,
  lessonIds: number[] | "all",
  reason: ReopenReason,
): Promise<number> {
  const at = nowIso();
  let query = trx
    .selectFrom("lesson_progress")
    .select(["lesson_id", "version_id"])
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .where("completed_at", "is not", null);
  if (lessonIds !== "all") {
    if (lessonIds.length === 0) return 0;
    query = query.where("lesson_id", "in", lessonIds);
  }
  const reopened = await query.execute();
  if (reopened.length === 0) return 0;
  const staleSince = reason === "stale" ? at : null;
  for (const row of reopened) {
    await appendEvent(
      trx,
      userId,
      { courseId, lessonId: row.lesson_id, versionId: row.version_id },
      "reopened",
      at,
      { reason, completedOnVersion: row.version_id },
    );
  }
  await trx
    .updateTable("lesson_progress")
    .set({ completed_at: null, stale_since: staleSince })
    .where("user_id", "=", userId)
    .where(
      "lesson_id",
      "in",
      reopened.map((r) => r.lesson_id),
    )
    .execute();
  const remaining = await trx
    .selectFrom("lesson_progress")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .where("completed_at", "is not", null)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable("course_progress")
    .set({ lessons_completed: Number(remaining.n), completed_at: null, stale_since: staleSince })
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .execute();
  return reopened.length;
}

export function completeLesson(userId: number, ref: LessonRef) {
  return db.transaction().execute((trx) => completeLessonIn(trx, userId, ref));
}

export interface QuizAttemptRecord {
  answers: Record<string, string[]>;
  score: number;
  passed: boolean;
}

/** Every attempt is kept; a pass completes the lesson in the same transaction. */
export function recordQuizAttempt(userId: number, ref: LessonRef, attempt: QuizAttemptRecord) {
  return db.transaction().execute(async (trx) => {
    const at = nowIso();
    await trx
      .insertInto("quiz_attempts")
      .values({
        user_id: userId,
        lesson_id: ref.lessonId,
        version_id: ref.versionId,
        answers: JSON.stringify(attempt.answers),
        score: attempt.score,
        passed: attempt.passed ? 1 : 0,
        created_at: at,
      })
      .execute();
    await appendEvent(trx, userId, ref, "quiz_attempted", at, {
      score: attempt.score,
      passed: attempt.passed,
    });
    await touchCourse(trx, userId, ref.courseId, at);
    if (attempt.passed) {
      await appendEvent(trx, userId, ref, "quiz_passed", at, { score: attempt.score });
      await completeLessonIn(trx, userId, ref, { via: "quiz", score: attempt.score });
    }
  });
}

/** Per lesson of one course: when this person opened and completed it. */
export function lessonProgressForCourse(userId: number, courseId: number) {
  return db
    .selectFrom("lesson_progress")
    .select(["lesson_id", "started_at", "completed_at"])
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
