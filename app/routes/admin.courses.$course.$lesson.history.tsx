import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthoringCrumbs } from "~/components/authoring";
import { DataTable } from "~/components/data-table";
import { FilterSelect } from "~/components/filters";
import { SourceDiff } from "~/components/source-diff";
import { lessonHistory } from "~/services/authoring.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import { dayOf, timeOfDay } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction = () => [{ title: "Lesson history · Staffroom" }];

const Compare = z.object({
  from: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  to: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const compare = Compare.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!compare.success) throw new Response("Choose two versions to compare.", { status: 400 });
  const history = await lessonHistory(params.course ?? "", params.lesson ?? "", compare.data);
  const { target } = history;
  return {
    course: { slug: target.course.slug, title: target.course.title },
    lesson: { slug: target.slug, title: target.lesson?.title ?? target.slug },
    editable: target.lesson?.status === "published" && target.course.state === "published",
    versions: history.versions.map((v) => ({
      ...v,
      day: dayOf(v.publishedAt),
      time: timeOfDay(v.publishedAt),
    })),
    compare: history.compare,
  };
}

export default function LessonHistory() {
  const { course, lesson, editable, versions, compare } = useLoaderData<typeof loader>();
  const numberOf = (id: number) => versions.find((v) => v.id === id)?.number;
  const options = [...versions].reverse();
  const versionChoices = options.map((v) => ({
    value: String(v.id),
    label: `Version ${v.number}`,
  }));
  return (
    <>
      <AuthoringCrumbs course={course} lesson={lesson} />
      <h1>History: {lesson.title}</h1>
      <p className="lede">
        Every published version, whether it came from this editor or from the courses folder.
        Restoring one publishes it again as a new version, after the same impact preview as any
        publish.
      </p>
      <DataTable
        label="Versions"
        testId="versions-table"
        columns={["Version", "Published", "By", "Asked people to retake", editable && "Restore"]}
      >
        {options.map((v) => (
          <tr key={v.id}>
            <th scope="row">
              {v.number}
              {v.current ? <span className="badge badge--published">Current</span> : null}
            </th>
            <td>
              {formatDay(v.day)}, {v.time}
            </td>
            <td>{v.publishedBy ?? "A sync of the courses folder"}</td>
            <td>{v.madeStale ? "Yes" : "No"}</td>
            {editable ? (
              <td>
                {v.current ? (
                  "—"
                ) : (
                  <Link
                    to={`/admin/courses/${course.slug}/${lesson.slug}/publish?restore=${v.id}`}
                    aria-label={`Restore version ${v.number}`}
                  >
                    Restore this version
                  </Link>
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </DataTable>
      {compare ? (
        <section aria-labelledby="compare-title">
          <h2 id="compare-title">
            Compare version {numberOf(compare.from)} with version {numberOf(compare.to)}
          </h2>
          <Form method="get" className="filters" aria-label="Versions to compare">
            <FilterSelect
              label="From"
              name="from"
              value={String(compare.from)}
              options={versionChoices}
            />
            <FilterSelect
              label="To"
              name="to"
              value={String(compare.to)}
              options={versionChoices}
            />
            <button type="submit" className="button button--quiet">
              Compare
            </button>
          </Form>
          <SourceDiff
            hunks={compare.diff}
            label={`Version ${numberOf(compare.from)} compared with version ${numberOf(compare.to)}`}
            beforeLabel={`Version ${numberOf(compare.from)}`}
            afterLabel={`Version ${numberOf(compare.to)}`}
          />
        </section>
      ) : null}
    </>
  );
}
