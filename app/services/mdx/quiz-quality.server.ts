/**
 * Quiz-quality warnings for `courses check`: patterns that let someone pass without reading.
 * Warnings, not errors (`courses check --strict` makes them errors). A choice's length is the
 * number of characters of its plain text: Markdown stripped, whitespace collapsed.
 */
import type { Point, SourceError } from "./errors.server";

export interface QuestionOutline {
  at: Point;
  choices: { text: string; correct: boolean }[];
}

export interface QuizOutline {
  at: Point;
  questions: QuestionOutline[];
}

/** How much longer the longest choice may be: at most twice the shortest, or 30 characters more. */
const SPREAD_FACTOR = 2;
const SPREAD_CHARACTERS = 30;

const lengthOf = (text: string) => [...text].length;

/** The correct choice of a single-answer question is longer than every other choice. */
function correctIsLongest(question: QuestionOutline): boolean {
  const correct = question.choices.find((c) => c.correct)!;
  return question.choices.every((c) => c === correct || lengthOf(c.text) < lengthOf(correct.text));
}

export function quizQualityWarnings(file: string, quizzes: QuizOutline[]): SourceError[] {
  const warnings: SourceError[] = [];
  const warn = (at: Point, message: string) =>
    warnings.push({ file, ...at, message: `warning: ${message}` });
  for (const quiz of quizzes) {
    const single = quiz.questions.filter(
      (q) => q.choices.length >= 3 && q.choices.filter((c) => c.correct).length === 1,
    );
    const longest = single.filter(correctIsLongest).length;
    if (longest >= 2 && longest * 2 > single.length) {
      warn(
        quiz.at,
        `the correct choice is the longest in ${longest} of ${single.length} single-answer questions with three or more choices: someone who always picks the longest choice passes; make the choices similar in length`,
      );
    }
    for (const question of quiz.questions) {
      const correct = question.choices.filter((c) => c.correct).length;
      if (correct >= 2 && question.choices.length >= 3 && question.choices.length - correct === 1) {
        warn(
          question.at,
          `every choice but one is correct: the odd one out gives the answer away; vary how many choices are correct and make the wrong ones plausible`,
        );
      }
      const lengths = question.choices.map((c) => lengthOf(c.text));
      const shortest = Math.min(...lengths);
      const longestChoice = Math.max(...lengths);
      if (
        longestChoice > SPREAD_FACTOR * shortest &&
        longestChoice - shortest > SPREAD_CHARACTERS
      ) {
        warn(
          question.at,
          `the choices differ greatly in length (${shortest} to ${longestChoice} characters): make them similar in length and form`,
        );
      }
    }
  }
  return warnings;
}
