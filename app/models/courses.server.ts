/**
 * All SQL for compiled_mdx, compile_failures, courses, lessons and lesson_versions.
 *
 * Compiled lessons are immutable per content hash, so their parsed form is cached in memory by
 * hash: a lesson request costs two small indexed queries and no JSON parsing once warm. Nothing
 * else is cached here, so a sync by any server (or the CLI) shows on every server at once.
 */
import type { AnswerKey, IslandData, RenderedLesson } from "~/components/mdx/islands";
import { chunks } from "~/utils/chunks";
import { nowIso } from "~/utils/clock.server";
import { db } from "~/utils/db.server";

export interface CompiledEntry {
  segments: string[];
  islands: IslandData[];
  answerKey: AnswerKey;
  assessedHash: string;
}

// ---------------------------------------------------------------------------------------------
// compiled_mdx

interface ParsedCompiled {
  rendered: RenderedLesson;
  hasQuiz: boolean;
  hasAcknowledge: boolean;
  assessedHash: string;
}

const RENDER_CACHE_MAX = 1000;
const renderCache = new Map<string, ParsedCompiled>();

function remember(hash: string, value: ParsedCompiled): ParsedCompiled {
  if (renderCache.size >= RENDER_CACHE_MAX) {
    const oldest = renderCache.keys().next().value;
    if (oldest !== undefined) renderCache.delete(oldest);
  }
  renderCache.set(hash, value);
  return value;
}

function parseCompiled(row: {
  html_segments: string;
  islands: string;
  assessed_hash: string;
}): ParsedCompiled {
  const islands = JSON.parse(row.islands) as IslandData[];
  return {
    rendered: { segments: JSON.parse(row.html_segments) as string[], islands },
    hasQuiz: islands.some((i) => i.kind === "quiz"),
    hasAcknowledge: islands.some((i) => i.kind === "acknowledge"),
    assessedHash: row.assessed_hash,
  };
}

async function renderedByHash(hash: string): Promise<ParsedCompiled | undefined> {
  const hit = renderCache.get(hash);
  if (hit) return hit;
  const row = await db
    .selectFrom("compiled_mdx")
    .select(["html_segments", "islands", "assessed_hash"])
    .where("content_hash", "=", hash)
    .executeTakeFirst();
  return row ? remember(hash, parseCompiled(row)) : undefined;
}

/** The cache entries that exist for these keys (answer keys included: server-side use only). */
export async function getCompiledMany(keys: string[]): Promise<Map<string, CompiledEntry>> {
  const out = new Map<string, CompiledEntry>();
  const unique = [...new Set(keys)];
  for (const batch of chunks(unique)) {
    const rows = await db
      .selectFrom("compiled_mdx")
      .selectAll()
      .where("content_hash", "in", batch)
      .execute();
    for (const row of rows) {
      out.set(row.content_hash, {
        segments: JSON.parse(row.html_segments) as string[],
        islands: JSON.parse(row.islands) as IslandData[],
        answerKey: JSON.parse(row.answer_key) as AnswerKey,
        assessedHash: row.assessed_hash,
      });
    }
  }
  return out;
}

export async function hasCompiled(key: string): Promise<boolean> {
  const row = await db
    .selectFrom("compiled_mdx")
    .select("content_hash")
    .where("content_hash", "=", key)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertCompiled(key: string, compiled: CompiledEntry): Promise<void> {
  await db
    .insertInto("compiled_mdx")
    .values({
      content_hash: key,
      html_segments: JSON.stringify(compiled.segments),
      islands: JSON.stringify(compiled.islands),
      answer_key: JSON.stringify(compiled.answerKey),
      assessed_hash: compiled.assessedHash,
      created_at: nowIso(),
    })
    .onConflict((oc) => oc.column("content_hash").doNothing())
    .execute();
}

// ---------------------------------------------------------------------------------------------
// compile_failures: a source that failed to compile, by the same key, so a start does not retry it

/** Where and why a source failed (the file is whoever has that content now). */
export interface StoredSourceError {
  line: number;
  column: number;
  message: string;
}

export async function getCompileFailures(
  keys: string[],
): Promise<Map<string, StoredSourceError[]>> {
  const out = new Map<string, StoredSourceError[]>();
  for (const batch of chunks([...new Set(keys)])) {
    const rows = await db
      .selectFrom("compile_failures")
      .select(["content_hash", "errors"])
      .where("content_hash", "in", batch)
      .execute();
    for (const row of rows)
      out.set(row.content_hash, JSON.parse(row.errors) as StoredSourceError[]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reads for pages

export interface CourseListItem {
  id: number;
  slug: string;
  title: string;
  summary: string;
  lessonCount: number;
  minutes: number;
}

export async function listPublishedCourses(): Promise<CourseListItem[]> {
  const rows = await db
    .selectFrom("courses as c")
    .leftJoin("lessons as l", (join) =>
      join.onRef("l.course_id", "=", "c.id").on("l.status", "=", "published"),
    )
    .select((eb) => [
      "c.id",
      "c.slug",
      "c.title",
      "c.summary",
      eb.fn.count<number>("l.id").as("lessonCount"),
      eb.fn.coalesce(eb.fn.sum<number>("l.minutes"), eb.lit(0)).as("minutes"),
    ])
    .where("c.status", "=", "published")
    .groupBy(["c.id", "c.slug", "c.title", "c.summary", "c.sort_order"])
    .orderBy("c.sort_order")
    .orderBy("c.title")
    .execute();
  return rows.map((r) => ({
    ...r,
    lessonCount: Number(r.lessonCount),
    minutes: Number(r.minutes),
  }));
}

export interface CourseRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  sortOrder: number;
  status: "published" | "archived";
}

/** A published course (or an archived one too, with includeArchived). */
export async function getCourseBySlug(
  slug: string,
  options: { includeArchived?: boolean } = {},
): Promise<CourseRow | undefined> {
  let q = db
    .selectFrom("courses")
    .select(["id", "slug", "title", "summary", "sort_order as sortOrder", "status"])
    .where("slug", "=", slug);
  if (!options.includeArchived) q = q.where("status", "=", "published");
  return q.executeTakeFirst();
}

export async function getCourseById(id: number): Promise<CourseRow | undefined> {
  return db
    .selectFrom("courses")
    .select(["id", "slug", "title", "summary", "sort_order as sortOrder", "status"])
    .where("id", "=", id)
    .executeTakeFirst();
}

export interface LessonListItem {
  id: number;
  slug: string;
  title: string;
  minutes: number;
  position: number;
  hasQuiz: boolean;
  versionId: number;
  /** Completions on an older version than this are stale. */
  validFromVersionId: number;
  maxAttempts: number | null;
}

async function lessonsWithHash(courseId: number) {
  const rows = await db
    .selectFrom("lessons as l")
    .innerJoin("lesson_versions as v", "v.id", "l.current_version_id")
    .select([
      "l.id",
      "l.slug",
      "l.title",
      "l.minutes",
      "l.position",
      "l.max_attempts",
      "l.valid_from_version_id",
      "v.id as versionId",
      "v.has_quiz",
      "v.content_hash",
    ])
    .where("l.course_id", "=", courseId)
    .where("l.status", "=", "published")
    .orderBy("l.position")
    .orderBy("l.id")
    .execute();
  return rows.map((r) => ({
    item: {
      id: r.id,
      slug: r.slug,
      title: r.title,
      minutes: r.minutes,
      position: r.position,
      hasQuiz: r.has_quiz === 1,
      versionId: r.versionId,
      validFromVersionId: r.valid_from_version_id ?? r.versionId,
      maxAttempts: r.max_attempts,
    } satisfies LessonListItem,
    contentHash: r.content_hash,
  }));
}

/** Published lessons of a course, in order. */
export async function listLessons(courseId: number): Promise<LessonListItem[]> {
  return (await lessonsWithHash(courseId)).map((r) => r.item);
}

export interface LessonLink {
  slug: string;
  title: string;
}

export interface LessonPage {
  course: { id: number; slug: string; title: string };
  lesson: LessonListItem;
  versionId: number;
  rendered: RenderedLesson;
  hasQuiz: boolean;
  hasAcknowledge: boolean;
  /** sha256 of the assessed content of this version (quiz, answer key, acknowledgement text). */
  assessedHash: string;
  prev: LessonLink | null;
  next: LessonLink | null;
  lessonCount: number;
}

export async function getLessonPage(
  courseSlug: string,
  lessonSlug: string,
): Promise<LessonPage | undefined> {
  const course = await getCourseBySlug(courseSlug);
  if (!course) return undefined;
  const lessons = await lessonsWithHash(course.id);
  const index = lessons.findIndex((l) => l.item.slug === lessonSlug);
  const current = lessons[index];
  if (!current) return undefined;
  const compiled = await renderedByHash(current.contentHash);
  if (!compiled) return undefined;
  const link = (i: number): LessonLink | null => {
    const l = lessons[i];
    return l ? { slug: l.item.slug, title: l.item.title } : null;
  };
  return {
    course: { id: course.id, slug: course.slug, title: course.title },
    lesson: current.item,
    versionId: current.item.versionId,
    rendered: compiled.rendered,
    hasQuiz: compiled.hasQuiz,
    hasAcknowledge: compiled.hasAcknowledge,
    assessedHash: compiled.assessedHash,
    prev: link(index - 1),
    next: link(index + 1),
    lessonCount: lessons.length,
  };
}

/** Answer keys by content hash: immutable, so every server may keep its own (one sync serves all). */
const answerKeyCache = new Map<string, AnswerKey>();

/** Server-side only: never put this in a response. */
export async function getAnswerKey(versionId: number): Promise<AnswerKey | undefined> {
  const version = await db
    .selectFrom("lesson_versions")
    .select("content_hash")
    .where("id", "=", versionId)
    .executeTakeFirst();
  if (!version) return undefined;
  const hit = answerKeyCache.get(version.content_hash);
  if (hit) return hit;
  const row = await db
    .selectFrom("compiled_mdx")
    .select("answer_key")
    .where("content_hash", "=", version.content_hash)
    .executeTakeFirst();
  if (!row) return undefined;
  const key = JSON.parse(row.answer_key) as AnswerKey;
  if (answerKeyCache.size >= RENDER_CACHE_MAX) answerKeyCache.clear();
  answerKeyCache.set(version.content_hash, key);
  return key;
}

/** The rendered body of course.mdx. */
export async function getCourseIntro(courseId: number): Promise<RenderedLesson | undefined> {
  const row = await db
    .selectFrom("courses")
    .select("intro_hash")
    .where("id", "=", courseId)
    .executeTakeFirst();
  if (!row) return undefined;
  return (await renderedByHash(row.intro_hash))?.rendered;
}

export interface LessonVersionInfo {
  id: number;
  lessonId: number;
  contentHash: string;
  assessedHash: string;
  hasQuiz: boolean;
  retakeRequired: boolean;
  publishedAt: string;
  publishedBy: number | null;
  /** The publisher's name; null when the courses folder was synced from the command line. */
  publishedByName: string | null;
}

/** Every version of a lesson, newest first. */
export async function listLessonVersions(lessonId: number): Promise<LessonVersionInfo[]> {
  const rows = await db
    .selectFrom("lesson_versions as v")
    .innerJoin("compiled_mdx as m", "m.content_hash", "v.content_hash")
    .leftJoin("users as u", "u.id", "v.published_by")
    .select([
      "v.id",
      "v.lesson_id",
      "v.content_hash",
      "m.assessed_hash",
      "v.has_quiz",
      "v.retake_required",
      "v.published_at",
      "v.published_by",
      "u.name as publishedByName",
    ])
    .where("v.lesson_id", "=", lessonId)
    .orderBy("v.id", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    lessonId: r.lesson_id,
    contentHash: r.content_hash,
    assessedHash: r.assessed_hash,
    hasQuiz: r.has_quiz === 1,
    retakeRequired: r.retake_required === 1,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    publishedByName: r.publishedByName,
  }));
}

/** The lesson a version belongs to (to tell a stale submission from another lesson's). */
export async function lessonOfVersion(versionId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom("lesson_versions")
    .select("lesson_id")
    .where("id", "=", versionId)
    .executeTakeFirst();
  return row?.lesson_id;
}

/** A version's stored source, if it is a version of this lesson (editor, history, restore). */
export async function getLessonVersionSource(
  lessonId: number,
  versionId: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("lesson_versions")
    .select("source")
    .where("id", "=", versionId)
    .where("lesson_id", "=", lessonId)
    .executeTakeFirst();
  return row?.source;
}

// ---------------------------------------------------------------------------------------------
// Reads for the authoring pages (every state, archived included)

export interface AdminCourseRow {
  id: number;
  slug: string;
  title: string;
  summary: string;
  order: number;
  status: "published" | "archived";
  lessonCount: number;
  /** How many lesson versions the course has published: its version number. */
  versionCount: number;
  lastPublishedAt: string | null;
  lastPublishedBy: string | null;
}

/** Every course the database knows, published or archived, with its publishing history. */
export async function listCoursesForAdmin(): Promise<AdminCourseRow[]> {
  const rows = await db
    .selectFrom("courses as c")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("lesson_versions as v")
          .innerJoin("lessons as l", "l.id", "v.lesson_id")
          .select((e) => [
            "l.course_id",
            e.fn.count<number>("v.id").as("versionCount"),
            e.fn.max("v.id").as("lastVersionId"),
          ])
          .groupBy("l.course_id")
          .as("h"),
      (join) => join.onRef("h.course_id", "=", "c.id"),
    )
    .leftJoin("lesson_versions as last", "last.id", "h.lastVersionId")
    .leftJoin("users as u", "u.id", "last.published_by")
    .select((eb) => [
      "c.id",
      "c.slug",
      "c.title",
      "c.summary",
      "c.sort_order as order",
      "c.status",
      eb
        .selectFrom("lessons as l")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("l.course_id", "=", "c.id")
        .where("l.status", "=", "published")
        .as("lessonCount"),
      "h.versionCount",
      "last.published_at as lastPublishedAt",
      "u.name as lastPublishedBy",
    ])
    .orderBy("c.status", "desc")
    .orderBy("c.sort_order")
    .orderBy("c.title")
    .execute();
  return rows.map((r) => ({
    ...r,
    lessonCount: Number(r.lessonCount ?? 0),
    versionCount: Number(r.versionCount ?? 0),
    lastPublishedAt: r.lastPublishedAt ?? null,
    lastPublishedBy: r.lastPublishedBy ?? null,
  }));
}

export interface AdminLessonRow {
  id: number;
  slug: string;
  title: string;
  minutes: number;
  position: number;
  status: "published" | "archived";
  hasQuiz: boolean;
  versionId: number;
  versionCount: number;
  publishedAt: string;
  publishedBy: string | null;
  source: string;
  contentHash: string;
}

function adminLessons(courseId: number) {
  return db
    .selectFrom("lessons as l")
    .innerJoin("lesson_versions as v", "v.id", "l.current_version_id")
    .leftJoin("users as u", "u.id", "v.published_by")
    .select((eb) => [
      "l.id",
      "l.slug",
      "l.title",
      "l.minutes",
      "l.position",
      "l.status",
      "v.has_quiz",
      "v.id as versionId",
      eb
        .selectFrom("lesson_versions as all")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("all.lesson_id", "=", "l.id")
        .as("versionCount"),
      "v.published_at as publishedAt",
      "u.name as publishedBy",
      "v.source",
      "v.content_hash as contentHash",
    ])
    .where("l.course_id", "=", courseId);
}

type AdminLessonQueryRow = Omit<AdminLessonRow, "hasQuiz" | "versionCount"> & {
  has_quiz: number;
  versionCount: number | null;
};

const toAdminLesson = ({
  has_quiz,
  versionCount,
  ...row
}: AdminLessonQueryRow): AdminLessonRow => ({
  ...row,
  hasQuiz: has_quiz === 1,
  versionCount: Number(versionCount ?? 0),
});

/** Every lesson of a course, published ones in order, then archived ones. */
export async function listLessonsForAdmin(courseId: number): Promise<AdminLessonRow[]> {
  const rows = await adminLessons(courseId)
    .orderBy("l.status", "desc")
    .orderBy("l.position")
    .orderBy("l.id")
    .execute();
  return rows.map(toAdminLesson);
}

/** One lesson of a course, in any state, with its current version. */
export async function getLessonForAdmin(
  courseId: number,
  slug: string,
): Promise<AdminLessonRow | undefined> {
  const row = await adminLessons(courseId).where("l.slug", "=", slug).executeTakeFirst();
  return row ? toAdminLesson(row) : undefined;
}

/** The lesson's current version: inside a publish, to check that nobody published meanwhile. */
export async function currentVersionId(lessonId: number): Promise<number | null> {
  const row = await db
    .selectFrom("lessons")
    .select("current_version_id")
    .where("id", "=", lessonId)
    .executeTakeFirst();
  return row?.current_version_id ?? null;
}

/** Whether any course (published or archived) uses this slug. */
export async function courseSlugTaken(slug: string): Promise<boolean> {
  const row = await db
    .selectFrom("courses")
    .select("id")
    .where("slug", "=", slug)
    .executeTakeFirst();
  return row !== undefined;
}

/** A compiled source's assessed hash (server-side comparisons only). */
export async function assessedHashOf(contentHash: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("compiled_mdx")
    .select("assessed_hash")
    .where("content_hash", "=", contentHash)
    .executeTakeFirst();
  return row?.assessed_hash;
}

// ---------------------------------------------------------------------------------------------
// Writes for the sync (services/courses.server.ts decides; this applies, in one transaction)

export interface DesiredLesson {
  slug: string;
  title: string;
  minutes: number;
  position: number;
  maxAttempts: number | null;
  retakeRequired: boolean;
  source: string;
  key: string;
}

export interface DesiredCourse {
  slug: string;
  title: string;
  summary: string;
  order: number;
  introKey: string;
  lessons: DesiredLesson[];
}

export interface ApplyResult {
  /** New lesson versions. */
  published: number;
  /** Lessons whose current version did not change. */
  unchanged: number;
  archivedCourses: number;
  archivedLessons: number;
  /** Courses or lessons that came back from the archive. */
  restored: number;
  /** Every new version that replaced an earlier one, for the service to judge. */
  replaced: ReplacedVersion[];
  /** Courses whose set of published lessons changed (a lesson added, archived or restored). */
  reshaped: number[];
}

/** A new lesson version over an earlier one: what it assesses before and after. */
export interface ReplacedVersion {
  courseId: number;
  lessonId: number;
  versionId: number;
  previousAssessedHash: string;
  nextAssessedHash: string;
  retakeRequired: boolean;
}

/**
 * Makes the database match the courses on disk. Call it inside a write transaction, in which
 * the service also judges `replaced` (what is stale) and recounts `reshaped` courses. `compiled`
 * holds the new cache entries (every key used by `courses` is either there or already stored).
 * A lesson's first version is where its evidence starts (`valid_from_version_id`). `failures`
 * are the new failed compiles; courses in `keep` are on disk but refused: left as they are.
 * With `wholeFolder`, `courses` and `keep` are the whole courses folder, and a published course
 * in neither has left it (archived); otherwise other courses are left alone.
 */
export async function applyCourseSync(input: {
  courses: DesiredCourse[];
  keep: string[];
  compiled: Map<string, CompiledEntry>;
  failures: Map<string, StoredSourceError[]>;
  publishedBy: number | null;
  wholeFolder: boolean;
}): Promise<ApplyResult> {
  const result: ApplyResult = {
    published: 0,
    unchanged: 0,
    archivedCourses: 0,
    archivedLessons: 0,
    restored: 0,
    replaced: [],
    reshaped: [],
  };
  const reshaped = new Set<number>();
  const now = nowIso();
  for (const [key, entry] of input.compiled) await insertCompiled(key, entry);
  for (const [key, errors] of input.failures) {
    await db
      .insertInto("compile_failures")
      .values({ content_hash: key, errors: JSON.stringify(errors), created_at: now })
      .onConflict((oc) => oc.column("content_hash").doNothing())
      .execute();
  }

  const assessed = async (key: string): Promise<{ assessedHash: string; hasQuiz: boolean }> => {
    const fresh = input.compiled.get(key);
    if (fresh)
      return {
        assessedHash: fresh.assessedHash,
        hasQuiz: fresh.islands.some((i) => i.kind === "quiz"),
      };
    const row = await db
      .selectFrom("compiled_mdx")
      .select(["assessed_hash", "islands"])
      .where("content_hash", "=", key)
      .executeTakeFirstOrThrow();
    const islands = JSON.parse(row.islands) as IslandData[];
    return { assessedHash: row.assessed_hash, hasQuiz: islands.some((i) => i.kind === "quiz") };
  };

  const existingCourses = await db.selectFrom("courses").selectAll().execute();
  const onDisk = new Set([...input.courses.map((c) => c.slug), ...input.keep]);

  for (const course of input.courses) {
    const existing = existingCourses.find((c) => c.slug === course.slug);
    let courseId: number;
    if (!existing) {
      const row = await db
        .insertInto("courses")
        .values({
          slug: course.slug,
          title: course.title,
          summary: course.summary,
          sort_order: course.order,
          intro_hash: course.introKey,
          status: "published",
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      courseId = row.id;
    } else {
      courseId = existing.id;
      if (existing.status === "archived") result.restored++;
      const changed =
        existing.title !== course.title ||
        existing.summary !== course.summary ||
        existing.sort_order !== course.order ||
        existing.intro_hash !== course.introKey ||
        existing.status !== "published";
      if (changed) {
        await db
          .updateTable("courses")
          .set({
            title: course.title,
            summary: course.summary,
            sort_order: course.order,
            intro_hash: course.introKey,
            status: "published",
            updated_at: now,
          })
          .where("id", "=", courseId)
          .execute();
      }
    }

    const existingLessons = await db
      .selectFrom("lessons")
      .selectAll()
      .where("course_id", "=", courseId)
      .execute();
    const lessonSlugs = new Set(course.lessons.map((l) => l.slug));

    for (const lesson of course.lessons) {
      const row = existingLessons.find((l) => l.slug === lesson.slug);
      const meta = {
        title: lesson.title,
        minutes: lesson.minutes,
        position: lesson.position,
        max_attempts: lesson.maxAttempts,
        status: "published" as const,
      };
      let lessonId: number;
      let current: { id: number; source: string; content_hash: string } | undefined;
      if (!row) {
        const inserted = await db
          .insertInto("lessons")
          .values({
            course_id: courseId,
            slug: lesson.slug,
            ...meta,
            current_version_id: null,
            valid_from_version_id: null,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        lessonId = inserted.id;
        reshaped.add(courseId);
      } else {
        lessonId = row.id;
        if (row.status === "archived") {
          result.restored++;
          reshaped.add(courseId);
        }
        if (
          row.title !== meta.title ||
          row.minutes !== meta.minutes ||
          row.position !== meta.position ||
          row.max_attempts !== meta.max_attempts ||
          row.status !== meta.status
        ) {
          await db.updateTable("lessons").set(meta).where("id", "=", lessonId).execute();
        }
        if (row.current_version_id != null) {
          current = await db
            .selectFrom("lesson_versions")
            .select(["id", "source", "content_hash"])
            .where("id", "=", row.current_version_id)
            .executeTakeFirst();
        }
      }

      const next = await assessed(lesson.key);
      if (current && current.source === lesson.source) {
        // Same content. Only a new compiler version gives it a new cache key: repoint in place.
        if (current.content_hash !== lesson.key) {
          await db
            .updateTable("lesson_versions")
            .set({ content_hash: lesson.key, has_quiz: next.hasQuiz ? 1 : 0 })
            .where("id", "=", current.id)
            .execute();
        }
        result.unchanged++;
        continue;
      }

      const version = await db
        .insertInto("lesson_versions")
        .values({
          lesson_id: lessonId,
          content_hash: lesson.key,
          source: lesson.source,
          has_quiz: next.hasQuiz ? 1 : 0,
          retake_required: lesson.retakeRequired ? 1 : 0,
          published_at: now,
          published_by: input.publishedBy,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .updateTable("lessons")
        .set({
          current_version_id: version.id,
          ...(current ? {} : { valid_from_version_id: version.id }),
        })
        .where("id", "=", lessonId)
        .execute();
      if (current) {
        result.replaced.push({
          courseId,
          lessonId,
          versionId: version.id,
          previousAssessedHash: (await assessed(current.content_hash)).assessedHash,
          nextAssessedHash: next.assessedHash,
          retakeRequired: lesson.retakeRequired,
        });
      }
      result.published++;
    }

    for (const row of existingLessons) {
      if (!lessonSlugs.has(row.slug) && row.status === "published") {
        await db
          .updateTable("lessons")
          .set({ status: "archived" })
          .where("id", "=", row.id)
          .execute();
        result.archivedLessons++;
        reshaped.add(courseId);
      }
    }
  }

  for (const row of input.wholeFolder ? existingCourses : []) {
    if (!onDisk.has(row.slug) && row.status === "published") {
      await db
        .updateTable("courses")
        .set({ status: "archived", updated_at: now })
        .where("id", "=", row.id)
        .execute();
      const archived = await db
        .updateTable("lessons")
        .set({ status: "archived" })
        .where("course_id", "=", row.id)
        .where("status", "=", "published")
        .executeTakeFirst();
      result.archivedCourses++;
      result.archivedLessons += Number(archived.numUpdatedRows);
    }
  }
  result.reshaped = [...reshaped];
  return result;
}

/** From this version on, evidence counts; earlier completions of the lesson are stale. */
export async function setValidFrom(lessonId: number, versionId: number): Promise<void> {
  await db
    .updateTable("lessons")
    .set({ valid_from_version_id: versionId })
    .where("id", "=", lessonId)
    .execute();
}

/** The ids of a course's lessons in one state. */
export async function listLessonIds(
  courseId: number,
  status: "published" | "archived",
): Promise<number[]> {
  const rows = await db
    .selectFrom("lessons")
    .select("id")
    .where("course_id", "=", courseId)
    .where("status", "=", status)
    .execute();
  return rows.map((r) => r.id);
}
