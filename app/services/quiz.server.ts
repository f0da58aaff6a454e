import type { QuizAnswerKey } from "~/components/mdx/islands";

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
 * Refuses answers that name questions or choices this quiz does not have, and several answers to
 * a question that takes one.
 */
export function validateAnswers(
  key: QuizAnswerKey,
  choiceIds: Record<string, string[]>,
  answers: QuizAnswers,
) {
  for (const [questionId, chosen] of Object.entries(answers)) {
    const known = Object.hasOwn(choiceIds, questionId) ? choiceIds[questionId] : undefined;
    const question = Object.hasOwn(key.questions, questionId)
      ? key.questions[questionId]
      : undefined;
    if (!known || !question) {
      throw new QuizSubmissionError(`This quiz has no question "${questionId}".`);
    }
    for (const choice of chosen) {
      if (!known.includes(choice)) {
        throw new QuizSubmissionError(`Question "${questionId}" has no choice "${choice}".`);
      }
    }
    if (question.correct.length <= 1 && new Set(chosen).size > 1) {
      throw new QuizSubmissionError(`Question "${questionId}" takes one answer.`);
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
