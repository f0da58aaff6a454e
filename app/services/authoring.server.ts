/**
 * Authoring in the browser: a lesson's draft, its preview, the impact of publishing it, the
 * publish itself, and the lesson's history. What is published goes through the courses folder
 * and the same reader, compiler and apply as `courses sync` (course-files.server.ts), so a firm
 * can move between the editor and files in git freely.
 *
 * Concurrency: a draft names the published version it started from (`base`) and its revision.
 * Saving or publishing checks both inside the write; a second editor, or a `courses sync` of a
 * file changed on disk, in between makes it refuse with the other change to compare, never
 * overwrite it silently.
 */
import path from "node:path";
import type { RenderedLesson } from "~/components/mdx/islands";
import type { DiffHunk } from "~/components/source-diff";
import { appendAudit, type Actor } from "~/models/audit.server";
import {
  assessedHashOf,
  currentVersionId,
  getCompiledMany,
  getCourseBySlug,
  getLessonForAdmin,
  getLessonVersionSource,
  listLessonVersions,
  type AdminLessonRow,
} from "~/models/courses.server";
import {
  deleteLessonDraft,
  getCourseDraft,
  getLessonDraft,
  listLessonDrafts,
  writeLessonDraft,
  type CourseDraft,
  type LessonDraft,
} from "~/models/drafts.server";
import { completedLessons, lessonInProgressUserIds } from "~/models/progress.server";
import { describePeople, type PersonSummary } from "~/models/users.server";
import { dayOf, timeOfDay } from "~/utils/calendar.server";
import { formatDay } from "~/utils/dates";
import { writeTransaction } from "~/utils/db.server";
import { invalid, notFound } from "~/utils/domain-errors.server";
import { env } from "~/utils/env.server";
import { lineDiff } from "~/utils/line-diff.server";
import {
  FolderChanged,
  currentFiles,
  lessonFileName,
  nextLessonName,
  publishStaged,
  stageChange,
  type FolderChange,
  type StagedChange,
} from "./course-files.server";
import { makesCompletionsStale, withCoursesFolder } from "./courses.server";
import { compileKey, readFrontmatter, type SourceError } from "./mdx-compile.server";

export type CourseState = "published" | "archived" | "draft";

export interface LessonTarget {
  course: { slug: string; title: string; state: CourseState; id: number | null };
  /** The published (or archived) lesson; null for a lesson not published yet. */
  lesson: AdminLessonRow | null;
  slug: string;
  draft: LessonDraft | undefined;
  courseDraft: CourseDraft | undefined;
}

/** The course and lesson an authoring page is about, in any state; 404 when neither exists. */
export async function findLesson(courseSlug: string, lessonSlug: string): Promise<LessonTarget> {
  const [course, courseDraft, draft] = await Promise.all([
    getCourseBySlug(courseSlug, { includeArchived: true }),
    getCourseDraft(courseSlug),
    getLessonDraft(courseSlug, lessonSlug),
  ]);
  if (!course && !courseDraft) throw notFound("There is no such course.");
  const lesson = course ? await getLessonForAdmin(course.id, lessonSlug) : undefined;
  if (!lesson && !draft) throw notFound("There is no such lesson.");
  return {
    course: course
      ? { slug: course.slug, title: course.title, state: course.status, id: course.id }
      : { slug: courseSlug, title: courseDraft!.title, state: "draft", id: null },
    lesson: lesson ?? null,
    slug: lessonSlug,
    draft,
    courseDraft: course ? undefined : courseDraft,
  };
}

function requireEditable(target: LessonTarget) {
  if (target.lesson?.status === "archived" || target.course.state === "archived") {
    throw invalid("This lesson is archived: its history is kept, but it cannot be edited.");
  }
}

// ---------------------------------------------------------------------------------------------
// Checking a source as the sync would

/** A draft checked in its course folder, as publishing it would check it. */
export interface SourceCheck {
  /** This lesson's problems, at their line and column. */
  errors: SourceError[];
  /** Problems in other files of the course, which also stop a publish (file:line:col). */
  otherErrors: SourceError[];
  /** Quiz-quality warnings for this lesson (they do not stop a publish). */
  warnings: SourceError[];
  /** The preview, when the lesson compiled: HTML segments and islands, never an answer key. */
  rendered: RenderedLesson | null;
}

interface StagedLesson {
  staged: StagedChange;
  check: SourceCheck;
  assessedHash: string | null;
  retakeRequired: boolean;
}

const YAML_STRING = (value: string) => JSON.stringify(value);

/** The course.mdx a draft course gets at its first publish. */
function courseSource(draft: CourseDraft): string {
  return `---\ntitle: ${YAML_STRING(draft.title)}\nsummary: ${YAML_STRING(draft.summary)}\norder: ${draft.order}\n---\n\n${draft.summary}\n`;
}

/** A draft course's files: course.mdx and its lesson drafts numbered in the order they were added. */
export function draftCourseFiles(
  courseDraft: CourseDraft,
  drafts: { lessonSlug: string; source: string }[],
): Record<string, string> {
  const width = Math.max(2, String(drafts.length).length);
  return Object.fromEntries([
    ["course.mdx", courseSource(courseDraft)],
    ...drafts.map((d, i) => [
      `${String(i + 1).padStart(width, "0")}-${d.lessonSlug}.mdx`,
      d.source,
    ]),
  ]);
}

/** The folder change that puts `source` in place of the lesson (or adds it), and its file name. */
async function lessonChange(
  target: LessonTarget,
  source: string,
): Promise<{ change: FolderChange; name: string }> {
  const course = target.course.slug;
  if (target.courseDraft) {
    const drafts = (await listLessonDrafts(course)).map((d) =>
      d.lessonSlug === target.slug ? { ...d, source } : d,
    );
    const write = draftCourseFiles(target.courseDraft, drafts);
    const name = Object.keys(write).find((n) => n.endsWith(`-${target.slug}.mdx`))!;
    return { change: { course, write }, name };
  }
  const name = target.lesson
    ? lessonFileName(course, target.slug)
    : nextLessonName(currentFiles(course).keys(), `${target.slug}.mdx`);
  if (!name) {
    throw invalid(
      `The file of this lesson is missing from the courses folder (${course}): run \`courses sync\` or restore the file first.`,
    );
  }
  return { change: { course, write: { [name]: source } }, name };
}

/** Stages the lesson with this source in its course folder and reads what the check found. */
async function stageLesson(target: LessonTarget, source: string): Promise<StagedLesson> {
  const { change, name } = await lessonChange(target, source);
  const staged = await stageChange(change);
  const file = path.join(path.basename(env().coursesDir), target.course.slug, name);
  const mine = (e: SourceError) => e.file === file;
  const errors = staged.checked.errors.filter(mine);
  const parsed = staged.checked.courses
    .flatMap((c) => c.lessons)
    .find((lesson) => lesson.file === file);
  if (parsed && parsed.slug && parsed.slug !== target.slug) {
    const at = readFrontmatter(source, file).keys.get("id") ?? { line: 1, column: 1 };
    errors.push({
      file,
      ...at,
      message: `the id is this lesson's address and what completions hang on: keep \`id: ${target.slug}\` (add a new lesson for a new id)`,
    });
  }
  const key = compileKey(source);
  const compiled =
    errors.length > 0
      ? undefined
      : (staged.checked.fresh.get(key) ?? (await getCompiledMany([key])).get(key));
  return {
    staged,
    check: {
      errors,
      otherErrors: staged.checked.errors.filter((e) => !mine(e)),
      warnings: staged.checked.warnings.filter(mine),
      rendered: compiled ? { segments: compiled.segments, islands: compiled.islands } : null,
    },
    assessedHash: compiled?.assessedHash ?? null,
    retakeRequired: parsed?.retakeRequired ?? false,
  };
}

const publishable = (check: SourceCheck) =>
  check.errors.length === 0 && check.otherErrors.length === 0;

/** The live preview: the source checked and rendered by the publishing pipeline, nothing stored. */
export async function previewLesson(
  courseSlug: string,
  lessonSlug: string,
  source: string,
): Promise<SourceCheck> {
  const target = await findLesson(courseSlug, lessonSlug);
  requireEditable(target);
  return (await stageLesson(target, source)).check;
}

// ---------------------------------------------------------------------------------------------
// The editor: open, save

export interface EditorState {
  target: LessonTarget;
  source: string;
  check: SourceCheck;
  /** What a save or publish from this page is based on. */
  baseVersionId: number | null;
  revision: number;
  /** The published version moved on after this draft was started (another admin, or a sync). */
  liveMovedOn: { publishedAt: string; publishedBy: string | null; diff: DiffHunk[] } | null;
}

export async function openEditor(courseSlug: string, lessonSlug: string): Promise<EditorState> {
  const target = await findLesson(courseSlug, lessonSlug);
  requireEditable(target);
  const { lesson, draft } = target;
  const movedOn = lesson && draft && draft.baseVersionId !== lesson.versionId;
  const baseSource =
    movedOn && draft.baseVersionId != null
      ? await getLessonVersionSource(lesson.id, draft.baseVersionId)
      : undefined;
  const source = draft?.source ?? lesson?.source ?? "";
  return {
    target,
    source,
    check: (await stageLesson(target, source)).check,
    baseVersionId: draft ? draft.baseVersionId : (lesson?.versionId ?? null),
    revision: draft?.revision ?? 0,
    liveMovedOn: movedOn
      ? {
          publishedAt: lesson.publishedAt,
          publishedBy: lesson.publishedBy,
          diff: lineDiff(baseSource ?? "", lesson.source),
        }
      : null,
  };
}

/** A save or publish refused because someone else changed the lesson first. */
export interface EditConflict {
  message: string;
  /** Their text, and how it differs from yours. */
  theirs: string;
  diff: DiffHunk[];
  /** Send these back to put your text over theirs, having seen it. */
  baseVersionId: number | null;
  revision: number;
}

export interface EditInput {
  source: string;
  baseVersionId: number | null;
  revision: number;
}

const when = (at: string) => `${formatDay(dayOf(at))} at ${timeOfDay(at)}`;

/**
 * Inside a write: what changed since the editor opened (the published version; the draft too
 * unless `draft` is false), or undefined when nothing did.
 */
async function editConflict(
  target: LessonTarget,
  input: EditInput,
  mine: string,
  { draft: checkDraft = true } = {},
) {
  const draft = await getLessonDraft(target.course.slug, target.slug);
  const live = target.lesson ? await currentVersionId(target.lesson.id) : null;
  const revision = draft?.revision ?? 0;
  if (target.lesson && live !== input.baseVersionId) {
    const theirs = (await getLessonVersionSource(target.lesson.id, live ?? 0)) ?? "";
    const versions = await listLessonVersions(target.lesson.id);
    const latest = versions[0];
    return {
      message: `The published lesson changed after you started: a new version was published${latest ? ` on ${when(latest.publishedAt)} by ${latest.publishedByName ?? "a sync of the courses folder"}` : ""}. Nothing was saved. Compare it with your text below; to keep your text, save again.`,
      theirs,
      diff: lineDiff(theirs, mine),
      baseVersionId: live,
      revision,
    } satisfies EditConflict;
  }
  if (checkDraft && revision !== input.revision) {
    const theirs = draft?.source ?? "";
    return {
      message: draft
        ? `${draft.updatedBy ?? "Someone"} saved this draft at ${when(draft.updatedAt)}, after you opened it. Nothing was saved. Compare their draft with your text below; to keep your text, save again.`
        : "This draft was published or discarded after you opened it. Nothing was saved. To keep your text as a new draft, save again.",
      theirs,
      diff: lineDiff(theirs, mine),
      baseVersionId: draft?.baseVersionId ?? input.baseVersionId,
      revision,
    } satisfies EditConflict;
  }
  return undefined;
}

export type SaveOutcome = { saved: { revision: number } } | { conflict: EditConflict };

/** Saves the draft, unless someone saved or published this lesson since `input` was loaded. */
export async function saveDraft(
  actor: Actor,
  courseSlug: string,
  lessonSlug: string,
  input: EditInput,
): Promise<SaveOutcome> {
  const target = await findLesson(courseSlug, lessonSlug);
  requireEditable(target);
  return writeTransaction(async () => {
    const conflict = await editConflict(target, input, input.source);
    if (conflict) return { conflict };
    const revision = await writeLessonDraft({
      courseSlug,
      lessonSlug,
      source: input.source,
      baseVersionId: input.baseVersionId,
      revision: input.revision,
      updatedBy: actor.id,
    });
    return { saved: { revision } };
  });
}

// ---------------------------------------------------------------------------------------------
// Publishing: the impact first, then the publish

/** What is published: the saved draft, an earlier version restored, or the live one retitled. */
export type PublishSource = { draft: true } | { restore: number } | { title: string };

/** The source with its frontmatter `title` replaced (a one-line `title:` only). */
function retitled(source: string, title: string): string {
  const at = readFrontmatter(source, "lesson").keys.get("title");
  const lines = source.split("\n");
  const index = (at?.line ?? 0) - 1;
  if (!at || !/^title:/.test(lines[index] ?? "") || /^\s/.test(lines[index + 1] ?? "")) {
    throw invalid("This lesson's title spans several lines: change it in the editor.");
  }
  lines[index] = `title: ${YAML_STRING(title)}`;
  return lines.join("\n");
}

async function sourceToPublish(target: LessonTarget, from: PublishSource) {
  if ("title" in from) {
    if (!target.lesson) throw invalid("Publish the lesson once before renaming it.");
    return { source: retitled(target.lesson.source, from.title), revision: 0 };
  }
  if ("restore" in from) {
    const source = target.lesson
      ? await getLessonVersionSource(target.lesson.id, from.restore)
      : undefined;
    if (source === undefined) throw notFound("That version is not one of this lesson's.");
    return { source, revision: 0 };
  }
  if (!target.draft) throw notFound("There is no draft of this lesson to publish.");
  return { source: target.draft.source, revision: target.draft.revision };
}

export interface PublishImpact {
  target: LessonTarget;
  source: string;
  check: SourceCheck;
  /** Against the live version (everything is new for a lesson not published yet). */
  diff: DiffHunk[];
  unchanged: boolean;
  /** What is assessed (quiz, answers, pass mark, statements) changed, or `retake: required`. */
  assessedChanged: boolean;
  retakeRequired: boolean;
  /** How many completions publishing makes stale: these people will be asked to retake. */
  retakerCount: number;
  /** Who they are, when asked for. */
  retakers: PersonSummary[] | null;
  /** People who opened the lesson and have not completed it. */
  partWay: number;
  baseVersionId: number | null;
  revision: number;
  /** For a lesson of a draft course: publishing publishes the course with its lessons. */
  courseLessons: string[] | null;
}

/**
 * What publishing would do, by the same policy (`makesCompletionsStale`) and the same query
 * (`completedLessons`) as the publish itself, so the figure shown is the figure that happens.
 */
export async function publishImpact(
  courseSlug: string,
  lessonSlug: string,
  from: PublishSource,
  { listPeople = false } = {},
): Promise<PublishImpact> {
  const target = await findLesson(courseSlug, lessonSlug);
  requireEditable(target);
  const { source, revision } = await sourceToPublish(target, from);
  const { check, assessedHash, retakeRequired } = await stageLesson(target, source);
  const { lesson } = target;
  const previousAssessedHash = lesson ? await assessedHashOf(lesson.contentHash) : undefined;
  const assessedChanged =
    lesson != null &&
    assessedHash != null &&
    previousAssessedHash != null &&
    makesCompletionsStale({ previousAssessedHash, nextAssessedHash: assessedHash, retakeRequired });
  const completed =
    assessedChanged && target.course.id != null
      ? await completedLessons(target.course.id, { lessonIds: [lesson.id] })
      : [];
  return {
    target,
    source,
    check,
    diff: lineDiff(lesson?.source ?? "", source),
    unchanged: lesson?.source === source,
    assessedChanged,
    retakeRequired,
    retakerCount: completed.length,
    retakers: listPeople ? await describePeople(completed.map((c) => c.userId)) : null,
    partWay: lesson ? (await lessonInProgressUserIds(lesson.id)).length : 0,
    baseVersionId: lesson?.versionId ?? null,
    revision,
    courseLessons: target.courseDraft
      ? (await listLessonDrafts(courseSlug)).map((d) => d.lessonSlug)
      : null,
  };
}

export type PublishOutcome =
  | { published: { versionId: number; reopened: number } }
  | { conflict: EditConflict }
  | { errors: SourceCheck };

/**
 * Publishes the draft (or restores a version) as a new version: checked and compiled first,
 * outside any transaction; then, in one write, the base version and draft revision are checked,
 * the version is stored with the completions it makes stale and the audit entry, and the file is
 * renamed into place last. A draft with errors is refused and the live version stays.
 */
export function publishLesson(
  actor: Actor,
  courseSlug: string,
  lessonSlug: string,
  from: PublishSource,
  based: { baseVersionId: number | null; revision: number },
): Promise<PublishOutcome> {
  return withCoursesFolder(async () => {
    const target = await findLesson(courseSlug, lessonSlug);
    requireEditable(target);
    if (target.courseDraft) {
      throw invalid("This lesson's course is a draft: publish the course from its page.");
    }
    const { source } = await sourceToPublish(target, from);
    const { staged, check } = await stageLesson(target, source);
    if (!publishable(check)) return { errors: check };
    const changed = (theirs: string, why: string): { conflict: EditConflict } => ({
      conflict: {
        message: `${why} Nothing was published. Compare, then publish again.`,
        theirs,
        diff: lineDiff(theirs, source),
        baseVersionId: based.baseVersionId,
        revision: based.revision,
      },
    });
    // The file must hold what the database says is published, or a publish would overwrite it.
    const onDisk = Object.keys(staged.change.write ?? {}).map((name) => staged.expected.get(name));
    if (target.lesson && onDisk[0] !== target.lesson.source) {
      return changed(
        onDisk[0] ?? "",
        "The lesson's file in the courses folder differs from the published version: someone changed it (git pull?) and `courses sync` has not published it yet. Run `courses sync` first.",
      );
    }
    const input = { source, ...based };
    try {
      const outcome = await publishStaged<
        { conflict: EditConflict },
        { published: { versionId: number; reopened: number } }
      >(staged, actor, async (publish) => {
        // Only publishing the draft itself is about the draft; a restore or rename leaves it be.
        const conflict = await editConflict(target, input, source, { draft: "draft" in from });
        if (conflict) return { refused: { conflict } };
        const applied = await publish();
        const lesson = await getLessonForAdmin(target.course.id!, lessonSlug);
        if (!lesson) throw new Error(`${courseSlug}/${lessonSlug} was not published`);
        if ("draft" in from) await deleteLessonDraft(courseSlug, lessonSlug);
        await appendAudit(actor, [
          {
            action:
              "restore" in from
                ? "lesson.restored"
                : "title" in from
                  ? "lesson.renamed"
                  : "lesson.published",
            subject: `${courseSlug}/${lessonSlug}`,
            before: target.lesson ? { version: target.lesson.versionId } : null,
            after: {
              version: lesson.versionId,
              ...("restore" in from && { restoredFrom: from.restore }),
              ...("title" in from && { title: from.title }),
              reopened: applied.reopened,
            },
          },
        ]);
        return { done: { published: { versionId: lesson.versionId, reopened: applied.reopened } } };
      });
      return "done" in outcome ? outcome.done : outcome.refused;
    } catch (error) {
      if (!(error instanceof FolderChanged)) throw error;
      const name = lessonFileName(courseSlug, lessonSlug);
      return changed(
        (name && currentFiles(courseSlug).get(name)) ?? "",
        `The course's files changed while you were publishing (${error.message}: another admin published, or the folder was edited).`,
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------
// History

export interface LessonHistory {
  target: LessonTarget;
  /** Oldest first, numbered from 1. */
  versions: {
    id: number;
    number: number;
    publishedAt: string;
    publishedBy: string | null;
    /** This version asked people who had completed the lesson to retake it. */
    madeStale: boolean;
    current: boolean;
  }[];
  compare: { from: number; to: number; diff: DiffHunk[] } | null;
}

/** Every published version with who and when, and the difference between any two of them. */
export async function lessonHistory(
  courseSlug: string,
  lessonSlug: string,
  compare: { from?: number; to?: number },
): Promise<LessonHistory> {
  const target = await findLesson(courseSlug, lessonSlug);
  const lesson = target.lesson;
  if (!lesson) return { target, versions: [], compare: null };
  const newestFirst = await listLessonVersions(lesson.id);
  const oldestFirst = [...newestFirst].reverse();
  const versions = oldestFirst.map((v, i) => {
    const previous = oldestFirst[i - 1];
    return {
      id: v.id,
      number: i + 1,
      publishedAt: v.publishedAt,
      publishedBy: v.publishedByName,
      madeStale:
        previous !== undefined &&
        makesCompletionsStale({
          previousAssessedHash: previous.assessedHash,
          nextAssessedHash: v.assessedHash,
          retakeRequired: v.retakeRequired,
        }),
      current: v.id === lesson.versionId,
    };
  });
  const to = compare.to ?? lesson.versionId;
  const from = compare.from ?? oldestFirst.at(-2)?.id ?? to;
  const [before, after] = await Promise.all([
    getLessonVersionSource(lesson.id, from),
    getLessonVersionSource(lesson.id, to),
  ]);
  if (before === undefined || after === undefined) {
    throw notFound("Those versions are not this lesson's.");
  }
  return { target, versions, compare: { from, to, diff: lineDiff(before, after) } };
}
