import type { AcknowledgeIsland, QuizIsland } from "~/components/mdx/islands";
import { latestCertificateCode } from "~/models/certificates.server";
import { dayOf } from "~/utils/calendar.server";
import { invalid, notFound } from "~/utils/domain-errors.server";
import { getAnswerKey, getLessonPage, lessonOfVersion } from "~/models/courses.server";
import { courseStatus, lessonProgressForCourse } from "~/models/progress.server";
import {
  completeLessonIfMet,
  lessonEvidence,
  recordAcknowledgement,
  recordLessonOpened,
  recordQuizAttempt,
  type LessonRules,
} from "./progress.server";
import {
  feedbackFor,
  gradeQuiz,
  QuizSubmissionError,
  shuffledForAttempt,
  SubmissionError,
  validateAnswers,
  type QuizAnswers,
  type QuizFeedback,
} from "./quiz.server";

type Page = NonNullable<Awaited<ReturnType<typeof getLessonPage>>>;

async function requireLesson(courseSlug: string, lessonSlug: string): Promise<Page> {
  const page = await getLessonPage(courseSlug, lessonSlug);
  if (!page) throw notFound("There is no such lesson.");
  return page;
}

const refOf = (page: Page) => ({
  courseId: page.course.id,
  lessonId: page.lesson.id,
  versionId: page.versionId,
});

/** A lesson is complete when every quiz in it is passed and every statement confirmed. */
function rulesOf(page: Page): LessonRules {
  return {
    quizIds: page.rendered.islands.filter((i) => i.kind === "quiz").map((i) => i.id),
    acknowledgeIds: page.rendered.islands.filter((i) => i.kind === "acknowledge").map((i) => i.id),
    maxAttempts: page.lesson.maxAttempts,
    validFromVersionId: page.lesson.validFromVersionId,
  };
}

/** Submissions carry the version they were answered on: another lesson's or an old one is refused. */
async function requireCurrentVersion(page: Page, versionId: number, what: string) {
  if (versionId === page.versionId) return;
  if ((await lessonOfVersion(versionId)) !== page.lesson.id) {
    throw new SubmissionError(`That ${what} is not part of this lesson.`);
  }
  throw new SubmissionError(
    "This lesson has changed since you opened it. Reload the page and answer again.",
  );
}

/** A lesson as its reader sees it: stored HTML and islands, never an answer key. */
export async function openLesson(userId: number, courseSlug: string, lessonSlug: string) {
  const page = await requireLesson(courseSlug, lessonSlug);
  const ref = refOf(page);
  const rules = rulesOf(page);
  await recordLessonOpened(userId, ref);
  const [progress, evidence, course] = await Promise.all([
    lessonProgressForCourse(userId, page.course.id),
    lessonEvidence(userId, ref, rules.validFromVersionId),
    courseStatus(userId, page.course.id),
  ]);
  const mine = progress.find((p) => p.lessonId === page.lesson.id);
  const completedAt = mine?.completedAt ?? null;
  // Choices come in a new order for each attempt (the seed counts the attempts made).
  const islands = page.rendered.islands.map((island) =>
    island.kind === "quiz"
      ? shuffledForAttempt(
          island,
          `${userId}\n${page.versionId}\n${island.id}\n${evidence.attempts[island.id] ?? 0}`,
        )
      : island,
  );
  const quizState = Object.fromEntries(
    rules.quizIds.map((id) => [
      id,
      {
        passed: evidence.passed.has(id),
        attemptsLeft:
          rules.maxAttempts == null
            ? null
            : Math.max(0, rules.maxAttempts - (evidence.attempts[id] ?? 0)),
      },
    ]),
  );
  return {
    course: { slug: page.course.slug, title: page.course.title },
    lesson: { slug: page.lesson.slug, title: page.lesson.title, minutes: page.lesson.minutes },
    versionId: page.versionId,
    rendered: { ...page.rendered, islands },
    hasQuiz: page.hasQuiz,
    hasAcknowledge: page.hasAcknowledge,
    /** The organisation's day it was completed. */
    completedOn: completedAt ? dayOf(completedAt) : null,
    /** The person completed this lesson, then what it assesses changed: they need to redo it. */
    staleOn: !completedAt && mine?.staleSince ? dayOf(mine.staleSince) : null,
    /** Completed on an earlier version whose changes did not touch what is assessed. */
    updatedSinceCompleted: completedAt != null && mine?.versionId !== page.versionId,
    quizState,
    /** Statement id → the day it was confirmed. */
    acknowledged: Object.fromEntries(
      Object.entries(evidence.acknowledged).map(([id, at]) => [id, dayOf(at)]),
    ),
    certificateCode:
      course.status === "completed" ? await latestCertificateCode(userId, page.course.id) : null,
    prev: page.prev,
    next: page.next,
  };
}

/** `intent=complete`: for lessons without a quiz, once any statement in them is confirmed. */
export async function markLessonComplete(userId: number, courseSlug: string, lessonSlug: string) {
  const page = await requireLesson(courseSlug, lessonSlug);
  if (page.hasQuiz) {
    throw invalid("This lesson is completed by passing its quiz.");
  }
  const outcome = await completeLessonIfMet(userId, refOf(page), rulesOf(page));
  if ("refused" in outcome) {
    throw invalid("Confirm the statement in this lesson first: that completes it.");
  }
  return { next: page.next };
}

export interface QuizSubmissionResult extends QuizFeedback {
  /** Attempts left after this one; null = unlimited. */
  attemptsLeft: number | null;
  lessonCompleted: boolean;
  courseCompleted: boolean;
}

/**
 * Grades a quiz on the server and records the attempt. Tampered submissions (another lesson's
 * quiz or version, unknown questions or choices, more answers than a question takes, an old
 * version) and submissions past the attempt limit are refused with a SubmissionError and recorded
 * nowhere. The reply reveals only what feedbackFor allows.
 */
export async function submitQuiz(
  userId: number,
  courseSlug: string,
  lessonSlug: string,
  submission: { quizId: string; versionId: number; answers: QuizAnswers },
): Promise<QuizSubmissionResult> {
  const page = await requireLesson(courseSlug, lessonSlug);
  await requireCurrentVersion(page, submission.versionId, "quiz");
  const quiz = page.rendered.islands.find(
    (island): island is QuizIsland => island.kind === "quiz" && island.id === submission.quizId,
  );
  const key = quiz ? (await getAnswerKey(page.versionId))?.[quiz.id] : undefined;
  if (!quiz || !key) throw new QuizSubmissionError("That quiz is not part of this lesson.");
  validateAnswers(quiz, submission.answers);
  const result = gradeQuiz(key, submission.answers);
  const rules = rulesOf(page);
  const outcome = await recordQuizAttempt(
    userId,
    refOf(page),
    { quizId: quiz.id, answers: submission.answers, score: result.score, passed: result.passed },
    rules,
  );
  if ("refused" in outcome) {
    throw new QuizSubmissionError(
      `You have used all ${rules.maxAttempts} attempts at this quiz. Please talk to your manager.`,
    );
  }
  return { ...feedbackFor(quiz, result, outcome.attemptsLeft), ...outcome };
}

/**
 * `intent=acknowledge`: stores the exact statement and version with the confirmation. Returns
 * whether that completed the lesson.
 */
export async function acknowledgeStatement(
  userId: number,
  courseSlug: string,
  lessonSlug: string,
  submission: { islandId: string; versionId: number },
) {
  const page = await requireLesson(courseSlug, lessonSlug);
  await requireCurrentVersion(page, submission.versionId, "statement");
  const island = page.rendered.islands.find(
    (i): i is AcknowledgeIsland => i.kind === "acknowledge" && i.id === submission.islandId,
  );
  if (!island) throw new SubmissionError("That statement is not part of this lesson.");
  return recordAcknowledgement(
    userId,
    refOf(page),
    { islandId: island.id, text: island.statementText },
    rulesOf(page),
  );
}
