// Data shapes shared by the compile step (server) and the lesson page (browser).
// What the browser receives never contains an answer key.

export interface QuizChoiceData {
  id: string;
  html: string;
}

export interface QuizQuestionData {
  id: string;
  promptHtml: string;
  /** True when the question has several correct choices (checkboxes instead of radios). */
  multiple: boolean;
  choices: QuizChoiceData[];
  /** `#heading-id` of the section that teaches this question (`<Question revisit>`), if given. */
  revisit?: string;
}

export interface QuizIsland {
  kind: "quiz";
  id: string;
  passMark: number;
  /**
   * `immediate` (practice): verdicts and explanations after every attempt. Otherwise a failed
   * attempt only says which questions to revisit; explanations come with a pass or the last attempt.
   */
  feedback?: "immediate";
  questions: QuizQuestionData[];
}

export interface AcknowledgeIsland {
  kind: "acknowledge";
  id: string;
  statementHtml: string;
  /** The exact statement as plain text, stored with each confirmation. */
  statementText: string;
}

/** Interactive teaching components (worksheets, sorting exercises): props are plain JSON. */
export interface WidgetIsland {
  kind: "widget";
  id: string;
  widget: string;
  props: Record<string, unknown>;
}

export type IslandData = QuizIsland | AcknowledgeIsland | WidgetIsland;

/** The static HTML around the islands: segments.length === islands.length + 1. */
export interface RenderedLesson {
  segments: string[];
  islands: IslandData[];
}

/** Server-only: kept out of every response. */
export interface QuizAnswerKey {
  passMark: number;
  questions: Record<string, { correct: string[]; explanationHtml: string }>;
}

export type AnswerKey = Record<string, QuizAnswerKey>;
