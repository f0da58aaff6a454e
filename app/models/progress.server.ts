import type { Kysely, Transaction } from "kysely";
import type { Database, ProgressEventType } from "#db/schema";
import { db } from "~/utils/db.server";
import { nowIso } from "~/utils/clock.server";
import { summaryStatus, type ProgressStatus } from "~/utils/progress-status";
import { issueCertificateIn } from "./certificates.server";

export interface LessonRef {
  courseId: number;
  lessonId: number;
  versionId: number;
}

type Trx = Transaction<Database>;

async function appendEvent(
  trx: Trx,
  userId: number,
  ref: { courseId: number; lessonId: number | null; versionId: number | null },
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

/** Something a person did in a lesson: its ledger event, and the course's last activity. */
async function recordActivityIn(
  trx: Trx,
  userId: number,
  ref: LessonRef,
  type: ProgressEventType,
  at: string,
  data: Record<string, unknown> = {},
) {
  await appendEvent(trx, userId, ref, type, at, data);
  await trx
    .insertInto("course_progress")
    .values({
      user_id: userId,
      course_id: ref.courseId,
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
    await recordActivityIn(trx, userId, ref, "started", at);
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
  await recordActivityIn(trx, userId, ref, "lesson_completed", at, evidence);

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
  const allDone = done >= Number(counts.total);
  const updated = await trx
    .updateTable("course_progress")
    .set({
      lessons_completed: done,
      ...(allDone ? { completed_at: at, stale_since: null } : {}),
    })
    .where("user_id", "=", userId)
    .where("course_id", "=", ref.courseId)
    .where("completed_at", "is", null)
    .executeTakeFirst();
  const courseCompleted = allDone && Number(updated.numUpdatedRows) > 0;
  if (courseCompleted) {
    const certificate = await issueCertificateIn(trx, userId, ref.courseId, at);
    await appendEvent(
      trx,
      userId,
      { courseId: ref.courseId, lessonId: null, versionId: null },
      "course_completed",
      at,
      { certificate },
    );
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

/** What a lesson version asks of a person before it counts as complete. */
export interface LessonRules {
  quizIds: string[];
  acknowledgeIds: string[];
  /** Quiz attempts per quiz; null = unlimited. */
  maxAttempts: number | null;
  /** Evidence from versions older than this does not count (what is assessed changed since). */
  validFromVersionId: number;
}

/** A person's evidence for one lesson, read from the ledger since its last re-opening. */
export interface LessonEvidence {
  /** Quiz id → attempts made. */
  attempts: Record<string, number>;
  passed: Set<string>;
  /** Acknowledge island id → when it was confirmed. */
  acknowledged: Record<string, string>;
}

type Executor = Kysely<Database> | Trx;

/** What this person has done in a lesson that still counts (quizzes passed, statements confirmed). */
export function lessonEvidence(
  userId: number,
  ref: Omit<LessonRef, "versionId">,
  validFromVersionId: number,
): Promise<LessonEvidence> {
  return evidenceIn(db, userId, ref, validFromVersionId);
}

async function evidenceIn(
  executor: Executor,
  userId: number,
  ref: Omit<LessonRef, "versionId">,
  validFromVersionId: number,
): Promise<LessonEvidence> {
  const events = await executor
    .selectFrom("progress_events")
    .select(["type", "version_id", "data", "created_at"])
    .where("user_id", "=", userId)
    .where("course_id", "=", ref.courseId)
    .where("lesson_id", "=", ref.lessonId)
    .where("type", "in", ["quiz_attempted", "quiz_passed", "acknowledged", "reopened"])
    .orderBy("id")
    .execute();
  const evidence: LessonEvidence = { attempts: {}, passed: new Set(), acknowledged: {} };
  for (const event of events) {
    if (event.type === "reopened") {
      evidence.attempts = {};
      evidence.passed.clear();
      evidence.acknowledged = {};
      continue;
    }
    if (event.version_id == null || event.version_id < validFromVersionId) continue;
    const data = JSON.parse(event.data) as { quiz?: string; island?: string };
    if (event.type === "quiz_attempted" && data.quiz)
      evidence.attempts[data.quiz] = (evidence.attempts[data.quiz] ?? 0) + 1;
    else if (event.type === "quiz_passed" && data.quiz) evidence.passed.add(data.quiz);
    else if (event.type === "acknowledged" && data.island)
      evidence.acknowledged[data.island] ??= event.created_at;
  }
  return evidence;
}

function rulesMet(rules: LessonRules, evidence: LessonEvidence): boolean {
  return (
    rules.quizIds.every((id) => evidence.passed.has(id)) &&
    rules.acknowledgeIds.every((id) => id in evidence.acknowledged)
  );
}

/** Completes the lesson (with `via` as the completion's evidence) when every rule is now met. */
async function completeIfMetIn(
  trx: Trx,
  userId: number,
  ref: LessonRef,
  rules: LessonRules,
  evidence: LessonEvidence,
  via: Record<string, unknown>,
): Promise<{ lessonCompleted: boolean; courseCompleted: boolean }> {
  if (!rulesMet(rules, evidence)) return { lessonCompleted: false, courseCompleted: false };
  const done = await completeLessonIn(trx, userId, ref, via);
  return { lessonCompleted: done.lessonNewlyCompleted, courseCompleted: done.courseCompleted };
}

export type LessonOutcome =
  { completed: boolean; courseCompleted: boolean } | { refused: "missing_evidence" };

/**
 * `intent=complete`: completes the lesson when the person has met every rule (a lesson without
 * quizzes or acknowledgements has none). Nothing is written otherwise.
 */
export function completeLessonIfMet(
  userId: number,
  ref: LessonRef,
  rules: LessonRules,
): Promise<LessonOutcome> {
  return db.transaction().execute(async (trx) => {
    const evidence = await evidenceIn(trx, userId, ref, rules.validFromVersionId);
    if (!rulesMet(rules, evidence)) return { refused: "missing_evidence" as const };
    const done = await completeLessonIn(trx, userId, ref);
    return { completed: done.lessonNewlyCompleted, courseCompleted: done.courseCompleted };
  });
}

export interface QuizAttemptRecord {
  quizId: string;
  answers: Record<string, string[]>;
  score: number;
  passed: boolean;
}

export type QuizAttemptOutcome =
  | {
      attemptsLeft: number | null;
      lessonCompleted: boolean;
      courseCompleted: boolean;
    }
  | { refused: "no_attempts_left" };

/**
 * Every attempt is kept, with its answers, in the ledger and in quiz_attempts. The attempt limit
 * is checked in the same transaction as the write. A pass that meets every rule of the lesson
 * completes it (and the course, with its certificate) in that transaction too.
 */
export function recordQuizAttempt(
  userId: number,
  ref: LessonRef,
  attempt: QuizAttemptRecord,
  rules: LessonRules,
): Promise<QuizAttemptOutcome> {
  return db.transaction().execute(async (trx) => {
    const evidence = await evidenceIn(trx, userId, ref, rules.validFromVersionId);
    const used = evidence.attempts[attempt.quizId] ?? 0;
    if (rules.maxAttempts != null && used >= rules.maxAttempts)
      return { refused: "no_attempts_left" as const };
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
    await recordActivityIn(trx, userId, ref, "quiz_attempted", at, {
      quiz: attempt.quizId,
      answers: attempt.answers,
      score: attempt.score,
      passed: attempt.passed,
    });
    const attemptsLeft = rules.maxAttempts == null ? null : rules.maxAttempts - used - 1;
    if (!attempt.passed) return { attemptsLeft, lessonCompleted: false, courseCompleted: false };
    await appendEvent(trx, userId, ref, "quiz_passed", at, {
      quiz: attempt.quizId,
      score: attempt.score,
    });
    evidence.passed.add(attempt.quizId);
    const via = { via: "quiz", quiz: attempt.quizId, score: attempt.score };
    return { attemptsLeft, ...(await completeIfMetIn(trx, userId, ref, rules, evidence, via)) };
  });
}

/**
 * A confirmed <Acknowledge>: the exact statement and version are stored, an `acknowledged` event
 * is appended, and the lesson completes when every rule is met. Confirming twice changes nothing.
 */
export function recordAcknowledgement(
  userId: number,
  ref: LessonRef,
  statement: { islandId: string; text: string },
  rules: LessonRules,
): Promise<{ lessonCompleted: boolean; courseCompleted: boolean }> {
  return db.transaction().execute(async (trx) => {
    const evidence = await evidenceIn(trx, userId, ref, rules.validFromVersionId);
    if (statement.islandId in evidence.acknowledged)
      return { lessonCompleted: false, courseCompleted: false };
    const at = nowIso();
    await trx
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
    await recordActivityIn(trx, userId, ref, "acknowledged", at, {
      island: statement.islandId,
      statement: statement.text,
    });
    evidence.acknowledged[statement.islandId] = at;
    const via = { via: "acknowledge", island: statement.islandId };
    return completeIfMetIn(trx, userId, ref, rules, evidence, via);
  });
}

/**
 * Re-opens, for everyone who completed them, lessons whose assessed content changed (or that were
 * published with `retake: required`). Runs in the publishing transaction. Returns how many
 * completions were re-opened.
 */
export async function reopenLessonsForEveryoneIn(
  trx: Trx,
  courseId: number,
  lessonIds: number[],
): Promise<number> {
  if (lessonIds.length === 0) return 0;
  const people = await trx
    .selectFrom("lesson_progress")
    .select("user_id")
    .distinct()
    .where("course_id", "=", courseId)
    .where("lesson_id", "in", lessonIds)
    .where("completed_at", "is not", null)
    .orderBy("user_id")
    .execute();
  let reopened = 0;
  for (const { user_id } of people)
    reopened += await reopenLessonsIn(trx, user_id, courseId, lessonIds, "stale");
  return reopened;
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

/**
 * The same status recomputed from the ledger alone (progress_events), for audits and for the
 * test that keeps the summary rows honest.
 */
export async function courseStatusFromLedger(
  userId: number,
  courseId: number,
): Promise<CourseStatusSummary> {
  const events = await db
    .selectFrom("progress_events")
    .select(["type", "lesson_id", "data", "created_at"])
    .where("user_id", "=", userId)
    .where("course_id", "=", courseId)
    .orderBy("id")
    .execute();
  const completed = new Set<number>();
  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let staleSince: string | null = null;
  for (const event of events) {
    startedAt ??= event.created_at;
    if (event.type === "lesson_completed" && event.lesson_id != null) {
      completed.add(event.lesson_id);
    } else if (event.type === "reopened" && event.lesson_id != null) {
      completed.delete(event.lesson_id);
      completedAt = null;
      const { reason } = JSON.parse(event.data) as { reason?: ReopenReason };
      staleSince = reason === "stale" ? event.created_at : null;
    } else if (event.type === "course_completed") {
      completedAt = event.created_at;
      staleSince = null;
    }
  }
  return {
    status: summaryStatus({ startedAt, completedAt, staleSince }),
    lessonsCompleted: completed.size,
    completedAt,
    staleSince,
  };
}
