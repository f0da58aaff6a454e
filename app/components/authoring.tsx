import { Link } from "@remix-run/react";

const STATE_LABEL = {
  published: "Published",
  archived: "Archived",
  draft: "Draft",
  new: "New, not published",
} as const;

/** A course's or lesson's state, spelled out (never colour alone). */
export function CourseState({ state }: { state: keyof typeof STATE_LABEL }) {
  return <span className={`badge badge--${state}`}>{STATE_LABEL[state]}</span>;
}

/** Courses › course › lesson, for the authoring pages. */
export function AuthoringCrumbs({
  course,
  lesson,
}: {
  course?: { slug: string; title: string };
  lesson?: { slug: string; title: string };
}) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to="/admin/courses">Courses</Link>
      {course ? (
        <>
          {" "}
          <span aria-hidden="true">›</span>{" "}
          <Link to={`/admin/courses/${course.slug}`}>{course.title}</Link>
        </>
      ) : null}
      {course && lesson ? (
        <>
          {" "}
          <span aria-hidden="true">›</span>{" "}
          <Link to={`/admin/courses/${course.slug}/${lesson.slug}`}>{lesson.title}</Link>
        </>
      ) : null}
    </nav>
  );
}

/** Problems in course files, each at its file:line:col (the editor's own list links to the line). */
export function SourceErrorList({
  errors,
}: {
  errors: readonly { file: string; line: number; column: number; message: string }[];
}) {
  return (
    <ul className="problem-list">
      {errors.map((e, i) => (
        <li key={i}>
          <code>
            {e.file}:{e.line}:{e.column}
          </code>{" "}
          {e.message}
        </li>
      ))}
    </ul>
  );
}
