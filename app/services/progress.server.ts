/**
 * When learning counts: a lesson is complete when every quiz in it is passed and every statement
 * confirmed; a course when every published lesson is; a completion goes stale when what a lesson
 * assesses changes, and re-opens when a recurring course starts a new cycle. Each change is one
 * write transaction: the evidence, the ledger event, the summary rows and any certificate.
 */
import {
  appendEvents,
  completedLessonCount,
  completedLessons,
  courseLedger,
  evidenceEvents,
  hasStartedLesson,
  insertAcknowledgement,
  insertQuizAttempt,
  lessonCompletedAt,
  markLessonCompleted,
  publishedLessonCount,
  recountCourse,
  reopenSummaryRows,
  startLesson,
  touchCourseProgress,
  updateCourseProgress,
  type CourseStatusSummary,
  type LessonRef,
} from "~/models/progress.server";
import { listLessonIds } from "~/models/courses.server";
import { nowIso } from "~/utils/clock.server";
import { writeTransaction } from "~/utils/db.server";
import { summaryStatus } from "~/utils/progress-status";
import { issueCertificate } from "./certificates.server";

/** Something a person did in a lesson: its ledger event, and the course's last activity. */
async function recordActivity(
  userId: number,
  ref: LessonRef,
  type: "started" | "lesson_completed" | "quiz_attempted" | "acknowledged",
  at: string,
  data: Record<string, unknown> = {},
) {
  await appendEvents([{ userId, ...ref, type, at, data }]);
  await touchCourseProgress(userId, ref.courseId, at);
}

/** The first time a person opens a lesson: an event and the summary rows. */
export async function recordLessonOpened(userId: number, ref: LessonRef): Promise<void> {
  if (await hasStartedLesson(userId, ref.lessonId)) return;
  await writeTransaction(
    async () => {
      const at = nowIso();
      if (await startLesson(userId, ref, at)) await recordActivity(userId, ref, "started", at);
    },
    { person: userId },
  );
}

/** Completes the course (with its certificate) if this person has done every published lesson. */
async function completeCourseIfDone(userId: number, courseId: number, at: string) {
  const done = await completedLessonCount(userId, courseId);
  const allDone = done >= (await publishedLessonCount(courseId));
  const completed = await updateCourseProgress(userId, courseId, done, allDone ? at : null);
  if (!allDone || !completed) return false;
  const certificate = await issueCertificate(userId, courseId, at);
  await appendEvents([
    {
      userId,
      courseId,
      lessonId: null,
      versionId: null,
      type: "course_completed",
      at,
      data: { certificate },
    },
  ]);
  return true;
}

/**
 * Marks a lesson complete (idempotent) and completes the course when every published lesson is
 * done. Call it inside the write that records the evidence, so that both land together.
 */
export async function completeLessonIn(
  userId: number,
  ref: LessonRef,
  evidence: Record<string, unknown> = {},
): Promise<{ lessonNewlyCompleted: boolean; courseCompleted: boolean }> {
  if (await lessonCompletedAt(userId, ref.lessonId)) {
    return { lessonNewlyCompleted: false, courseCompleted: false };
  }
  const at = nowIso();
  await markLessonCompleted(userId, ref, at);
  await recordActivity(userId, ref, "lesson_completed", at, evidence);
  return {
    lessonNewlyCompleted: true,
    courseCompleted: await completeCourseIfDone(userId, ref.courseId, at),
  };
}

export function completeLesson(userId: number, ref: LessonRef) {
  return writeTransaction(() => completeLessonIn(userId, ref), { person: userId });
}

export type ReopenReason = "stale" | "new_cycle";

/**
 * Re-opens completed lessons: for these people (or everyone who completed them), because what a
 * lesson assesses changed ("stale"), or because a recurring course starts a new cycle
 * ("new_cycle", every lesson). Set-based; returns how many completions were re-opened.
 */
export async function reopenLessons(
  courseId: number,
  scope: { userIds?: number[]; lessonIds?: number[] },
  reason: ReopenReason,
): Promise<number> {
  if (scope.userIds?.length === 0 || scope.lessonIds?.length === 0) return 0;
  const rows = await completedLessons(courseId, scope);
  if (rows.length === 0) return 0;
  const at = nowIso();
  await appendEvents(
    rows.map((row) => ({
      userId: row.userId,
      courseId,
      lessonId: row.lessonId,
      versionId: row.versionId,
      type: "reopened" as const,
      at,
      data: { reason, completedOnVersion: row.versionId },
    })),
  );
  await reopenSummaryRows(courseId, rows, reason === "stale" ? at : null);
  return rows.length;
}

/**
 * After lessons were added to or archived from a course: everyone's count follows the published
 * lessons, and whoever has now done every one of them completes the course.
 */
export async function recountCourseProgress(courseId: number): Promise<void> {
  const at = nowIso();
  for (const userId of await recountCourse(courseId))
    await completeCourseIfDone(userId, courseId, at);
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

/** What this person has done in a lesson that still counts (quizzes passed, statements confirmed). */
export async function lessonEvidence(
  userId: number,
  ref: Omit<LessonRef, "versionId">,
  validFromVersionId: number,
): Promise<LessonEvidence> {
  const evidence: LessonEvidence = { attempts: {}, passed: new Set(), acknowledged: {} };
  for (const event of await evidenceEvents(userId, ref)) {
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
async function completeIfMet(
  userId: number,
  ref: LessonRef,
  rules: LessonRules,
  evidence: LessonEvidence,
  via: Record<string, unknown>,
): Promise<{ lessonCompleted: boolean; courseCompleted: boolean }> {
  if (!rulesMet(rules, evidence)) return { lessonCompleted: false, courseCompleted: false };
  const done = await completeLessonIn(userId, ref, via);
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
  return writeTransaction(
    async () => {
      const evidence = await lessonEvidence(userId, ref, rules.validFromVersionId);
      if (!rulesMet(rules, evidence)) return { refused: "missing_evidence" as const };
      const done = await completeLessonIn(userId, ref);
      return { completed: done.lessonNewlyCompleted, courseCompleted: done.courseCompleted };
    },
    { person: userId },
  );
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
 * is checked in the same write as the attempt. A pass that meets every rule of the lesson
 * completes it (and the course, with its certificate) in that write too.
 */
export function recordQuizAttempt(
  userId: number,
  ref: LessonRef,
  attempt: QuizAttemptRecord,
  rules: LessonRules,
): Promise<QuizAttemptOutcome> {
  return writeTransaction(
    async () => {
      const evidence = await lessonEvidence(userId, ref, rules.validFromVersionId);
      const used = evidence.attempts[attempt.quizId] ?? 0;
      if (rules.maxAttempts != null && used >= rules.maxAttempts)
        return { refused: "no_attempts_left" as const };
      const at = nowIso();
      await insertQuizAttempt(userId, ref, attempt, at);
      await recordActivity(userId, ref, "quiz_attempted", at, {
        quiz: attempt.quizId,
        answers: attempt.answers,
        score: attempt.score,
        passed: attempt.passed,
      });
      const attemptsLeft = rules.maxAttempts == null ? null : rules.maxAttempts - used - 1;
      if (!attempt.passed) return { attemptsLeft, lessonCompleted: false, courseCompleted: false };
      await appendEvents([
        {
          userId,
          ...ref,
          type: "quiz_passed",
          at,
          data: { quiz: attempt.quizId, score: attempt.score },
        },
      ]);
      evidence.passed.add(attempt.quizId);
      const via = { via: "quiz", quiz: attempt.quizId, score: attempt.score };
      return { attemptsLeft, ...(await completeIfMet(userId, ref, rules, evidence, via)) };
    },
    { person: userId },
  );
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
  return writeTransaction(
    async () => {
      const evidence = await lessonEvidence(userId, ref, rules.validFromVersionId);
      if (statement.islandId in evidence.acknowledged)
        return { lessonCompleted: false, courseCompleted: false };
      const at = nowIso();
      await insertAcknowledgement(userId, ref, statement, at);
      await recordActivity(userId, ref, "acknowledged", at, {
        island: statement.islandId,
        statement: statement.text,
      });
      evidence.acknowledged[statement.islandId] = at;
      const via = { via: "acknowledge", island: statement.islandId };
      return completeIfMet(userId, ref, rules, evidence, via);
    },
    { person: userId },
  );
}

/**
 * The same status recomputed from the ledger alone (progress_events), for audits and for the
 * test that keeps the summary rows honest. Lessons count while published, as in the summary.
 */
export async function courseStatusFromLedger(
  userId: number,
  courseId: number,
): Promise<CourseStatusSummary> {
  const published = new Set(await listLessonIds(courseId, "published"));
  const completed = new Set<number>();
  let startedAt: string | null = null;
  let completedAt: string | null = null;
  let staleSince: string | null = null;
  for (const event of await courseLedger(userId, courseId)) {
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
    lessonsCompleted: [...completed].filter((id) => published.has(id)).length,
    completedAt,
    staleSince,
  };
}
