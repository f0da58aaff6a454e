/**
 * Courses on disk → validated, compiled, published.
 *
 * `checkCourses` reads a courses folder, checks every file (frontmatter, lesson ids, MDX) and
 * compiles every source in memory; it needs no database. `syncCourses` does the same, reusing
 * the compiled_mdx cache, and only when there is no error at all applies every change in one
 * transaction (otherwise nothing changes and the previous versions stay live).
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { appendAudit, SYSTEM_ACTOR, type Actor } from "~/models/audit.server";
import {
  applyCourseSync,
  getCompiledMany,
  setValidFrom,
  type CompiledEntry,
  type DesiredCourse,
  type ReplacedVersion,
} from "~/models/courses.server";
import { writeTransaction } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { serialQueue } from "~/utils/serial-queue";
import { recomputeAssignments } from "./assignments.server";
import { recountCourseProgress, reopenLessons } from "./progress.server";
import {
  COURSE_ASSET_FILE,
  MAX_SOURCE_BYTES,
  MdxError,
  compileKey,
  compileMdx,
  readFrontmatter,
  type CompiledMdx,
  type SourceError,
} from "./mdx-compile.server";

export type CourseError = SourceError;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ASSET_BYTES = 10 * 1024 * 1024;
const LESSON_FILE = /^(\d+)-([A-Za-z0-9][A-Za-z0-9_-]*)\.mdx$/;

const CourseFrontmatter = z.strictObject({
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().min(1).max(2000),
  order: z.number().int(),
});

const LessonFrontmatter = z.strictObject({
  id: z
    .string()
    .max(100)
    .regex(
      KEBAB,
      "must be kebab-case (lowercase letters, digits and single dashes, e.g. `handling-returns`)",
    ),
  title: z.string().trim().min(1).max(200),
  minutes: z.number().int().min(1).max(60),
  retake: z.literal("required").optional(),
  attempts: z.number().int().min(1).optional(),
});

export interface ParsedLesson {
  file: string;
  /** 1-based order within the course, from the numeric file prefix. */
  position: number;
  slug: string;
  title: string;
  minutes: number;
  retakeRequired: boolean;
  maxAttempts: number | null;
  source: string;
  key: string;
}

export interface ParsedCourse {
  slug: string;
  file: string;
  title: string;
  summary: string;
  order: number;
  source: string;
  key: string;
  lessons: ParsedLesson[];
}

export interface CheckResult {
  courses: ParsedCourse[];
  errors: CourseError[];
  /** How many sources were compiled and how many came from the cache. */
  compiled: number;
  reused: number;
}

export interface SyncSummary {
  courses: number;
  lessons: number;
  compiled: number;
  reused: number;
  /** New lesson versions. */
  published: number;
  unchanged: number;
  /** Courses and lessons archived because they left the folder. */
  archived: number;
  /** Completions made stale (assessed content changed, or `retake: required`). */
  reopened: number;
  errors: CourseError[];
}

function frontmatterErrors(
  file: string,
  data: Record<string, unknown>,
  keyLines: Record<string, number>,
  issues: z.core.$ZodIssue[],
): CourseError[] {
  const out: CourseError[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          file,
          line: keyLines[key] ?? 1,
          column: 1,
          message: `unknown frontmatter key \`${key}\``,
        });
      }
      continue;
    }
    const key = String(issue.path[0] ?? "");
    if (key && data[key] === undefined) {
      out.push({ file, line: 1, column: 1, message: `frontmatter is missing \`${key}\`` });
      continue;
    }
    out.push({
      file,
      line: keyLines[key] ?? 1,
      column: 1,
      message: key ? `frontmatter \`${key}\`: ${issue.message}` : `frontmatter: ${issue.message}`,
    });
  }
  return out;
}

function parseFrontmatter<T>(
  schema: z.ZodType<T>,
  source: string,
  file: string,
): {
  data: T | undefined;
  raw: Record<string, unknown>;
  errors: CourseError[];
  keyLines: Record<string, number>;
} {
  const front = readFrontmatter(source, file);
  const raw = front.data ?? {};
  if (front.errors.length > 0)
    return { data: undefined, raw, errors: front.errors, keyLines: front.keyLines };
  if (!front.data) {
    return {
      data: undefined,
      raw,
      errors: [
        {
          file,
          line: 1,
          column: 1,
          message: "frontmatter is missing: start the file with a `---` block",
        },
      ],
      keyLines: {},
    };
  }
  const parsed = schema.safeParse(front.data);
  if (parsed.success) return { data: parsed.data, raw, errors: [], keyLines: front.keyLines };
  return {
    data: undefined,
    raw,
    errors: frontmatterErrors(file, front.data, front.keyLines, parsed.error.issues),
    keyLines: front.keyLines,
  };
}

function readSource(abs: string, file: string, errors: CourseError[]): string | undefined {
  const size = fs.statSync(abs).size;
  if (size > MAX_SOURCE_BYTES) {
    errors.push({
      file,
      line: 1,
      column: 1,
      message: `file is too large (${Math.ceil(size / 1024)} KB; the limit is ${MAX_SOURCE_BYTES / 1024} KB)`,
    });
    return undefined;
  }
  return fs.readFileSync(abs, "utf8");
}

function lineOf(source: string, pattern: RegExp): number {
  const lines = source.split("\n");
  const i = lines.findIndex((l) => pattern.test(l));
  return i >= 0 ? i + 1 : 1;
}

/** Reads and checks the files; no compiling yet. */
function readCourses(dir: string): { courses: ParsedCourse[]; errors: CourseError[] } {
  const errors: CourseError[] = [];
  const courses: ParsedCourse[] = [];
  const base = path.basename(path.resolve(dir));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    errors.push({ file: base, line: 1, column: 1, message: `courses folder not found: ${dir}` });
    return { courses, errors };
  }
  const entries = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !e.name.startsWith("_"))
    .map((e) => e.name)
    .sort();
  for (const slug of entries) {
    const courseDir = path.join(dir, slug);
    const rel = (name: string) => path.join(base, slug, name);
    const courseFile = rel("course.mdx");
    if (!KEBAB.test(slug)) {
      errors.push({
        file: path.join(base, slug),
        line: 1,
        column: 1,
        message:
          "course folder names must be kebab-case (lowercase letters, digits and dashes): it is the URL",
      });
      continue;
    }
    const names = fs
      .readdirSync(courseDir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
    if (!names.includes("course.mdx")) {
      errors.push({
        file: courseFile,
        line: 1,
        column: 1,
        message: "missing course.mdx (title, summary, order and the introduction)",
      });
      continue;
    }
    const courseSource = readSource(path.join(courseDir, "course.mdx"), courseFile, errors);
    const courseFront =
      courseSource === undefined
        ? undefined
        : parseFrontmatter(CourseFrontmatter, courseSource, courseFile);
    if (courseFront) errors.push(...courseFront.errors);

    const lessons: ParsedLesson[] = [];
    const byId = new Map<string, string>();
    const byNumber = new Map<number, string>();
    const lessonFiles = names
      .filter((n) => n.endsWith(".mdx") && n !== "course.mdx")
      .map((n) => ({ name: n, match: LESSON_FILE.exec(n) }))
      .sort(
        (a, b) =>
          Number(a.match?.[1] ?? 0) - Number(b.match?.[1] ?? 0) || a.name.localeCompare(b.name),
      );
    let position = 0;
    for (const { name, match } of lessonFiles) {
      const file = rel(name);
      if (!match) {
        errors.push({
          file,
          line: 1,
          column: 1,
          message:
            "lesson file names start with a number for their order, e.g. `03-handling-returns.mdx`",
        });
        continue;
      }
      const number = Number(match[1]);
      const other = byNumber.get(number);
      if (other) {
        errors.push({
          file,
          line: 1,
          column: 1,
          message: `two lessons share the number ${match[1]} (also ${other}): give each its own`,
        });
      } else byNumber.set(number, name);
      position++;
      const source = readSource(path.join(courseDir, name), file, errors);
      if (source === undefined) continue;
      const front = parseFrontmatter(LessonFrontmatter, source, file);
      errors.push(...front.errors);
      const id = front.data?.id ?? (typeof front.raw.id === "string" ? front.raw.id : undefined);
      const seen = id === undefined ? undefined : byId.get(id);
      if (id !== undefined && seen) {
        errors.push({
          file,
          line: front.keyLines.id ?? 1,
          column: 1,
          message: `duplicate lesson id \`${id}\` (also in ${seen}): ids must be unique within a course`,
        });
      } else if (id !== undefined) byId.set(id, name);
      if (!front.data) {
        // Still compiled below, so every body error is reported too.
        lessons.push({
          file,
          position,
          slug: "",
          title: "",
          minutes: 0,
          retakeRequired: false,
          maxAttempts: null,
          source,
          key: compileKey(source),
        });
        continue;
      }
      lessons.push({
        file,
        position,
        slug: front.data.id,
        title: front.data.title,
        minutes: front.data.minutes,
        retakeRequired: front.data.retake === "required",
        maxAttempts: front.data.attempts ?? null,
        source,
        key: compileKey(source),
      });
    }
    if (courseSource !== undefined) {
      courses.push({
        slug,
        file: courseFile,
        title: courseFront?.data?.title ?? "",
        summary: courseFront?.data?.summary ?? "",
        order: courseFront?.data?.order ?? 0,
        source: courseSource,
        key: compileKey(courseSource),
        lessons,
      });
    }
  }
  return { courses, errors };
}

function dedupe(errors: CourseError[]): CourseError[] {
  const seen = new Set<string>();
  const out: CourseError[] = [];
  for (const e of errors) {
    const k = `${e.file}\n${e.line}\n${e.column}\n${e.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

async function checkAndCompile(
  dir: string,
  lookup?: (keys: string[]) => Promise<Map<string, CompiledEntry>>,
): Promise<CheckResult & { fresh: Map<string, CompiledMdx> }> {
  const { courses, errors } = readCourses(dir);
  const fresh = new Map<string, CompiledMdx>();
  let reused = 0;
  const sources: { file: string; source: string; key: string; intro: boolean }[] = [];
  for (const course of courses) {
    sources.push({ file: course.file, source: course.source, key: course.key, intro: true });
    for (const lesson of course.lessons)
      sources.push({ file: lesson.file, source: lesson.source, key: lesson.key, intro: false });
  }
  const cache = lookup ? await lookup(sources.map((s) => s.key)) : new Map<string, CompiledEntry>();
  const failed = new Set<string>();
  for (const s of sources) {
    let compiled: CompiledEntry | undefined = cache.get(s.key) ?? fresh.get(s.key);
    if (compiled) reused++;
    else if (!failed.has(s.key)) {
      try {
        compiled = await compileMdx(s.source, { file: s.file });
        fresh.set(s.key, compiled);
      } catch (error) {
        failed.add(s.key);
        if (error instanceof MdxError) errors.push(...error.errors);
        else
          errors.push({
            file: s.file,
            line: 1,
            column: 1,
            message: `could not compile: ${String((error as Error)?.message ?? error)}`,
          });
      }
    }
    if (compiled && s.intro) {
      for (const island of compiled.islands) {
        if (island.kind === "widget") continue;
        const tag = island.kind === "quiz" ? "Quiz" : "Acknowledge";
        errors.push({
          file: s.file,
          line: lineOf(s.source, new RegExp(`<${tag}\\b`)),
          column: 1,
          message: `\`<${tag}>\` belongs in a lesson, not in course.mdx`,
        });
      }
    }
  }
  return { courses, errors: dedupe(errors), compiled: fresh.size, reused, fresh };
}

/** Checks a courses folder and compiles everything in memory. Needs no database. */
export async function checkCourses(dir: string): Promise<CheckResult> {
  const { fresh: _fresh, ...result } = await checkAndCompile(dir);
  return result;
}

/**
 * Only a change to what is assessed (questions, answers, pass mark, statements) or a version
 * published with `retake: required` makes earlier completions stale; a typo fix does not.
 */
export const makesCompletionsStale = (change: ReplacedVersion) =>
  change.previousAssessedHash !== change.nextAssessedHash || change.retakeRequired;

const runSerially = serialQueue();

/**
 * Publishes the courses folder: compiles what the cache does not have, then (only if nothing at
 * all is wrong) applies every change in one write transaction, with the completions it makes
 * stale and its audit entry. With errors nothing changes.
 */
export function syncCourses(dir: string, actor: Actor = SYSTEM_ACTOR): Promise<SyncSummary> {
  return runSerially(() => syncNow(dir, actor));
}

async function syncNow(dir: string, actor: Actor): Promise<SyncSummary> {
  const checked = await checkAndCompile(dir, getCompiledMany);
  const lessonCount = checked.courses.reduce((n, c) => n + c.lessons.length, 0);
  const summary: SyncSummary = {
    courses: checked.courses.length,
    lessons: lessonCount,
    compiled: checked.compiled,
    reused: checked.reused,
    published: 0,
    unchanged: 0,
    archived: 0,
    reopened: 0,
    errors: checked.errors,
  };
  if (checked.errors.length > 0) return summary;

  const desired: DesiredCourse[] = checked.courses.map((c) => ({
    slug: c.slug,
    title: c.title,
    summary: c.summary,
    order: c.order,
    introKey: c.key,
    lessons: c.lessons.map((l) => ({
      slug: l.slug,
      title: l.title,
      minutes: l.minutes,
      position: l.position,
      maxAttempts: l.maxAttempts,
      retakeRequired: l.retakeRequired,
      source: l.source,
      key: l.key,
    })),
  }));
  await writeTransaction(async () => {
    const applied = await applyCourseSync({
      courses: desired,
      compiled: checked.fresh,
      publishedBy: actor.id,
    });
    for (const change of applied.replaced.filter(makesCompletionsStale)) {
      await setValidFrom(change.lessonId, change.versionId);
      summary.reopened += await reopenLessons(
        change.courseId,
        { lessonIds: [change.lessonId] },
        "stale",
      );
    }
    for (const courseId of applied.reshaped) await recountCourseProgress(courseId);
    // A newly published course is assigned at once, in the same write.
    if (applied.published + applied.archivedCourses + applied.restored > 0) {
      await recomputeAssignments();
    }
    summary.published = applied.published;
    summary.unchanged = applied.unchanged;
    summary.archived = applied.archivedCourses + applied.archivedLessons;
    if (summary.published + summary.archived + applied.restored > 0) {
      await appendAudit(actor, [
        {
          action: "courses.synced",
          subject: dir,
          after: {
            published: summary.published,
            archived: summary.archived,
            restored: applied.restored,
            reopened: summary.reopened,
          },
        },
      ]);
    }
  });
  return summary;
}

/**
 * One `file:line:col message` line per error. Error paths are relative to the courses folder's
 * parent (`courses/welcome/01-intro.mdx`); given `dir`, they are made relative to the working
 * directory instead when the folder is inside it.
 */
export function formatCourseErrors(errors: CourseError[], options: { dir?: string } = {}): string {
  const parent = options.dir ? path.dirname(path.resolve(options.dir)) : undefined;
  return errors
    .map((e) => {
      let file = e.file;
      if (parent) {
        const fromCwd = path.relative(process.cwd(), path.join(parent, e.file));
        if (!fromCwd.startsWith("..") && !path.isAbsolute(fromCwd)) file = fromCwd;
      }
      return `${file}:${e.line}:${e.column} ${e.message}`;
    })
    .join("\n");
}

const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
};

/**
 * An image for `<Figure src="/course-assets/<course>/<file>">`: only a regular file directly
 * inside COURSES_DIR/<course>/, with a safe name and an image extension; undefined otherwise.
 */
export async function readCourseAsset(
  course: string,
  file: string,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  const ext = COURSE_ASSET_FILE.exec(file)?.[1];
  if (!KEBAB.test(course) || !ext) return undefined;
  const folder = path.join(env().coursesDir, course);
  try {
    const real = await fs.promises.realpath(path.join(folder, file));
    if (path.dirname(real) !== (await fs.promises.realpath(folder))) return undefined;
    const stat = await fs.promises.stat(real);
    if (!stat.isFile() || stat.size > MAX_ASSET_BYTES) return undefined;
    return { body: await fs.promises.readFile(real), contentType: IMAGE_TYPES[ext]! };
  } catch {
    return undefined;
  }
}
