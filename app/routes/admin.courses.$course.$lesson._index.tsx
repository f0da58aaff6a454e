import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AuthoringCrumbs, CourseState } from "~/components/authoring";
import { QuestionStatistics } from "~/components/question-statistics";
import { findLesson } from "~/services/authoring.server";
import { FLAG_RULES, quizStatistics } from "~/services/question-stats.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import { dayOf } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: authoringStyles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.lesson.title ?? "Lesson"} · Courses · Staffroom` },
];

const Published = z.object({
  published: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  reopened: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).optional()),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const target = await findLesson(params.course ?? "", params.lesson ?? "");
  const flash = Published.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const { lesson } = target;
  return {
    course: { slug: target.course.slug, title: target.course.title },
    lesson: {
      slug: target.slug,
      title: lesson?.title ?? target.slug,
      state: lesson?.status ?? ("new" as const),
      versionCount: lesson?.versionCount ?? 0,
      publishedOn: lesson ? dayOf(lesson.publishedAt) : null,
      publishedBy: lesson?.publishedBy ?? null,
      hasDraft: target.draft !== undefined,
    },
    published: flash.success && flash.data.published ? flash.data : null,
    stats: lesson?.hasQuiz ? await quizStatistics(lesson) : [],
    rules: FLAG_RULES,
  };
}

export default function LessonAdmin() {
  const { course, lesson, published, stats, rules } = useLoaderData<typeof loader>();
  const base = `/admin/courses/${course.slug}/${lesson.slug}`;
  return (
    <>
      <AuthoringCrumbs course={course} />
      <h1>
        {lesson.title} <CourseState state={lesson.state} />
      </h1>
      {published ? (
        <p className="notice" role="status">
          Published as version {lesson.versionCount}.{" "}
          {published.reopened
            ? `${published.reopened} ${published.reopened === 1 ? "person was" : "people were"} asked to retake it.`
            : "Nobody was asked to retake it."}
        </p>
      ) : null}
      <p>
        {lesson.publishedOn
          ? `Version ${lesson.versionCount}, published ${formatDay(lesson.publishedOn)} by ${lesson.publishedBy ?? "a sync of the courses folder"}.`
          : "Not published yet."}
        {lesson.hasDraft ? " A draft is waiting to be published." : ""}
      </p>
      <ul className="link-row">
        {lesson.state !== "archived" ? (
          <li>
            <Link to={`${base}/edit`}>Edit</Link>
          </li>
        ) : null}
        {lesson.versionCount > 0 ? (
          <li>
            <Link to={`${base}/history`}>History</Link>
          </li>
        ) : null}
        {lesson.state === "published" ? (
          <li>
            <Link to={`/courses/${course.slug}/${lesson.slug}`}>See it as learners do</Link>
          </li>
        ) : null}
      </ul>
      {stats.length > 0 ? <QuestionStatistics quizzes={stats} rules={rules} /> : null}
    </>
  );
}
