import { describe, expect, test } from "vitest";
import type { QuizAnswerKey } from "~/components/mdx/islands";
import { gradeQuiz, QuizSubmissionError, validateAnswers } from "~/services/quiz.server";

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
const choices = {
  q1: ["q1-a", "q1-b", "q1-c"],
  q2: ["q2-a", "q2-b"],
  q3: ["q3-a", "q3-b", "q3-c"],
  q4: ["q4-a", "q4-b", "q4-c"],
  q5: ["q5-a", "q5-b"],
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
    expect(() => validateAnswers(key, choices, { q9: ["q9-a"] })).toThrow(QuizSubmissionError);
    expect(() => validateAnswers(key, choices, { q1: ["q2-a"] })).toThrow(/no choice "q2-a"/);
    expect(() => validateAnswers(key, choices, allRight)).not.toThrow();
  });
});
