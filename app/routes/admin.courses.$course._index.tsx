import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthoringCrumbs, CourseState, SourceErrorList } from "~/components/authoring";
import { DataTable } from "~/components/data-table";
import { Field } from "~/components/field";
import { actorOf } from "~/models/audit.server";
import { publishLesson } from "~/services/authoring.server";
import {
  addLesson,
  archiveLesson,
  coursePage,
  moveLesson,
  publishCourse,
} from "~/services/course-admin.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import { dayOf } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.course.title ?? "Course"} · Courses · Staffroom` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const page = await coursePage(params.course ?? "");
  return {
    ...page,
    lessons: page.lessons.map((l) => ({
      ...l,
      publishedOn: l.publishedAt ? dayOf(l.publishedAt) : null,
    })),
  };
}

const Slug = z.string().min(1).max(100);
const Title = z
  .string()
  .trim()
  .min(1, "Give the lesson a title.")
  .max(200, "At most 200 characters.");
const Version = z.coerce.number().int().positive();
const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add"), title: Title }),
  z.object({
    intent: z.literal("move"),
    lesson: Slug,
    direction: z.enum(["up", "down"]),
    order: z.array(Slug).max(500),
  }),
  z.object({ intent: z.literal("rename"), lesson: Slug, title: Title, base: Version }),
  z.object({
    intent: z.literal("archive"),
    lesson: Slug,
    base: Version,
    confirm: z.literal("yes", { message: "Tick the box to confirm." }),
  }),
  z.object({ intent: z.literal("publish") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = actorOf(await requireAdmin(request));
  const course = params.course ?? "";
  const form = await request.formData();
  const parsed = Intent.safeParse({ ...Object.fromEntries(form), order: form.getAll("order") });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return data({ error: issue?.message ?? "That did not work.", errors: null }, 400);
  }
  const input = parsed.data;
  const back = redirect(`/admin/courses/${course}`);
  switch (input.intent) {
    case "add": {
      const { slug } = await addLesson(actor, course, input.title);
      return redirect(`/admin/courses/${course}/${slug}/edit`);
    }
    case "move":
      await moveLesson(actor, course, input.lesson, input.direction, input.order);
      return back;
    case "archive":
      await archiveLesson(actor, course, input.lesson, input.base);
      return back;
    case "rename": {
      const outcome = await publishLesson(
        actor,
        course,
        input.lesson,
        { title: input.title },
        { baseVersionId: input.base, revision: 0 },
      );
      if ("conflict" in outcome) {
        return data({ error: outcome.conflict.message, errors: null }, 409);
      }
      if ("errors" in outcome) {
        const errors = [...outcome.errors.errors, ...outcome.errors.otherErrors];
        return data({ error: "The lesson could not be renamed.", errors }, 400);
      }
      return back;
    }
    case "publish": {
      const errors = await publishCourse(actor, course);
      if (errors.length > 0) {
        return data({ error: "The course has errors, so it was not published.", errors }, 400);
      }
      return back;
    }
  }
}

export default function CoursePage() {
  const { course, lessons, hasFolder } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const published = lessons.filter((l) => l.state === "published");
  const order = published.map((l) => l.slug);
  return (
    <>
      <AuthoringCrumbs />
      <h1>{course.title}</h1>
      <p className="lede">
        <CourseState state={course.state} /> {course.summary}
      </p>
      {course.state === "published" ? (
        <p>
          <Link to={`/courses/${course.slug}`}>See it as learners do</Link>
          {hasFolder ? (
            <>
              {" · "}
              <Link to={`/admin/course-images/${course.slug}`}>Images</Link>
            </>
          ) : null}
        </p>
      ) : null}
      {result?.error ? (
        <div className="notice notice--warn" role="alert">
          <p>{result.error}</p>
          {result.errors ? <SourceErrorList errors={result.errors} /> : null}
        </div>
      ) : null}
      {course.state === "draft" ? (
        <section className="panel" aria-labelledby="publish-course">
          <h2 id="publish-course">Publish the course</h2>
          <p>
            Publishing writes the course folder with its {lessons.length}{" "}
            {lessons.length === 1 ? "lesson" : "lessons"}, checks every one as{" "}
            <code>courses sync</code> would, and makes the course visible to learners (and assigned
            by any rule that covers every published course). Every lesson must be free of errors.
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="publish" />
            <button type="submit" className="button" disabled={lessons.length === 0}>
              Publish the course
            </button>
          </Form>
        </section>
      ) : null}
      <h2>Lessons</h2>
      <DataTable
        label="Lessons"
        testId="lessons-table"
        columns={["Lesson", "State", "Version", "Last published", "Change"]}
      >
        {lessons.map((l) => {
          const index = order.indexOf(l.slug);
          return (
            <tr key={l.slug}>
              <th scope="row">
                <Link to={`/admin/courses/${course.slug}/${l.slug}`}>{l.title}</Link>
                <span className="muted small block">
                  {l.slug}
                  {l.hasQuiz ? " · quiz" : ""}
                </span>
              </th>
              <td>
                <CourseState state={l.state} />
                {l.hasDraft && l.state === "published" ? (
                  <span className="muted small block">Draft waiting</span>
                ) : null}
              </td>
              <td>{l.versionCount > 0 ? l.versionCount : "—"}</td>
              <td>
                {l.publishedOn ? (
                  <>
                    {formatDay(l.publishedOn)}
                    <span className="muted small block">
                      by {l.publishedBy ?? "a sync of the courses folder"}
                    </span>
                  </>
                ) : (
                  "Not yet"
                )}
              </td>
              <td className="lesson-actions">
                {l.state !== "archived" ? (
                  <Link to={`/admin/courses/${course.slug}/${l.slug}/edit`}>Edit</Link>
                ) : null}
                {l.state === "published" ? (
                  <>
                    {(["up", "down"] as const).map((direction) => (
                      <Form method="post" key={direction} className="inline-form">
                        <input type="hidden" name="intent" value="move" />
                        <input type="hidden" name="lesson" value={l.slug} />
                        <input type="hidden" name="direction" value={direction} />
                        {order.map((slug) => (
                          <input key={slug} type="hidden" name="order" value={slug} />
                        ))}
                        <button
                          type="submit"
                          className="button button--quiet"
                          disabled={direction === "up" ? index === 0 : index === order.length - 1}
                          aria-label={`Move ${l.title} ${direction}`}
                        >
                          {direction === "up" ? "↑ Up" : "↓ Down"}
                        </button>
                      </Form>
                    ))}
                    <details className="lesson-actions__more">
                      <summary>Rename or archive</summary>
                      <Form method="post">
                        <input type="hidden" name="intent" value="rename" />
                        <input type="hidden" name="lesson" value={l.slug} />
                        <input type="hidden" name="base" value={l.versionId ?? ""} />
                        <Field
                          label="New title"
                          name="title"
                          id={`title-${l.slug}`}
                          defaultValue={l.title}
                          hint="Publishes a new version with this title; completions stay valid."
                        />
                        <button type="submit" className="button button--quiet">
                          Rename
                        </button>
                      </Form>
                      <Form method="post">
                        <input type="hidden" name="intent" value="archive" />
                        <input type="hidden" name="lesson" value={l.slug} />
                        <input type="hidden" name="base" value={l.versionId ?? ""} />
                        <label className="choice">
                          <input type="checkbox" name="confirm" value="yes" required /> Archive it:
                          learners no longer see it; its file moves to <code>_archive/</code>; every
                          version and completion is kept.
                        </label>
                        <button type="submit" className="button button--quiet">
                          Archive
                        </button>
                      </Form>
                    </details>
                  </>
                ) : null}
              </td>
            </tr>
          );
        })}
      </DataTable>
      {course.state !== "archived" ? (
        <section className="panel" aria-labelledby="add-lesson">
          <h2 id="add-lesson">Add a lesson</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="add" />
            <Field
              label="Title"
              name="title"
              id="new-lesson-title"
              required
              maxLength={200}
              hint="The lesson starts as a draft at the end of the course; its id (its address) comes from the title."
            />
            <button type="submit" className="button">
              Add the lesson
            </button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
