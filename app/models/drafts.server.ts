/**
 * All SQL for course_drafts and lesson_drafts: what admins wrote in the browser and have not
 * published yet. Published content lives in the courses folder and lesson_versions; a draft is
 * a proposal on top of one published version (or of nothing, for a lesson not published yet).
 */
import { nowIso } from "~/utils/clock.server";
import { db } from "~/utils/db.server";

export interface CourseDraft {
  slug: string;
  title: string;
  summary: string;
  order: number;
  createdAt: string;
  createdBy: string | null;
}

const courseDraftColumns = [
  "d.slug",
  "d.title",
  "d.summary",
  "d.sort_order as order",
  "d.created_at as createdAt",
  "u.name as createdBy",
] as const;

export function listCourseDrafts(): Promise<CourseDraft[]> {
  return db
    .selectFrom("course_drafts as d")
    .leftJoin("users as u", "u.id", "d.created_by")
    .select(courseDraftColumns)
    .orderBy("d.sort_order")
    .orderBy("d.title")
    .execute();
}

export function getCourseDraft(slug: string): Promise<CourseDraft | undefined> {
  return db
    .selectFrom("course_drafts as d")
    .leftJoin("users as u", "u.id", "d.created_by")
    .select(courseDraftColumns)
    .where("d.slug", "=", slug)
    .executeTakeFirst();
}

export async function insertCourseDraft(
  draft: { slug: string; title: string; summary: string; order: number },
  createdBy: number | null,
): Promise<void> {
  await db
    .insertInto("course_drafts")
    .values({
      slug: draft.slug,
      title: draft.title,
      summary: draft.summary,
      sort_order: draft.order,
      created_by: createdBy,
      created_at: nowIso(),
    })
    .execute();
}

async function deleteCourseDraft(slug: string): Promise<void> {
  await db.deleteFrom("course_drafts").where("slug", "=", slug).execute();
}

export interface LessonDraft {
  courseSlug: string;
  lessonSlug: string;
  source: string;
  baseVersionId: number | null;
  revision: number;
  updatedAt: string;
  updatedBy: string | null;
}

const lessonDraftColumns = [
  "d.course_slug as courseSlug",
  "d.lesson_slug as lessonSlug",
  "d.source",
  "d.base_version_id as baseVersionId",
  "d.revision",
  "d.updated_at as updatedAt",
  "u.name as updatedBy",
] as const;

export function getLessonDraft(
  courseSlug: string,
  lessonSlug: string,
): Promise<LessonDraft | undefined> {
  return db
    .selectFrom("lesson_drafts as d")
    .leftJoin("users as u", "u.id", "d.updated_by")
    .select(lessonDraftColumns)
    .where("d.course_slug", "=", courseSlug)
    .where("d.lesson_slug", "=", lessonSlug)
    .executeTakeFirst();
}

/** Every draft of one course, oldest first (the order new lessons were added in). */
export function listLessonDrafts(courseSlug: string): Promise<LessonDraft[]> {
  return db
    .selectFrom("lesson_drafts as d")
    .leftJoin("users as u", "u.id", "d.updated_by")
    .select(lessonDraftColumns)
    .where("d.course_slug", "=", courseSlug)
    .orderBy("d.id")
    .execute();
}

/**
 * Writes the draft at `revision + 1`. Call inside the write transaction that checked the
 * revision: the first save of a lesson inserts revision 1.
 */
export async function writeLessonDraft(draft: {
  courseSlug: string;
  lessonSlug: string;
  source: string;
  baseVersionId: number | null;
  revision: number;
  updatedBy: number | null;
}): Promise<number> {
  const revision = draft.revision + 1;
  const values = {
    source: draft.source,
    base_version_id: draft.baseVersionId,
    revision,
    updated_by: draft.updatedBy,
    updated_at: nowIso(),
  };
  await db
    .insertInto("lesson_drafts")
    .values({ course_slug: draft.courseSlug, lesson_slug: draft.lessonSlug, ...values })
    .onConflict((oc) => oc.columns(["course_slug", "lesson_slug"]).doUpdateSet(values))
    .execute();
  return revision;
}

export async function deleteLessonDraft(courseSlug: string, lessonSlug: string): Promise<void> {
  await db
    .deleteFrom("lesson_drafts")
    .where("course_slug", "=", courseSlug)
    .where("lesson_slug", "=", lessonSlug)
    .execute();
}

/** How many lesson drafts each course has (by course slug). */
export async function countLessonDrafts(): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom("lesson_drafts")
    .select((eb) => ["course_slug", eb.fn.countAll<number>().as("n")])
    .groupBy("course_slug")
    .execute();
  return new Map(rows.map((r) => [r.course_slug, Number(r.n)]));
}

/** Deletes a course draft and every lesson draft of that course (its first publish). */
export async function deleteDraftsOfCourse(courseSlug: string): Promise<void> {
  await db.deleteFrom("lesson_drafts").where("course_slug", "=", courseSlug).execute();
  await deleteCourseDraft(courseSlug);
}
