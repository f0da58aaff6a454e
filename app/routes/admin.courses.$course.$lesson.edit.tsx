import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, type ShouldRevalidateFunction } from "@remix-run/react";
import { z } from "zod";
import { AuthoringCrumbs, CourseState } from "~/components/authoring";
import { LessonEditor } from "~/components/lesson-editor";
import { SourceDiff } from "~/components/source-diff";
import { actorOf } from "~/models/audit.server";
import { openEditor, previewLesson, saveDraft } from "~/services/authoring.server";
import { MAX_SOURCE_BYTES } from "~/services/mdx-compile.server";
import { requireAdmin } from "~/services/session.server";
import authoringStyles from "~/styles/authoring.css?url";
import lessonStyles from "~/styles/lesson.css?url";
import widgetStyles from "~/styles/widgets.css?url";
import { dayOf } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";
import { blankToUndefined } from "~/utils/form-values";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: lessonStyles },
  { rel: "stylesheet", href: widgetStyles },
  { rel: "stylesheet", href: authoringStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Edit ${data?.lesson.title ?? "lesson"} · Staffroom` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request);
  const state = await openEditor(params.course ?? "", params.lesson ?? "");
  const { target } = state;
  return {
    course: { slug: target.course.slug, title: target.course.title, state: target.course.state },
    lesson: {
      slug: target.slug,
      title: target.lesson?.title ?? target.slug,
      state: target.lesson ? target.lesson.status : ("new" as const),
    },
    source: state.source,
    check: state.check,
    baseVersionId: state.baseVersionId,
    revision: state.revision,
    draftSavedBy: target.draft?.updatedBy ?? null,
    liveMovedOn: state.liveMovedOn
      ? { ...state.liveMovedOn, publishedOn: dayOf(state.liveMovedOn.publishedAt) }
      : null,
    uploadAction:
      target.course.state === "published" ? `/admin/course-images/${target.course.slug}` : null,
  };
}

const EditForm = z.object({
  intent: z.enum(["preview", "save", "publish"]),
  source: z
    .string()
    .max(MAX_SOURCE_BYTES, `A lesson may be at most ${MAX_SOURCE_BYTES / 1024} KB.`),
  base: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  revision: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).default(0)),
});

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireAdmin(request);
  const parsed = EditForm.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response(parsed.error.issues[0]?.message, { status: 400 });
  const { intent, source, base, revision } = parsed.data;
  const course = params.course ?? "";
  const lesson = params.lesson ?? "";
  if (intent === "preview") return { check: await previewLesson(course, lesson, source) };

  const saved = await saveDraft(actorOf(viewer), course, lesson, {
    source,
    baseVersionId: base ?? null,
    revision,
  });
  if ("conflict" in saved) {
    return data({ check: await previewLesson(course, lesson, source), source, ...saved }, 409);
  }
  const check = await previewLesson(course, lesson, source);
  if (intent === "save") return { check, source, saved: saved.saved.revision };
  if (check.errors.length + check.otherErrors.length > 0) {
    return data({ check, source, publishRefused: true }, 400);
  }
  return redirect(`/admin/courses/${course}/${lesson}/publish`);
}

// The preview asks the server to check the text: nothing changed, nothing to reload.
export const shouldRevalidate: ShouldRevalidateFunction = ({
  formData,
  defaultShouldRevalidate,
}) => (formData?.get("intent") === "preview" ? false : defaultShouldRevalidate);

export default function EditLesson() {
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const conflict = result && "conflict" in result ? result.conflict : undefined;
  const { course, lesson, liveMovedOn } = loaded;
  return (
    <div className="authoring-wide">
      <AuthoringCrumbs course={course} lesson={lesson} />
      <h1>
        Edit: {lesson.title} <CourseState state={lesson.state} />
      </h1>
      {liveMovedOn ? (
        <div className="notice notice--warn" role="status">
          <p>
            The published lesson changed on {formatDay(liveMovedOn.publishedOn)} (by{" "}
            {liveMovedOn.publishedBy ?? "a sync of the courses folder"}) after this draft was
            started. Saving or publishing the draft will ask you to confirm over that change:
          </p>
          <SourceDiff
            hunks={liveMovedOn.diff}
            label="What changed in the published lesson"
            beforeLabel="Draft's start"
            afterLabel="Published now"
          />
        </div>
      ) : null}
      {conflict ? (
        <div className="notice notice--warn" role="alert">
          <p>{conflict.message}</p>
          <SourceDiff
            hunks={conflict.diff}
            label="Their version compared with yours"
            beforeLabel="Theirs"
            afterLabel="Yours"
          />
        </div>
      ) : null}
      {result && "saved" in result ? (
        <p className="notice" role="status">
          Draft saved. Learners still see the published lesson until you publish.
        </p>
      ) : null}
      {result && "publishRefused" in result ? (
        <p className="notice notice--warn" role="alert">
          This draft has errors, so it cannot be published; the published lesson stays as it is.
          Your draft is saved.
        </p>
      ) : null}
      <LessonEditor
        key={conflict ? `conflict-${conflict.revision}-${conflict.baseVersionId}` : "editor"}
        source={
          result && "source" in result && result.source !== undefined
            ? result.source
            : loaded.source
        }
        baseVersionId={conflict ? conflict.baseVersionId : loaded.baseVersionId}
        revision={
          conflict?.revision ??
          (result && "saved" in result ? result.saved : undefined) ??
          loaded.revision
        }
        check={result?.check ?? loaded.check}
        uploadAction={loaded.uploadAction}
      />
    </div>
  );
}
