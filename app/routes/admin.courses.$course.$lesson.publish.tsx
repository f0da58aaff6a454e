import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthoringCrumbs, SourceErrorList } from "~/components/authoring";
import { DataTable } from "~/components/data-table";
import { SourceDiff } from "~/components/source-diff";
import { actorOf } from "~/models/audit.server";
import { publishImpact, publishLesson, type PublishSource } from "~/services/authoring.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction = () => [{ title: "Publish a lesson · Staffroom" }];

const Query = z.object({
  restore: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  people: z.preprocess(blankToUndefined, z.literal("1").optional()),
});

const fromOf = (restore: number | undefined): PublishSource =>
  restore ? { restore } : { draft: true };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new Response("That is not a version to publish.", { status: 400 });
  const impact = await publishImpact(
    params.course ?? "",
    params.lesson ?? "",
    fromOf(query.data.restore),
    { listPeople: query.data.people === "1" },
  );
  const { target } = impact;
  return {
    course: { slug: target.course.slug, title: target.course.title },
    lesson: {
      slug: target.slug,
      title: target.lesson?.title ?? target.slug,
      isNew: !target.lesson,
    },
    restore: query.data.restore ?? null,
    check: impact.check,
    diff: impact.diff,
    unchanged: impact.unchanged,
    assessedChanged: impact.assessedChanged,
    retakeRequired: impact.retakeRequired,
    retakerCount: impact.retakerCount,
    retakers: impact.retakers,
    partWay: impact.partWay,
    baseVersionId: impact.baseVersionId,
    revision: impact.revision,
    courseLessons: impact.courseLessons,
  };
}

const PublishForm = z.object({
  restore: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  base: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  revision: z.coerce.number().int().min(0),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const actor = actorOf(await requireAdmin(request));
  const parsed = PublishForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response("That publish request is not valid.", { status: 400 });
  const { restore, base, revision } = parsed.data;
  const course = params.course ?? "";
  const lesson = params.lesson ?? "";
  const outcome = await publishLesson(actor, course, lesson, fromOf(restore), {
    baseVersionId: base ?? null,
    revision,
  });
  if ("published" in outcome) {
    const { versionId, reopened } = outcome.published;
    return redirect(
      `/admin/courses/${course}/${lesson}?published=${versionId}&reopened=${reopened}`,
    );
  }
  if ("conflict" in outcome) return data({ conflict: outcome.conflict }, 409);
  return data({ refused: true }, 400);
}

const people = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? "person" : "people"}`;

export default function PublishLesson() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { course, lesson, check } = page;
  const blocked = check.errors.length + check.otherErrors.length > 0;
  const editor = `/admin/courses/${course.slug}/${lesson.slug}/edit`;
  const query = page.restore ? `?restore=${page.restore}&people=1` : "?people=1";
  return (
    <>
      <AuthoringCrumbs course={course} lesson={lesson} />
      <h1>
        {page.restore ? "Restore a version" : "Publish"}: {lesson.title}
      </h1>
      {result && "conflict" in result ? (
        <div className="notice notice--warn" role="alert">
          <p>{result.conflict.message}</p>
          <SourceDiff
            hunks={result.conflict.diff}
            label="Their version compared with yours"
            beforeLabel="Theirs"
            afterLabel="Yours"
          />
          <p>
            <Link to={editor}>Back to the editor</Link>
          </p>
        </div>
      ) : null}
      {blocked || (result && "refused" in result) ? (
        <div className="notice notice--warn" role="alert">
          <p>
            This {page.restore ? "version" : "draft"} has errors, so it cannot be published; the
            published lesson stays as it is.
          </p>
          <SourceErrorList errors={[...check.errors, ...check.otherErrors]} />
          <p>
            <Link to={editor}>Fix it in the editor</Link>
          </p>
        </div>
      ) : null}
      {page.courseLessons ? (
        <section className="panel" aria-labelledby="draft-course">
          <h2 id="draft-course">This lesson belongs to a draft course</h2>
          <p>
            A draft course is published whole: publishing it writes the course folder with its
            lessons ({page.courseLessons.join(", ")}) and makes it visible to learners. Nobody has
            any progress in it yet.
          </p>
          <Form method="post" action={`/admin/courses/${course.slug}`}>
            <input type="hidden" name="intent" value="publish" />
            <button type="submit" className="button" disabled={blocked}>
              Publish the course
            </button>
          </Form>
        </section>
      ) : (
        <>
          <section className="panel impact" aria-labelledby="impact-title">
            <h2 id="impact-title">What publishing will do</h2>
            {page.unchanged ? (
              <p>This is the same as the published lesson: publishing changes nothing.</p>
            ) : lesson.isNew ? (
              <p>
                A new lesson, added at the end of the course. Nobody&apos;s completions change;
                everyone assigned the course will see it.
              </p>
            ) : page.assessedChanged ? (
              <>
                <p className="impact__figure" data-testid="impact-retake">
                  <strong>
                    {page.retakerCount === 0
                      ? "Nobody has completed this lesson, so nobody will be asked to retake it."
                      : `${people(page.retakerCount)} will be asked to retake this lesson.`}
                  </strong>
                </p>
                <p>
                  {page.retakeRequired ? (
                    <>
                      The lesson says <code>retake: required</code>: everyone who completed it must
                      do it again.
                    </>
                  ) : (
                    "What the lesson assesses changes (its questions, answers, pass mark or statement to confirm), so earlier completions become “updated since completed”."
                  )}
                </p>
                {page.retakerCount > 0 ? (
                  page.retakers ? (
                    <DataTable
                      label="People who will be asked to retake"
                      columns={["Person", "Department", "Status"]}
                    >
                      {page.retakers.map((p) => (
                        <tr key={p.id}>
                          <th scope="row">
                            {p.name}
                            <span className="muted small block">{p.email}</span>
                          </th>
                          <td>{p.department ?? "—"}</td>
                          <td>{p.status === "active" ? "Active" : "Deactivated"}</td>
                        </tr>
                      ))}
                    </DataTable>
                  ) : (
                    <p>
                      <Link to={query} preventScrollReset>
                        Show who
                      </Link>
                    </p>
                  )
                ) : null}
              </>
            ) : (
              <p className="impact__figure" data-testid="impact-retake">
                <strong>
                  This change does not touch what is assessed: completions stay valid and nobody
                  will be asked to retake.
                </strong>
              </p>
            )}
            {lesson.isNew ? null : (
              <p>
                {page.partWay === 0
                  ? "Nobody is part-way through it."
                  : `${people(page.partWay)} ${page.partWay === 1 ? "is" : "are"} part-way through it: they will see the new version next time${page.assessedChanged ? ", and what they answered on the old one no longer counts" : ""}.`}
              </p>
            )}
          </section>
          <Form method="post" className="publish-form">
            <input type="hidden" name="restore" value={page.restore ?? ""} />
            <input type="hidden" name="base" value={page.baseVersionId ?? ""} />
            <input type="hidden" name="revision" value={page.revision} />
            <button type="submit" className="button" disabled={blocked || page.unchanged}>
              {page.restore ? "Publish this version again" : "Publish now"}
            </button>
            <Link to={editor}>Back to the editor</Link>
          </Form>
        </>
      )}
      <h2>Changes against the published lesson</h2>
      <SourceDiff
        hunks={page.diff}
        label="Changes against the published lesson"
        beforeLabel="Published"
        afterLabel={page.restore ? "Restored" : "Draft"}
      />
    </>
  );
}
