import { describe, expect, test } from "vitest";
import type { QuizAnswerKey, QuizIsland } from "~/components/mdx/islands";
import {
  feedbackFor,
  gradeQuiz,
  QuizSubmissionError,
  shuffledForAttempt,
  validateAnswers,
} from "~/services/quiz.server";

const key: QuizAnswerKey = {
  passMark: 0.8,
  questions: {
    q1: { correct: ["q1-b"], explanationHtml: "<p>one</p>" },
    q2: { correct: ["q2-a"], explanationHtml: "<p>two</p>" },
    q3: { correct: ["q3-a", "q3-c"], explanationHtml: "<p>three</p>" },
    q4: { correct: ["q4-c"], explanationHtml: "<p>four</p>" },
    q5: { correct: ["q5-a"], explanationHtml: "<p>five</p>" },
  },
};
/** The island the browser sees for this quiz: ids, choices and which questions take several. */
const quiz: QuizIsland = {
  kind: "quiz",
  id: "quiz-1",
  passMark: 0.8,
  questions: Object.entries({
    q1: ["q1-a", "q1-b", "q1-c"],
    q2: ["q2-a", "q2-b"],
    q3: ["q3-a", "q3-b", "q3-c"],
    q4: ["q4-a", "q4-b", "q4-c"],
    q5: ["q5-a", "q5-b"],
  }).map(([id, choices]) => ({
    id,
    promptHtml: id,
    multiple: id === "q3",
    choices: choices.map((c) => ({ id: c, html: c })),
  })),
};
const allRight = { q1: ["q1-b"], q2: ["q2-a"], q3: ["q3-a", "q3-c"], q4: ["q4-c"], q5: ["q5-a"] };

describe("gradeQuiz", () => {
  test("all correct passes with full marks", () => {
    const result = gradeQuiz(key, allRight);
    expect(result).toMatchObject({ score: 1, passed: true });
    expect(result.questions.every((q) => q.correct)).toBe(true);
  });

  test("empty answers fail with zero", () => {
    expect(gradeQuiz(key, {})).toMatchObject({ score: 0, passed: false });
  });

  test("exactly at the pass mark passes; one below fails", () => {
    expect(gradeQuiz(key, { ...allRight, q5: ["q5-b"] })).toMatchObject({
      score: 0.8,
      passed: true,
    });
    expect(gradeQuiz(key, { ...allRight, q4: [], q5: ["q5-b"] })).toMatchObject({
      score: 0.6,
      passed: false,
    });
  });

  test("a multiple-choice question needs exactly the correct set", () => {
    const partial = gradeQuiz(key, { ...allRight, q3: ["q3-a"] });
    const extra = gradeQuiz(key, { ...allRight, q3: ["q3-a", "q3-b", "q3-c"] });
    expect(partial.questions.find((q) => q.id === "q3")?.correct).toBe(false);
    expect(extra.questions.find((q) => q.id === "q3")?.correct).toBe(false);
  });
});

describe("validateAnswers", () => {
  test("refuses unknown questions and choices from another question", () => {
    expect(() => validateAnswers(quiz, { q9: ["q9-a"] })).toThrow(QuizSubmissionError);
    expect(() => validateAnswers(quiz, { q1: ["q2-a"] })).toThrow(/no choice "q2-a"/);
    expect(() => validateAnswers(quiz, allRight)).not.toThrow();
  });

  test("takes one value for a single-answer question and at most every choice, once each, for the others", () => {
    expect(() => validateAnswers(quiz, { q1: ["q1-b", "q1-b"] })).toThrow(/takes one answer/);
    expect(() => validateAnswers(quiz, { q3: ["q3-a", "q3-b", "q3-c", "q3-a"] })).toThrow(
      /has 3 choices; 4 answers were sent/,
    );
    expect(() => validateAnswers(quiz, { q3: ["q3-a", "q3-a"] })).toThrow(/same answer twice/);
    expect(() => validateAnswers(quiz, { q3: ["q3-a", "q3-b", "q3-c"] })).not.toThrow();
  });

  test.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "a field named %s is an unknown question",
    (name) => {
      const answers = Object.fromEntries([[name, ["x"]]]);
      expect(() => validateAnswers(quiz, answers)).toThrow(`This quiz has no question "${name}"`);
    },
  );
});

describe("feedbackFor", () => {
  const wrong = gradeQuiz(key, { ...allRight, q1: ["q1-a"], q2: ["q2-b"] });
  const practice: QuizIsland = { ...quiz, feedback: "immediate" };

  test("a failed attempt with attempts left says which questions to revisit, never why", () => {
    const feedback = feedbackFor(quiz, wrong, null);
    expect(feedback).toMatchObject({ passed: false, reveal: "revisit" });
    expect(feedback.questions.map((q) => [q.id, q.correct, q.explanationHtml])).toEqual([
      ["q1", false, null],
      ["q2", false, null],
      ["q3", true, null],
      ["q4", true, null],
      ["q5", true, null],
    ]);
    expect(feedbackFor(quiz, wrong, 2).reveal).toBe("revisit");
  });

  test("a pass, the last permitted attempt and a practice quiz show every explanation", () => {
    for (const feedback of [
      feedbackFor(quiz, gradeQuiz(key, allRight), null),
      feedbackFor(quiz, wrong, 0),
      feedbackFor(practice, wrong, null),
    ]) {
      expect(feedback.reveal).toBe("review");
      expect(feedback.questions.map((q) => q.explanationHtml)).toEqual(
        Object.values(key.questions).map((q) => q.explanationHtml),
      );
    }
  });
});

describe("shuffledForAttempt", () => {
  const orders = (seed: string) =>
    shuffledForAttempt(quiz, seed).questions.map((q) => q.choices.map((c) => c.id).join(","));

  test("keeps every choice and its id, the same order for one seed and another for the next attempt", () => {
    const first = orders("ann|v1|quiz-1|0");
    expect(orders("ann|v1|quiz-1|0")).toEqual(first);
    for (const [i, order] of first.entries()) {
      expect(order.split(",").sort()).toEqual(quiz.questions[i]!.choices.map((c) => c.id));
    }
    const later = ["1", "2", "3", "4"].map((n) => orders(`ann|v1|quiz-1|${n}`));
    expect(later.some((order) => order.join("|") !== first.join("|"))).toBe(true);
  });
});
