import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProgressBar, StatusBadge } from "~/components/progress";
import { learnerDashboard } from "~/services/learner.server";
import assignmentStyles from "~/styles/assignments.css?url";
import { requireViewer } from "~/services/session.server";
import { formatDay } from "~/utils/dates";

export const meta: MetaFunction = () => [{ title: "My training · Staffroom" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: assignmentStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return { name: viewer.name, ...(await learnerDashboard(viewer.id)) };
}

type Course = ReturnType<typeof useLoaderData<typeof loader>>["courses"][number];

function DueNote({ course }: { course: Course }) {
  const days = course.dueInDays;
  if (!course.dueOn || days === null) return null;
  const day = formatDay(course.dueOn);
  const when =
    days < 0
      ? `Due ${day}, ${-days} ${days === -1 ? "day" : "days"} ago`
      : days === 0
        ? `Due today (${day})`
        : `Due ${day}, in ${days} ${days === 1 ? "day" : "days"}`;
  return (
    <p className="due small">
      {course.dueSoon ? <span className="due-flag">Due soon</span> : null}
      <span>{when}</span>
    </p>
  );
}

function CourseCard({ course }: { course: Course }) {
  return (
    <li className="card" data-testid="course-card">
      <div className="card__head">
        <h3>
          <Link to={`/courses/${course.slug}`}>{course.title}</Link>
        </h3>
        <StatusBadge status={course.status} />
      </div>
      <DueNote course={course} />
      <p>{course.summary}</p>
      <ProgressBar
        done={course.lessonsCompleted}
        total={course.lessonCount}
        label={`${course.title}: lessons completed`}
      />
      <p className="muted small">About {course.minutes} minutes in all</p>
    </li>
  );
}

export default function Home() {
  const { name, courses, nextCourse } = useLoaderData<typeof loader>();
  const assigned = courses.filter((c) => c.assigned);
  const others = courses.filter((c) => !c.assigned);
  const completed = assigned.filter((c) => c.status === "completed").length;
  const overdue = assigned.filter((c) => c.status === "overdue").length;
  return (
    <>
      <h1>Hello, {name.split(" ")[0]}</h1>
      <p className="lede">
        {courses.length === 0
          ? "No courses have been published yet."
          : assigned.length === 0
            ? "No courses are assigned to you at the moment."
            : `You have completed ${completed} of ${assigned.length} courses.`}
        {overdue > 0 ? (
          <strong>
            {" "}
            {overdue} {overdue === 1 ? "is" : "are"} overdue.
          </strong>
        ) : null}
      </p>
      {nextCourse ? (
        <section className="next-up" aria-labelledby="next-title">
          <h2 id="next-title">Next up</h2>
          <p>
            <strong>{nextCourse.lessonTitle}</strong> in {nextCourse.courseTitle}
          </p>
          <Link
            className="button"
            to={`/courses/${nextCourse.courseSlug}/${nextCourse.lessonSlug}`}
          >
            Continue
          </Link>
        </section>
      ) : assigned.length > 0 ? (
        <p className="all-done" role="status">
          You have finished every course. Well done.
        </p>
      ) : null}
      {assigned.length > 0 ? (
        <>
          <h2>My courses</h2>
          <ul className="card-list" aria-label="Assigned courses, most urgent first">
            {assigned.map((course) => (
              <CourseCard key={course.slug} course={course} />
            ))}
          </ul>
        </>
      ) : null}
      {others.length > 0 ? (
        <>
          <h2>Other courses</h2>
          <p className="muted">Not assigned to you; take them whenever you like.</p>
          <ul className="card-list">
            {others.map((course) => (
              <CourseCard key={course.slug} course={course} />
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
