import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CourseState } from "~/components/authoring";
import { DataTable } from "~/components/data-table";
import { Field } from "~/components/field";
import { actorOf } from "~/models/audit.server";
import { createCourse, listAuthoringCourses } from "~/services/course-admin.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import { dayOf } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction = () => [{ title: "Courses · Staffroom" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const courses = await listAuthoringCourses();
  return {
    courses: courses.map((c) => ({
      ...c,
      lastPublishedOn: c.lastPublishedAt ? dayOf(c.lastPublishedAt) : null,
    })),
  };
}

const NewCourseForm = z.object({
  title: z.string().trim().min(1, "Give the course a title.").max(200, "At most 200 characters."),
  summary: z
    .string()
    .trim()
    .min(1, "Say in a sentence what the course is for.")
    .max(2000, "At most 2,000 characters."),
  order: z.coerce
    .number({ message: "Enter a number." })
    .int("Enter a whole number.")
    .min(0, "Enter 0 or more.")
    .max(1000, "Enter at most 1000."),
});

export async function action({ request }: ActionFunctionArgs) {
  const actor = actorOf(await requireAdmin(request));
  const parsed = NewCourseForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    return data(
      {
        errors: {
          title: fields.title?.[0],
          summary: fields.summary?.[0],
          order: fields.order?.[0],
        },
      },
      400,
    );
  }
  const { slug } = await createCourse(actor, parsed.data);
  return redirect(`/admin/courses/${slug}`);
}

export default function Courses() {
  const { courses } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  return (
    <>
      <h1>Courses</h1>
      <p className="lede">
        Every course, as learners see it (published), being written (draft) or taken out of use
        (archived). Courses written here and courses written as files in the courses folder are the
        same thing: publishing writes the files.
      </p>
      <DataTable
        label="Courses"
        testId="courses-table"
        columns={["Course", "State", "Lessons", "Lesson versions", "Last published", "Drafts"]}
      >
        {courses.map((c) => (
          <tr key={c.slug}>
            <th scope="row">
              <Link to={`/admin/courses/${c.slug}`}>{c.title}</Link>
              <span className="muted small block">{c.slug}</span>
            </th>
            <td>
              <CourseState state={c.state} />
            </td>
            <td>{c.lessonCount}</td>
            <td>{c.version ?? "—"}</td>
            <td>
              {c.lastPublishedOn ? (
                <>
                  {formatDay(c.lastPublishedOn)}
                  <span className="muted small block">
                    by {c.lastPublishedBy ?? "a sync of the courses folder"}
                  </span>
                </>
              ) : (
                "Not yet"
              )}
            </td>
            <td>{c.drafts > 0 ? `${c.drafts} unpublished` : "—"}</td>
          </tr>
        ))}
      </DataTable>
      <section className="panel" aria-labelledby="new-course">
        <h2 id="new-course">Create a course</h2>
        <p className="muted">
          A new course is a draft: learners do not see it, and nothing is written to the courses
          folder until you publish it with at least one lesson.
        </p>
        <Form method="post" noValidate>
          <Field label="Title" name="title" required maxLength={200} error={errors?.title} />
          <div className="field">
            <label htmlFor="summary">Summary</label>
            <textarea
              id="summary"
              name="summary"
              rows={2}
              required
              maxLength={2000}
              aria-invalid={errors?.summary ? true : undefined}
              aria-describedby={errors?.summary ? "summary-error" : undefined}
            />
            {errors?.summary ? (
              <p className="field__error" id="summary-error" role="alert">
                {errors.summary}
              </p>
            ) : null}
          </div>
          <Field
            label="Order"
            name="order"
            type="number"
            min={0}
            max={1000}
            defaultValue={(courses.length + 1) * 10}
            hint="Courses are listed for learners from the lowest number up."
            error={errors?.order}
          />
          <button type="submit" className="button">
            Create the course
          </button>
        </Form>
      </section>
    </>
  );
}
