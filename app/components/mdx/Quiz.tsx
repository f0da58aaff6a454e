import type { ReactNode } from "react";

/*
 * Authoring components for inline quizzes. The compile step never renders these into a lesson:
 * it reads their props, pulls the answer key out and leaves an island that the lesson page
 * renders as a form (see components/lesson-body.tsx). These plain versions exist so the registry
 * is complete and an author preview can show the structure; they never mark the correct answer.
 */

export interface QuizProps {
  passMark?: number;
  /** "immediate": explanations after every attempt (practice quizzes). */
  feedback?: "immediate";
  children?: ReactNode;
}

export function Quiz({ children }: QuizProps) {
  return (
    <section className="quiz quiz--static" aria-label="Quiz">
      <h2 className="quiz__title">Quiz</h2>
      <ol className="quiz__questions">{children}</ol>
    </section>
  );
}

export interface QuestionProps {
  prompt: string;
  /** `#heading-id` of the section a learner who got this wrong should read again. */
  revisit?: string;
  children?: ReactNode;
}

export function Question({ prompt, children }: QuestionProps) {
  return (
    <li className="quiz__question">
      <p className="quiz__prompt">{prompt}</p>
      <ul className="quiz__choices">{children}</ul>
    </li>
  );
}

export interface ChoiceProps {
  correct?: boolean;
  children?: ReactNode;
}

export function Choice({ children }: ChoiceProps) {
  return <li className="quiz__choice">{children}</li>;
}

export interface ExplanationProps {
  children?: ReactNode;
}

/** Shown only after grading; the static version renders nothing. */
export function Explanation(_: ExplanationProps) {
  return null;
}
