import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProgressBar, StatusBadge } from "~/components/progress";
import { learnerDashboard } from "~/services/learner.server";
import { requireViewer } from "~/utils/auth.server";

export const meta: MetaFunction = () => [{ title: "My training · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return { name: viewer.name, ...(await learnerDashboard(viewer.id)) };
}

export default function Home() {
  const { name, courses, nextCourse } = useLoaderData<typeof loader>();
  const completed = courses.filter((c) => c.status === "completed").length;
  return (
    <>
      <h1>Hello, {name.split(" ")[0]}</h1>
      <p className="lede">
        {courses.length === 0
          ? "No courses have been published yet."
          : `You have completed ${completed} of ${courses.length} courses.`}
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
      ) : courses.length > 0 ? (
        <p className="all-done" role="status">
          You have finished every course. Well done.
        </p>
      ) : null}
      <h2>My courses</h2>
      <ul className="card-list">
        {courses.map((course) => (
          <li key={course.slug} className="card">
            <div className="card__head">
              <h3>
                <Link to={`/courses/${course.slug}`}>{course.title}</Link>
              </h3>
              <StatusBadge status={course.status} />
            </div>
            <p>{course.summary}</p>
            <ProgressBar
              done={course.lessonsCompleted}
              total={course.lessonCount}
              label={`${course.title}: lessons completed`}
            />
            <p className="muted small">About {course.minutes} minutes in all</p>
          </li>
        ))}
      </ul>
    </>
  );
}
