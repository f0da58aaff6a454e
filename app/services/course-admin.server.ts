/**
 * The courses as admins manage them in the browser: every course with its state, new courses
 * (drafts until their first publish), and adding, renaming, reordering and archiving lessons.
 * Every change to a published course goes through the courses folder and the sync's pipeline
 * (course-files.server.ts); archiving moves a lesson's file into `_archive/`, which the sync
 * does not read, and keeps every version and completion.
 */
import fs from "node:fs";
import path from "node:path";
import { appendAudit, type Actor } from "~/models/audit.server";
import {
  courseSlugTaken,
  currentVersionId,
  getCourseBySlug,
  listCoursesForAdmin,
  listLessonsForAdmin,
} from "~/models/courses.server";
import {
  countLessonDrafts,
  deleteDraftsOfCourse,
  getCourseDraft,
  insertCourseDraft,
  listCourseDrafts,
  listLessonDrafts,
  writeLessonDraft,
} from "~/models/drafts.server";
import { writeTransaction } from "~/utils/db.server";
import { conflict, invalid, notFound } from "~/utils/domain-errors.server";
import { env } from "~/utils/env.server";
import { kebab } from "~/utils/slug";
import { draftCourseFiles, findLesson, type CourseState } from "./authoring.server";
import {
  FolderChanged,
  lessonFileName,
  publishStaged,
  stageChange,
  type FolderChange,
} from "./course-files.server";
import { formatCourseErrors, readCourseFolder, withCoursesFolder } from "./courses.server";
import type { SourceError } from "./mdx-compile.server";

export interface CourseSummary {
  slug: string;
  title: string;
  state: CourseState;
  lessonCount: number;
  /** How many lesson versions it has published; null for a draft. */
  version: number | null;
  lastPublishedAt: string | null;
  lastPublishedBy: string | null;
  /** Unpublished lesson drafts. */
  drafts: number;
}

/** Every course: published, archived, and drafts created in the browser. */
export async function listAuthoringCourses(): Promise<CourseSummary[]> {
  const [courses, courseDrafts, drafts] = await Promise.all([
    listCoursesForAdmin(),
    listCourseDrafts(),
    countLessonDrafts(),
  ]);
  return [
    ...courseDrafts.map((c) => ({
      slug: c.slug,
      title: c.title,
      state: "draft" as const,
      lessonCount: drafts.get(c.slug) ?? 0,
      version: null,
      lastPublishedAt: null,
      lastPublishedBy: null,
      drafts: drafts.get(c.slug) ?? 0,
    })),
    ...courses.map((c) => ({
      slug: c.slug,
      title: c.title,
      state: c.status,
      lessonCount: c.lessonCount,
      version: c.versionCount,
      lastPublishedAt: c.lastPublishedAt,
      lastPublishedBy: c.lastPublishedBy,
      drafts: drafts.get(c.slug) ?? 0,
    })),
  ];
}

/** `base`, or `base-2`, `base-3`… : the first that `taken` does not refuse. */
async function freeSlug(base: string, taken: (slug: string) => Promise<boolean> | boolean) {
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(slug))) return slug;
  }
}

export interface NewCourse {
  title: string;
  summary: string;
  order: number;
}

/**
 * A new course, as a draft: it lives in the database only (invisible to learners and to the
 * sync) until its first publish writes its folder.
 */
export async function createCourse(actor: Actor, input: NewCourse): Promise<{ slug: string }> {
  const base = kebab(input.title) || "course";
  const onDisk = (slug: string) =>
    fs.lstatSync(path.join(env().coursesDir, slug), { throwIfNoEntry: false }) !== undefined;
  return writeTransaction(async () => {
    const slug = await freeSlug(
      base,
      async (s) =>
        onDisk(s) || (await courseSlugTaken(s)) || (await getCourseDraft(s)) !== undefined,
    );
    await insertCourseDraft({ slug, ...input }, actor.id);
    await appendAudit(actor, [{ action: "course.created", subject: slug, after: { ...input } }]);
    return { slug };
  });
}

export interface CourseLesson {
  slug: string;
  title: string;
  /** `new`: written in the browser and not published yet. */
  state: "published" | "archived" | "new";
  hasQuiz: boolean;
  /** A draft of changes waits to be published. */
  hasDraft: boolean;
  versionId: number | null;
  versionCount: number;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface CoursePage {
  course: { slug: string; title: string; summary: string; state: CourseState };
  lessons: CourseLesson[];
  /** Images can be uploaded once the course has a folder. */
  hasFolder: boolean;
}

const titleOf = (source: string) =>
  /^title:\s*(.+)$/m.exec(source)?.[1]?.replace(/^["']|["']$/g, "") ?? "";

export async function coursePage(slug: string): Promise<CoursePage> {
  const [course, courseDraft, drafts] = await Promise.all([
    getCourseBySlug(slug, { includeArchived: true }),
    getCourseDraft(slug),
    listLessonDrafts(slug),
  ]);
  if (!course && !courseDraft) throw notFound("There is no such course.");
  const published = course ? await listLessonsForAdmin(course.id) : [];
  const drafted = new Set(drafts.map((d) => d.lessonSlug));
  const lessons: CourseLesson[] = [
    ...published.map((l) => ({
      slug: l.slug,
      title: l.title,
      state: l.status,
      hasQuiz: l.hasQuiz,
      hasDraft: drafted.has(l.slug),
      versionId: l.versionId,
      versionCount: l.versionCount,
      publishedAt: l.publishedAt,
      publishedBy: l.publishedBy,
    })),
    ...drafts
      .filter((d) => d.baseVersionId == null && !published.some((l) => l.slug === d.lessonSlug))
      .map((d) => ({
        slug: d.lessonSlug,
        title: titleOf(d.source) || d.lessonSlug,
        state: "new" as const,
        hasQuiz: /<Quiz\b/.test(d.source),
        hasDraft: true,
        versionId: null,
        versionCount: 0,
        publishedAt: null,
        publishedBy: null,
      })),
  ];
  return {
    course: course
      ? { slug, title: course.title, summary: course.summary, state: course.status }
      : { slug, title: courseDraft!.title, summary: courseDraft!.summary, state: "draft" },
    lessons,
    hasFolder: course?.status === "published",
  };
}

const lessonTemplate = (slug: string, title: string) =>
  `---\nid: ${slug}\ntitle: ${JSON.stringify(title)}\nminutes: 5\n---\n\nStart from a situation your colleagues know, then explain what to do and why.\n`;

/** A new lesson: a draft with a starting text, published later from the editor. */
export async function addLesson(
  actor: Actor,
  courseSlug: string,
  title: string,
): Promise<{ slug: string }> {
  const page = await coursePage(courseSlug);
  if (page.course.state === "archived") throw invalid("This course is archived.");
  const onDisk = new Set(
    readCourseFolder(env().coursesDir, courseSlug).course?.lessons.map((l) => l.slug) ?? [],
  );
  return writeTransaction(async () => {
    // Read again inside the write: another admin may have added one meanwhile.
    const known = new Set([
      ...onDisk,
      ...(await coursePage(courseSlug)).lessons.map((l) => l.slug),
    ]);
    const slug = await freeSlug(kebab(title) || "lesson", (s) => known.has(s));
    await writeLessonDraft({
      courseSlug,
      lessonSlug: slug,
      source: lessonTemplate(slug, title),
      baseVersionId: null,
      revision: 0,
      updatedBy: actor.id,
    });
    await appendAudit(actor, [
      { action: "lesson.added", subject: `${courseSlug}/${slug}`, after: { title } },
    ]);
    return { slug };
  });
}

/**
 * Stages and publishes a change to a course folder. `record` runs inside the write, before the
 * publish: it returns why the change is refused now, or writes its audit entry. Returns the
 * folder's errors when the change cannot be published (nothing changed then).
 */
async function changeFolder(
  actor: Actor,
  change: FolderChange,
  record: () => Promise<string | undefined>,
): Promise<SourceError[]> {
  return withCoursesFolder(async () => {
    const staged = await stageChange(change);
    if (staged.checked.errors.length > 0) return staged.checked.errors;
    try {
      const outcome = await publishStaged<string, true>(staged, actor, async (publish) => {
        const refused = await record();
        if (refused) return { refused };
        await publish();
        return { done: true };
      });
      if ("refused" in outcome) throw conflict(outcome.refused);
      return [];
    } catch (error) {
      if (error instanceof FolderChanged) {
        throw conflict(
          `The course's files changed meanwhile (${error.message}: another admin published, or the folder was edited): reload the page and try again.`,
        );
      }
      throw error;
    }
  });
}

/** A change to a published course that its folder's errors stop: say which. */
function refuseForErrors(errors: SourceError[]) {
  if (errors.length > 0) {
    throw invalid(
      `The course folder has errors, so nothing was changed. Fix them first:\n${formatCourseErrors(errors)}`,
    );
  }
}

/** The published lessons' files and ids, in course order, as the folder holds them now. */
function lessonFiles(courseSlug: string) {
  const course = readCourseFolder(env().coursesDir, courseSlug).course;
  if (!course) throw invalid("This course has no folder yet: publish it first.");
  return course.lessons.map((l) => ({ slug: l.slug, name: path.basename(l.file) }));
}

/** Moves a lesson one place up or down (renumbering the files); `seen` is the order shown. */
export async function moveLesson(
  actor: Actor,
  courseSlug: string,
  lessonSlug: string,
  direction: "up" | "down",
  seen: string[],
): Promise<void> {
  const files = lessonFiles(courseSlug);
  const order = files.map((f) => f.slug);
  if (order.join("\n") !== seen.join("\n")) {
    throw conflict(
      "The lessons of this course changed since the page was loaded: reload it and try again.",
    );
  }
  const from = order.indexOf(lessonSlug);
  const to = direction === "up" ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= files.length) throw invalid("That lesson cannot move that way.");
  const moved = [...files];
  [moved[from], moved[to]] = [moved[to]!, moved[from]!];
  const errors = await changeFolder(
    actor,
    { course: courseSlug, order: moved.map((f) => f.name) },
    async () => {
      await appendAudit(actor, [
        {
          action: "lessons.reordered",
          subject: courseSlug,
          before: { order },
          after: { order: moved.map((f) => f.slug) },
        },
      ]);
      return undefined;
    },
  );
  refuseForErrors(errors);
}

/**
 * Archives a lesson: its file moves into the course's `_archive/` folder, which the sync does
 * not read; every version and completion is kept, and learners no longer see it.
 */
export async function archiveLesson(
  actor: Actor,
  courseSlug: string,
  lessonSlug: string,
  baseVersionId: number,
): Promise<void> {
  const { lesson } = await findLesson(courseSlug, lessonSlug);
  if (lesson?.status !== "published") throw invalid("Only a published lesson can be archived.");
  const name = lessonFileName(courseSlug, lessonSlug);
  if (!name) throw conflict("This lesson's file is no longer in the course folder.");
  const errors = await changeFolder(actor, { course: courseSlug, archive: [name] }, async () => {
    if ((await currentVersionId(lesson.id)) !== baseVersionId) {
      return "This lesson was published again since the page was loaded: reload it and try again.";
    }
    await appendAudit(actor, [
      { action: "lesson.archived", subject: `${courseSlug}/${lessonSlug}`, after: { file: name } },
    ]);
    return undefined;
  });
  refuseForErrors(errors);
}

/**
 * The first publish of a draft course: its folder is written with course.mdx and every lesson
 * draft, checked and compiled like any course, and published whole; the drafts go. Returns the
 * errors that stop it (nothing is written then).
 */
export async function publishCourse(actor: Actor, courseSlug: string): Promise<SourceError[]> {
  const courseDraft = await getCourseDraft(courseSlug);
  if (!courseDraft) throw notFound("There is no draft course with that name.");
  const drafts = await listLessonDrafts(courseSlug);
  if (drafts.length === 0) throw invalid("Add a lesson to the course before publishing it.");
  const seen = drafts.map((d) => `${d.lessonSlug}@${d.revision}`).join("\n");
  return changeFolder(
    actor,
    { course: courseSlug, write: draftCourseFiles(courseDraft, drafts) },
    async () => {
      const now = (await listLessonDrafts(courseSlug)).map((d) => `${d.lessonSlug}@${d.revision}`);
      if (!(await getCourseDraft(courseSlug)) || now.join("\n") !== seen) {
        return "The course's drafts changed while it was being published: reload the page and try again.";
      }
      await deleteDraftsOfCourse(courseSlug);
      await appendAudit(actor, [
        {
          action: "course.published",
          subject: courseSlug,
          after: { title: courseDraft.title, lessons: drafts.map((d) => d.lessonSlug) },
        },
      ]);
      return undefined;
    },
  );
}
