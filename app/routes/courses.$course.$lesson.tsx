import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { LessonBody } from "~/components/lesson-body";
import { StatusBadge } from "~/components/progress";
import {
  acknowledgeStatement,
  markLessonComplete,
  openLesson,
  submitQuiz,
  type QuizSubmissionResult,
} from "~/services/lessons.server";
import { SubmissionError } from "~/services/quiz.server";
import { requireViewer } from "~/services/session.server";
import { formatDay } from "~/utils/dates";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `${data.lesson.title} · ${data.course.title} · Staffroom` : "Lesson · Staffroom",
  },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return openLesson(viewer.id, params.course ?? "", params.lesson ?? "");
}

const CONTROL_FIELDS = new Set(["intent", "quiz", "version", "island", "confirm"]);
const Version = z.coerce.number().int().positive();
const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("complete") }),
  z.object({ intent: z.literal("quiz"), quiz: z.string().min(1).max(100), version: Version }),
  z.object({
    intent: z.literal("acknowledge"),
    island: z.string().min(1).max(100),
    version: Version,
    confirm: z.literal("yes").optional(),
  }),
]);

/** One shape for every island reply: the lesson body shows each part beside its island. */
function reply(
  parts: {
    quizId?: string;
    result?: QuizSubmissionResult;
    error?: string;
    islandErrors?: Record<string, string>;
  },
  status = 200,
) {
  return data(
    {
      quizId: parts.quizId ?? null,
      result: parts.result ?? null,
      error: parts.error ?? null,
      islandErrors: parts.islandErrors ?? {},
    },
    { status },
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  const parsed = Intent.safeParse(
    Object.fromEntries([...form].filter(([name]) => CONTROL_FIELDS.has(name))),
  );
  if (!parsed.success) throw new Response("Unknown lesson action.", { status: 400 });
  const courseSlug = params.course ?? "";
  const lessonSlug = params.lesson ?? "";
  const input = parsed.data;

  if (input.intent === "complete") {
    const { next } = await markLessonComplete(viewer.id, courseSlug, lessonSlug);
    return redirect(next ? `/courses/${courseSlug}/${next.slug}` : `/courses/${courseSlug}`);
  }

  if (input.intent === "acknowledge") {
    if (!input.confirm) {
      return reply({ islandErrors: { [input.island]: "Tick the box to confirm you agree." } }, 400);
    }
    try {
      await acknowledgeStatement(viewer.id, courseSlug, lessonSlug, {
        islandId: input.island,
        versionId: input.version,
      });
      return reply({});
    } catch (error) {
      if (!(error instanceof SubmissionError)) throw error;
      return reply({ islandErrors: { [input.island]: error.message } }, 400);
    }
  }

  // A Map, not an object: field names are the client's, and `__proto__` is a name like any other.
  const answers = new Map<string, string[]>();
  for (const [name, value] of form) {
    if (CONTROL_FIELDS.has(name) || typeof value !== "string") continue;
    answers.set(name, [...(answers.get(name) ?? []), value]);
  }
  try {
    const result = await submitQuiz(viewer.id, courseSlug, lessonSlug, {
      quizId: input.quiz,
      versionId: input.version,
      answers: Object.fromEntries(answers),
    });
    return reply({ quizId: input.quiz, result });
  } catch (error) {
    if (!(error instanceof SubmissionError)) throw error;
    return reply({ quizId: input.quiz, error: error.message }, 400);
  }
}

export default function LessonPage() {
  const {
    course,
    lesson,
    versionId,
    rendered,
    hasQuiz,
    hasAcknowledge,
    completedOn,
    staleOn,
    updatedSinceCompleted,
    quizState,
    acknowledged,
    certificateCode,
    prev,
    next,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <article className="lesson" aria-labelledby="lesson-title">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">My training</Link> <span aria-hidden="true">›</span>{" "}
        <Link to={`/courses/${course.slug}`}>{course.title}</Link>
      </nav>
      <header className="lesson__header">
        <h1 id="lesson-title">{lesson.title}</h1>
        <p className="muted">
          About {lesson.minutes} minutes ·{" "}
          <StatusBadge status={completedOn ? "completed" : staleOn ? "stale" : "in_progress"} />
        </p>
        {staleOn ? (
          <p className="notice notice--stale" role="status">
            Updated since you completed it: this lesson changed on {formatDay(staleOn)} in what it
            asks of you. Please go through it again
            {hasQuiz ? " and retake the quiz" : hasAcknowledge ? " and confirm it again" : ""}.
          </p>
        ) : updatedSinceCompleted ? (
          <p className="notice" role="status">
            Updated since you completed it. The changes do not affect what is assessed, so your
            completion still counts.
          </p>
        ) : null}
      </header>
      <div className="prose">
        <LessonBody
          rendered={rendered}
          versionId={versionId}
          quizResult={actionData}
          quizState={quizState}
          acknowledged={acknowledged}
          islandErrors={actionData?.islandErrors}
        />
      </div>
      <footer className="lesson__footer">
        {completedOn ? (
          <p className="done-note" role="status">
            You completed this lesson on {formatDay(completedOn)}.
          </p>
        ) : hasQuiz ? (
          <p className="muted">
            Pass the quiz above{hasAcknowledge ? " and confirm the statement" : ""} to complete this
            lesson.
          </p>
        ) : hasAcknowledge ? (
          <p className="muted">Confirm the statement above to complete this lesson.</p>
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="complete" />
            <button type="submit" className="button">
              Mark complete{next ? " and continue" : ""}
            </button>
          </Form>
        )}
        {certificateCode ? (
          <p className="certificate-note">
            You have completed {course.title}.{" "}
            <Link to={`/certificates/${certificateCode}`}>View your certificate</Link>
          </p>
        ) : null}
        <nav aria-label="Lessons" className="pager">
          {prev ? (
            <Link rel="prev" to={`/courses/${course.slug}/${prev.slug}`}>
              ← {prev.title}
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link rel="next" to={`/courses/${course.slug}/${next.slug}`}>
              {next.title} →
            </Link>
          ) : (
            <Link to={`/courses/${course.slug}`}>Back to the course</Link>
          )}
        </nav>
      </footer>
    </article>
  );
}
