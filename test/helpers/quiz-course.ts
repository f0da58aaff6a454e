import {
  acknowledgeStatement,
  markLessonComplete,
  openLesson,
  submitQuiz,
} from "~/services/lessons.server";

// test/fixtures/courses-quiz/safety: welcome; check = five questions (pass mark 0.8, three
// attempts) and a statement; policy = a statement.
export const ALL_RIGHT = {
  q1: ["q1-b"],
  q2: ["q2-a"],
  q3: ["q3-a", "q3-c"],
  q4: ["q4-c"],
  q5: ["q5-a"],
};
export const ALL_WRONG = { q1: ["q1-a"], q2: ["q2-b"], q3: ["q3-b"], q4: ["q4-a"], q5: ["q5-b"] };

/** Does every lesson of the quiz fixture course (synced as `slug`); returns the last step's outcome. */
export async function completeQuizCourse(userId: number, slug = "safety") {
  await markLessonComplete(userId, slug, "welcome");
  const check = await openLesson(userId, slug, "check");
  await submitQuiz(userId, slug, "check", {
    quizId: "quiz-1",
    versionId: check.versionId,
    answers: ALL_RIGHT,
  });
  await acknowledgeStatement(userId, slug, "check", {
    islandId: "ack-1",
    versionId: check.versionId,
  });
  const policy = await openLesson(userId, slug, "policy");
  return acknowledgeStatement(userId, slug, "policy", {
    islandId: "ack-1",
    versionId: policy.versionId,
  });
}
