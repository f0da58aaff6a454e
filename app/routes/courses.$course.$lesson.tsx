import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { LessonBody } from "~/components/lesson-body";
import { StatusBadge } from "~/components/progress";
import { markLessonComplete, openLesson, submitQuiz } from "~/services/lessons.server";
import { QuizSubmissionError } from "~/services/quiz.server";
import { requireViewer } from "~/utils/auth.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title: data ? `${data.lesson.title} · ${data.course.title} · Staffroom` : "Lesson · Staffroom",
  },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return openLesson(viewer.id, params.course ?? "", params.lesson ?? "");
}

const CONTROL_FIELDS = new Set(["intent", "quiz", "version"]);
const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("complete") }),
  z.object({
    intent: z.literal("quiz"),
    quiz: z.string().min(1).max(100),
    version: z.coerce.number().int().positive(),
  }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const form = await request.formData();
  const parsed = Intent.safeParse(
    Object.fromEntries([...form].filter(([name]) => CONTROL_FIELDS.has(name))),
  );
  if (!parsed.success) throw new Response("Unknown lesson action.", { status: 400 });
  const courseSlug = params.course ?? "";
  const lessonSlug = params.lesson ?? "";

  if (parsed.data.intent === "complete") {
    const { next } = await markLessonComplete(viewer.id, courseSlug, lessonSlug);
    return redirect(next ? `/courses/${courseSlug}/${next.slug}` : `/courses/${courseSlug}`);
  }

  const answers: Record<string, string[]> = {};
  for (const [name, value] of form) {
    if (CONTROL_FIELDS.has(name) || typeof value !== "string") continue;
    (answers[name] ??= []).push(value);
  }
  try {
    const result = await submitQuiz(viewer.id, courseSlug, lessonSlug, {
      quizId: parsed.data.quiz,
      versionId: parsed.data.version,
      answers,
    });
    return { quizId: parsed.data.quiz, result, error: null };
  } catch (error) {
    if (!(error instanceof QuizSubmissionError)) throw error;
    return data({ quizId: parsed.data.quiz, result: null, error: error.message }, 400);
  }
}

export default function LessonPage() {
  const { course, lesson, versionId, rendered, hasQuiz, completedAt, prev, next } =
    useLoaderData<typeof loader>();
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
          <StatusBadge status={completedAt ? "completed" : "in_progress"} />
        </p>
      </header>
      <div className="prose">
        <LessonBody
          rendered={rendered}
          versionId={versionId}
          quizResult={actionData ?? undefined}
        />
      </div>
      <footer className="lesson__footer">
        {completedAt ? (
          <p className="done-note" role="status">
            You completed this lesson on{" "}
            {new Date(completedAt).toLocaleDateString("en-GB", { dateStyle: "long" })}.
          </p>
        ) : hasQuiz ? (
          <p className="muted">Pass the quiz above to complete this lesson.</p>
        ) : (
          <Form method="post">
            <input type="hidden" name="intent" value="complete" />
            <button type="submit" className="button">
              Mark complete{next ? " and continue" : ""}
            </button>
          </Form>
        )}
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
