import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { LessonBody } from "~/components/lesson-body";
import { ProgressBar, StatusBadge } from "~/components/progress";
import { courseOverview } from "~/services/learner.server";
import { requireViewer } from "~/services/session.server";
import { STATUS_LABELS } from "~/utils/progress-status";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.course.title} · Staffroom` : "Course · Staffroom" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const overview = await courseOverview(viewer.id, params.course ?? "");
  if (!overview) throw new Response("There is no such course.", { status: 404 });
  return overview;
}

export default function CoursePage() {
  const { course, intro, lessons, status, certificateCode } = useLoaderData<typeof loader>();
  const done = lessons.filter((l) => l.status === "completed").length;
  const next = lessons.find((l) => l.status !== "completed");
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">My training</Link> <span aria-hidden="true">›</span>{" "}
        <span>{course.title}</span>
      </nav>
      <h1>{course.title}</h1>
      <p className="lede">{course.summary}</p>
      <ProgressBar
        done={done}
        total={lessons.length}
        label={`${course.title}: lessons completed`}
      />
      {status === "stale" ? (
        <p className="notice notice--stale" role="status">
          Updated since you completed it: some lessons changed in what they ask of you. Redo the
          lessons marked &ldquo;{STATUS_LABELS.stale}&rdquo; to complete the course again.
        </p>
      ) : null}
      {certificateCode ? (
        <p className="certificate-note">
          You have completed this course.{" "}
          <Link to={`/certificates/${certificateCode}`}>View your certificate</Link>
        </p>
      ) : null}
      {next ? (
        <p>
          <Link className="button" to={`/courses/${course.slug}/${next.slug}`}>
            {done === 0 ? "Start the course" : "Continue"}
          </Link>
        </p>
      ) : null}
      {intro ? (
        <div className="prose">
          <LessonBody rendered={intro} />
        </div>
      ) : null}
      <h2>Lessons</h2>
      <ol className="lesson-list">
        {lessons.map((lesson) => (
          <li key={lesson.slug}>
            <Link to={`/courses/${course.slug}/${lesson.slug}`}>{lesson.title}</Link>
            <span className="muted small">
              {lesson.minutes} min{lesson.hasQuiz ? " · quiz" : ""}
            </span>
            <StatusBadge status={lesson.status} />
            {lesson.updatedSinceCompleted ? (
              <span className="muted small">Updated since you completed it</span>
            ) : null}
          </li>
        ))}
      </ol>
    </>
  );
}
