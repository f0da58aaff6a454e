import { createHash } from "node:crypto";
import type { QuizAnswerKey, QuizIsland } from "~/components/mdx/islands";

export type QuizAnswers = Record<string, string[]>;

export interface QuizResult {
  score: number;
  passed: boolean;
  passMark: number;
  questions: { id: string; correct: boolean; explanationHtml: string; selected: string[] }[];
}

/** A submission the server refuses as it stands (tampered, stale, out of attempts): nothing is recorded. */
export class SubmissionError extends Error {}

export class QuizSubmissionError extends SubmissionError {}

/**
 * Refuses answers that name questions or choices this quiz does not have, more than one answer
 * to a question that takes one, and more answers than a question has choices. Field names are
 * looked up among the quiz's own question ids only, so `__proto__` and friends are unknown
 * questions like any other; what passes is bounded by the quiz itself.
 */
export function validateAnswers(quiz: QuizIsland, answers: QuizAnswers) {
  const questions = new Map(quiz.questions.map((q) => [q.id, q]));
  for (const [questionId, chosen] of Object.entries(answers)) {
    const question = questions.get(questionId);
    if (!question) throw new QuizSubmissionError(`This quiz has no question "${questionId}".`);
    const limit = question.multiple ? question.choices.length : 1;
    if (chosen.length > limit) {
      throw new QuizSubmissionError(
        question.multiple
          ? `Question "${questionId}" has ${limit} choices; ${chosen.length} answers were sent.`
          : `Question "${questionId}" takes one answer.`,
      );
    }
    if (new Set(chosen).size !== chosen.length) {
      throw new QuizSubmissionError(`Question "${questionId}" got the same answer twice.`);
    }
    for (const choice of chosen) {
      if (!question.choices.some((c) => c.id === choice)) {
        throw new QuizSubmissionError(`Question "${questionId}" has no choice "${choice}".`);
      }
    }
  }
}

/** A question counts as right only when exactly the correct choices were picked. */
export function gradeQuiz(key: QuizAnswerKey, answers: QuizAnswers): QuizResult {
  const questions = Object.entries(key.questions).map(([id, { correct, explanationHtml }]) => {
    const selected = [...new Set((Object.hasOwn(answers, id) ? answers[id] : undefined) ?? [])];
    const chosen = new Set(selected);
    const right = chosen.size === correct.length && correct.every((c) => chosen.has(c));
    return { id, correct: right, explanationHtml, selected };
  });
  const rightCount = questions.filter((q) => q.correct).length;
  const score = questions.length === 0 ? 0 : rightCount / questions.length;
  // Compare whole counts, so that 4/5 against a pass mark of 0.8 is never lost to rounding.
  const passed = rightCount >= Math.ceil(key.passMark * questions.length - 1e-9);
  return { score, passed, passMark: key.passMark, questions };
}

/** What a learner is shown after an attempt. */
export interface QuizFeedback {
  score: number;
  passed: boolean;
  passMark: number;
  /**
   * `review`: every question's verdict and explanation. `revisit`: the verdicts only, so the
   * learner knows which questions (and, where the author linked one, which sections) to go back
   * over, but not which choice is right nor why.
   */
  reveal: "review" | "revisit";
  questions: { id: string; correct: boolean; explanationHtml: string | null; selected: string[] }[];
}

/**
 * Explanations teach, and they also give the key away. So they come with a pass, with the last
 * permitted attempt, or on every attempt of a practice quiz (`feedback="immediate"`).
 */
export function feedbackFor(
  quiz: QuizIsland,
  result: QuizResult,
  attemptsLeft: number | null,
): QuizFeedback {
  const reveal =
    quiz.feedback === "immediate" || result.passed || attemptsLeft === 0 ? "review" : "revisit";
  return {
    score: result.score,
    passed: result.passed,
    passMark: result.passMark,
    reveal,
    questions: result.questions.map((q) => ({
      ...q,
      explanationHtml: reveal === "review" ? q.explanationHtml : null,
    })),
  };
}

/**
 * The quiz with each question's choices in an order of its own for this attempt: the same order
 * every time the page is shown during one attempt, a new one for the next. Choice ids stay the
 * same, so grading does not depend on the order.
 */
export function shuffledForAttempt(quiz: QuizIsland, seed: string): QuizIsland {
  return {
    ...quiz,
    questions: quiz.questions.map((question) => {
      const choices = [...question.choices];
      for (let i = choices.length - 1; i > 0; i--) {
        const digest = createHash("sha256").update(`${seed}\n${question.id}\n${i}`).digest();
        const j = digest.readUInt32BE(0) % (i + 1);
        [choices[i], choices[j]] = [choices[j]!, choices[i]!];
      }
      return { ...question, choices };
    }),
  };
}
