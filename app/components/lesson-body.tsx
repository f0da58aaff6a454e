import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { FormError } from "./field";
import type {
  AcknowledgeIsland,
  IslandData,
  QuizIsland,
  RenderedLesson,
  WidgetIsland,
} from "./mdx/islands";
import { widgets } from "./mdx/widgets";
import { formatDay } from "~/utils/dates";

/*
 * Renders a stored lesson: the static HTML segments (compiled and rendered once, at publish time)
 * with the interactive islands between them. Nothing here compiles or evaluates MDX.
 */

export interface QuizQuestionResult {
  id: string;
  correct: boolean;
  /** Null until the server reveals explanations (a pass, the last attempt, a practice quiz). */
  explanationHtml: string | null;
  /** The choice ids the learner picked, to keep their answers when the page reloads without JS. */
  selected?: string[];
}

/** A graded quiz (services/quiz.server.ts `QuizFeedback`). */
export interface QuizGrade {
  /** 0..1 */
  score: number;
  passed: boolean;
  passMark: number;
  /** `revisit`: verdicts without explanations, pointing back to the lesson. */
  reveal: "review" | "revisit";
  questions: QuizQuestionResult[];
  /** Attempts left after this one; null or undefined = unlimited. */
  attemptsLeft?: number | null;
}

/** What the lesson action returns for `intent=quiz` (pass `useActionData()` straight in). */
export interface QuizActionData {
  /** The quiz this reply is about; null when it is about another island. */
  quizId: string | null;
  result: QuizGrade | null;
  error: string | null;
}

/** What the loader knows about a quiz for this learner. */
export interface QuizState {
  passed?: boolean;
  /** 0..1 */
  bestScore?: number | null;
  attemptsLeft?: number | null;
}

export interface LessonBodyProps {
  rendered: RenderedLesson;
  /** The version the page shows; sent back as a hidden `version` field with every island form. */
  versionId?: number;
  /** The result of the last quiz submission, if any (from actionData). */
  quizResult?: QuizActionData | null;
  /** Per quiz island id. */
  quizState?: Record<string, QuizState>;
  /** Acknowledge island id → ISO time it was confirmed. */
  acknowledged?: Record<string, string>;
  /** A message per island id, e.g. "Answer every question" (from actionData). */
  islandErrors?: Record<string, string>;
  /** Render islands without forms (previews, the course introduction). */
  readOnly?: boolean;
}

export function LessonBody({ rendered, ...state }: LessonBodyProps) {
  const parts: ReactNode[] = [];
  rendered.segments.forEach((html, i) => {
    if (html.trim()) {
      parts.push(
        <div
          key={`segment-${i}`}
          className="lesson-segment"
          dangerouslySetInnerHTML={{ __html: html }}
        />,
      );
    }
    const island = rendered.islands[i];
    if (island) parts.push(<Island key={island.id} island={island} {...state} />);
  });
  return <div className="lesson-body">{parts}</div>;
}

function Island({ island, ...state }: { island: IslandData } & Omit<LessonBodyProps, "rendered">) {
  switch (island.kind) {
    case "quiz":
      return (
        <QuizForm
          quiz={island}
          versionId={state.versionId}
          result={state.quizResult?.quizId === island.id ? state.quizResult.result : null}
          state={state.quizState?.[island.id]}
          error={
            (state.quizResult?.quizId === island.id ? state.quizResult.error : null) ??
            state.islandErrors?.[island.id]
          }
          readOnly={state.readOnly}
        />
      );
    case "acknowledge":
      return (
        <AcknowledgeForm
          island={island}
          versionId={state.versionId}
          acknowledgedAt={state.acknowledged?.[island.id]}
          error={state.islandErrors?.[island.id]}
          readOnly={state.readOnly}
        />
      );
    case "widget":
      return <WidgetIslandView island={island} />;
    default:
      return null;
  }
}

function percent(n: number): string {
  return `${Math.round(n * 100)}%`;
}

export interface QuizFormProps {
  quiz: QuizIsland;
  versionId?: number;
  result?: QuizGrade | null;
  state?: QuizState;
  error?: string | null;
  readOnly?: boolean;
}

export function QuizForm({ quiz, versionId, result, state, error, readOnly }: QuizFormProps) {
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formData?.get("quiz") === quiz.id;
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) resultRef.current?.focus();
  }, [result]);

  const titleId = `${quiz.id}-title`;
  const attemptsLeft = result?.attemptsLeft ?? state?.attemptsLeft;
  const passed = result?.passed ?? state?.passed ?? false;
  const noneLeft = attemptsLeft === 0;
  const locked = noneLeft && !passed;
  const byQuestion = new Map((result?.questions ?? []).map((q) => [q.id, q]));
  // Without `selected`, the form keeps whatever the learner ticked (it is not remounted).
  const selectedKey = (result?.questions ?? []).map((q) => (q.selected ?? []).join(".")).join("|");
  const formKey = selectedKey.replace(/\|/g, "") ? `selected-${selectedKey}` : "form";

  return (
    <section className="quiz" aria-labelledby={titleId}>
      <h2 id={titleId} className="quiz__title">
        Check your understanding
      </h2>
      <p className="quiz__meta">
        {quiz.questions.length} {quiz.questions.length === 1 ? "question" : "questions"} · pass mark{" "}
        {percent(quiz.passMark)}
        {attemptsLeft != null
          ? ` · ${attemptsLeft} ${attemptsLeft === 1 ? "attempt" : "attempts"} left`
          : null}
        {!result && state?.passed ? " · passed" : null}
      </p>

      {result ? (
        <div
          ref={resultRef}
          tabIndex={-1}
          role="status"
          className={`quiz-result ${result.passed ? "quiz-result--passed" : "quiz-result--failed"}`}
        >
          <p className="quiz-result__score">
            You scored {percent(result.score)}.{" "}
            {result.passed ? "You passed." : `You need ${percent(result.passMark)} to pass.`}
          </p>
          {!result.passed && !locked ? (
            <p className="quiz-result__next">
              {result.reveal === "review"
                ? "Read the explanations below and try again."
                : "Go back over the questions marked below, and the parts of the lesson they are about, then try again."}
            </p>
          ) : null}
        </div>
      ) : null}
      {locked ? (
        <p className="quiz__locked" role="status">
          You have used every attempt for this quiz. Please talk to your manager.
        </p>
      ) : null}
      <FormError message={error} />

      <Form method="post" className="quiz__form" key={formKey}>
        <input type="hidden" name="intent" value="quiz" />
        <input type="hidden" name="quiz" value={quiz.id} />
        {versionId != null ? <input type="hidden" name="version" value={versionId} /> : null}
        <ol className="quiz__questions">
          {quiz.questions.map((question, qi) => {
            const r = byQuestion.get(question.id);
            const feedbackId = `${quiz.id}-${question.id}-feedback`;
            return (
              <li
                key={question.id}
                id={`${quiz.id}-${question.id}`}
                className={`quiz-question${r ? (r.correct ? " quiz-question--correct" : " quiz-question--incorrect") : ""}`}
              >
                <fieldset
                  className="quiz-question__fieldset"
                  aria-describedby={r ? feedbackId : undefined}
                >
                  <legend className="quiz-question__prompt">
                    <span className="quiz-question__number">Question {qi + 1}: </span>
                    <span dangerouslySetInnerHTML={{ __html: question.promptHtml }} />
                    {question.multiple ? (
                      <span className="quiz-question__hint"> (choose all that apply)</span>
                    ) : null}
                  </legend>
                  <ul className="quiz-question__choices">
                    {question.choices.map((choice) => {
                      const inputId = `${quiz.id}-${choice.id}`;
                      return (
                        <li key={choice.id} className="quiz-choice">
                          <input
                            id={inputId}
                            className="quiz-choice__input"
                            type={question.multiple ? "checkbox" : "radio"}
                            name={question.id}
                            value={choice.id}
                            defaultChecked={r?.selected?.includes(choice.id) ?? false}
                            required={!question.multiple}
                            disabled={readOnly || noneLeft}
                          />
                          <label
                            htmlFor={inputId}
                            className="quiz-choice__label"
                            dangerouslySetInnerHTML={{ __html: choice.html }}
                          />
                        </li>
                      );
                    })}
                  </ul>
                  {r ? (
                    <div id={feedbackId} className="quiz-feedback">
                      <p className="quiz-feedback__verdict">
                        {r.correct
                          ? "Correct."
                          : result?.reveal === "revisit"
                            ? "Not quite: revisit this one."
                            : "Not quite."}
                      </p>
                      {r.explanationHtml ? (
                        <div
                          className="quiz-feedback__explanation"
                          dangerouslySetInnerHTML={{ __html: r.explanationHtml }}
                        />
                      ) : !r.correct && question.revisit ? (
                        <p className="quiz-feedback__revisit">
                          <a href={question.revisit}>Read the section about this again</a>
                        </p>
                      ) : null}
                    </div>
                  ) : null}
                </fieldset>
              </li>
            );
          })}
        </ol>
        {readOnly ? null : (
          <button type="submit" className="button" disabled={submitting || noneLeft}>
            {submitting ? "Checking…" : result ? "Submit again" : "Submit answers"}
          </button>
        )}
      </Form>
    </section>
  );
}

export interface AcknowledgeFormProps {
  island: AcknowledgeIsland;
  versionId?: number;
  /** ISO time of the learner's confirmation, if they have confirmed. */
  acknowledgedAt?: string | null;
  error?: string | null;
  readOnly?: boolean;
}

export function AcknowledgeForm({
  island,
  versionId,
  acknowledgedAt,
  error,
  readOnly,
}: AcknowledgeFormProps) {
  const navigation = useNavigation();
  const submitting =
    navigation.state !== "idle" && navigation.formData?.get("island") === island.id;
  const titleId = `${island.id}-title`;
  const statementId = `${island.id}-statement`;
  return (
    <section className="acknowledge" aria-labelledby={titleId}>
      <h2 id={titleId} className="acknowledge__title">
        Please confirm
      </h2>
      <div
        id={statementId}
        className="acknowledge__statement"
        dangerouslySetInnerHTML={{ __html: island.statementHtml }}
      />
      {acknowledgedAt ? (
        <p className="acknowledge__done" role="status">
          You confirmed this on <time dateTime={acknowledgedAt}>{formatDay(acknowledgedAt)}</time>.
        </p>
      ) : readOnly ? null : (
        <Form method="post" className="acknowledge__form">
          <input type="hidden" name="intent" value="acknowledge" />
          <input type="hidden" name="island" value={island.id} />
          {versionId != null ? <input type="hidden" name="version" value={versionId} /> : null}
          <div className="acknowledge__check">
            <input
              id={`${island.id}-confirm`}
              type="checkbox"
              name="confirm"
              value="yes"
              required
              aria-describedby={statementId}
            />
            <label htmlFor={`${island.id}-confirm`}>
              I have read this statement and I agree to it.
            </label>
          </div>
          <FormError message={error} />
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? "Saving…" : "Confirm"}
          </button>
        </Form>
      )}
    </section>
  );
}

function WidgetIslandView({ island }: { island: WidgetIsland }) {
  const Widget = Object.hasOwn(widgets, island.widget) ? widgets[island.widget] : undefined;
  if (!Widget) return null;
  return (
    <div className="lesson-widget">
      <Widget {...island.props} />
    </div>
  );
}
