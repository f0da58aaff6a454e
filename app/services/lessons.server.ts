import type { QuizIsland } from "~/components/mdx/islands";
import { getAnswerKey, getLessonPage } from "~/models/courses.server";
import {
  completeLesson,
  lessonProgressForCourse,
  recordLessonOpened,
  recordQuizAttempt,
} from "~/models/progress.server";
import { gradeQuiz, QuizSubmissionError, validateAnswers, type QuizResult } from "./quiz.server";

async function requireLesson(courseSlug: string, lessonSlug: string) {
  const page = await getLessonPage(courseSlug, lessonSlug);
  if (!page) throw new Response("There is no such lesson.", { status: 404 });
  return page;
}

const refOf = (page: Awaited<ReturnType<typeof requireLesson>>) => ({
  courseId: page.course.id,
  lessonId: page.lesson.id,
  versionId: page.versionId,
});

/** A lesson as its reader sees it: stored HTML and islands, never an answer key. */
export async function openLesson(userId: number, courseSlug: string, lessonSlug: string) {
  const page = await requireLesson(courseSlug, lessonSlug);
  await recordLessonOpened(userId, refOf(page));
  const progress = await lessonProgressForCourse(userId, page.course.id);
  const completedAt = progress.find((p) => p.lesson_id === page.lesson.id)?.completed_at ?? null;
  return {
    course: { slug: page.course.slug, title: page.course.title },
    lesson: { slug: page.lesson.slug, title: page.lesson.title, minutes: page.lesson.minutes },
    versionId: page.versionId,
    rendered: page.rendered,
    hasQuiz: page.hasQuiz,
    completedAt,
    prev: page.prev,
    next: page.next,
  };
}

/** `intent=complete`: only lessons without a quiz can be marked complete by hand. */
export async function markLessonComplete(userId: number, courseSlug: string, lessonSlug: string) {
  const page = await requireLesson(courseSlug, lessonSlug);
  if (page.hasQuiz) {
    throw new Response("This lesson is completed by passing its quiz.", { status: 400 });
  }
  await completeLesson(userId, refOf(page));
  return { next: page.next };
}

export async function submitQuiz(
  userId: number,
  courseSlug: string,
  lessonSlug: string,
  submission: { quizId: string; versionId: number; answers: Record<string, string[]> },
): Promise<QuizResult> {
  const page = await requireLesson(courseSlug, lessonSlug);
  if (submission.versionId !== page.versionId) {
    throw new QuizSubmissionError(
      "This lesson has changed since you opened it. Reload the page and answer again.",
    );
  }
  const quiz = page.rendered.islands.find(
    (island): island is QuizIsland => island.kind === "quiz" && island.id === submission.quizId,
  );
  const key = (await getAnswerKey(page.versionId))?.[submission.quizId];
  if (!quiz || !key) throw new QuizSubmissionError("That quiz is not part of this lesson.");
  const choiceIds = Object.fromEntries(
    quiz.questions.map((q) => [q.id, q.choices.map((c) => c.id)]),
  );
  validateAnswers(key, choiceIds, submission.answers);
  const result = gradeQuiz(key, submission.answers);
  await recordQuizAttempt(userId, refOf(page), {
    answers: submission.answers,
    score: result.score,
    passed: result.passed,
  });
  return result;
}
