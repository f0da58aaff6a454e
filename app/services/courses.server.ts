/**
 * Courses on disk → validated, compiled, published.
 *
 * `checkCourses` reads a courses folder, checks every file (frontmatter, lesson ids, MDX) and
 * compiles every source; it needs no database. `syncCourses` does the same, reusing the
 * compiled_mdx cache and skipping sources whose compile failed before (compile_failures), then
 * applies every change in one transaction. A course with any error is refused whole: its
 * published version stays live and the other courses are still published. Nothing inside the
 * courses folder is read through a symbolic link.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { appendAudit, SYSTEM_ACTOR, type Actor } from "~/models/audit.server";
import {
  applyCourseSync,
  getCompileFailures,
  getCompiledMany,
  setValidFrom,
  type CompiledEntry,
  type DesiredCourse,
  type ReplacedVersion,
  type StoredSourceError,
} from "~/models/courses.server";
import { exclusively, writeTransaction } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { serialQueue } from "~/utils/serial-queue";
import { recomputeAssignments } from "./assignments.server";
import { recountCourseProgress, reopenLessons } from "./progress.server";
import {
  COURSE_ASSET_FILE,
  MdxError,
  compileKey,
  compileMdx,
  fileError,
  readFrontmatter,
  sizeProblem,
  type CompiledMdx,
  type SourceError,
} from "./mdx-compile.server";

export type CourseError = SourceError;

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ASSET_BYTES = 10 * 1024 * 1024;
/** Opening a symbolic link fails (ELOOP) instead of following it. */
const NO_FOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);
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
  /** Quiz-quality findings; `courses check --strict` treats them as errors. */
  warnings: CourseError[];
  /** Course folders refused whole because of their errors. */
  refused: string[];
  /** How many sources were compiled, came from the cache, or failed before and were skipped. */
  compiled: number;
  reused: number;
  knownFailures: number;
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
  /** Sources whose compile failed at an earlier sync: reported again, not compiled again. */
  knownFailures: number;
  /** Course folders refused whole; their published versions (if any) stay live. */
  refused: string[];
  errors: CourseError[];
}

function frontmatterErrors(
  file: string,
  data: Record<string, unknown>,
  keys: ReadonlyMap<string, { line: number; column: number }>,
  issues: z.core.$ZodIssue[],
): CourseError[] {
  const at = (key: string) => keys.get(key) ?? { line: 1, column: 1 };
  const out: CourseError[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ file, ...at(key), message: `unknown frontmatter key \`${key}\`` });
      }
      continue;
    }
    const key = String(issue.path[0] ?? "");
    if (key && !Object.hasOwn(data, key)) {
      out.push(fileError(file, `frontmatter is missing \`${key}\``));
      continue;
    }
    out.push({
      file,
      ...at(key),
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
  keys: ReadonlyMap<string, { line: number; column: number }>;
} {
  const front = readFrontmatter(source, file);
  const raw = front.data ?? {};
  if (front.errors.length > 0)
    return { data: undefined, raw, errors: front.errors, keys: front.keys };
  if (!front.data) {
    return {
      data: undefined,
      raw,
      errors: [fileError(file, "frontmatter is missing: start the file with a `---` block")],
      keys: front.keys,
    };
  }
  const parsed = schema.safeParse(front.data);
  if (parsed.success) return { data: parsed.data, raw, errors: [], keys: front.keys };
  return {
    data: undefined,
    raw,
    errors: frontmatterErrors(file, front.data, front.keys, parsed.error.issues),
    keys: front.keys,
  };
}

/** Reads a course file without following a symbolic link; undefined (with the error) otherwise. */
function readSource(abs: string, file: string, errors: CourseError[]): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(abs, NO_FOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    errors.push(
      fileError(
        file,
        code === "ELOOP"
          ? "is a symbolic link: course files must be real files inside the courses folder"
          : `could not be read (${code ?? String(error)})`,
      ),
    );
    return undefined;
  }
  try {
    const tooLarge = sizeProblem(fs.fstatSync(fd).size, file);
    if (tooLarge) {
      errors.push(tooLarge);
      return undefined;
    }
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

function lineOf(source: string, pattern: RegExp): number {
  const lines = source.split("\n");
  const i = lines.findIndex((l) => pattern.test(l));
  return i >= 0 ? i + 1 : 1;
}

/** One folder of the courses folder: its course if it could be read, and its errors. */
export interface CourseFolder {
  slug: string;
  course?: ParsedCourse;
  errors: CourseError[];
}

/** Reads and checks the files; no compiling yet. `errors` are about the courses folder itself. */
function readCourses(dir: string): { folders: CourseFolder[]; errors: CourseError[] } {
  const base = path.basename(path.resolve(dir));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return { folders: [], errors: [fileError(base, `courses folder not found: ${dir}`)] };
  }
  const folders: CourseFolder[] = [];
  const entries = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith(".") && !e.name.startsWith("_"))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const folder: CourseFolder = { slug: entry.name, errors: [] };
    const where = path.join(base, entry.name);
    if (entry.isSymbolicLink()) {
      // Only a link to a folder looks like a course; links to files are ignored like files.
      if (fs.statSync(path.join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory()) {
        folder.errors.push(
          fileError(
            where,
            "is a symbolic link: course folders must be real folders inside the courses folder",
          ),
        );
        folders.push(folder);
      }
      continue;
    }
    if (!entry.isDirectory()) continue;
    if (!KEBAB.test(entry.name)) {
      folder.errors.push(
        fileError(
          where,
          "course folder names must be kebab-case (lowercase letters, digits and dashes): it is the URL",
        ),
      );
    } else {
      folder.course = readCourse(dir, base, entry.name, folder.errors);
    }
    folders.push(folder);
  }
  return { folders, errors: [] };
}

function readCourse(
  dir: string,
  base: string,
  slug: string,
  errors: CourseError[],
): ParsedCourse | undefined {
  const courseDir = path.join(dir, slug);
  const rel = (name: string) => path.join(base, slug, name);
  const courseFile = rel("course.mdx");
  const entries = fs.readdirSync(courseDir, { withFileTypes: true });
  for (const link of entries.filter((e) => e.isSymbolicLink())) {
    errors.push(
      fileError(
        rel(link.name),
        "is a symbolic link: course files must be real files inside the course folder",
      ),
    );
  }
  const names = entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  if (!names.includes("course.mdx")) {
    errors.push(
      fileError(courseFile, "missing course.mdx (title, summary, order and the introduction)"),
    );
    return undefined;
  }
  const courseSource = readSource(path.join(courseDir, "course.mdx"), courseFile, errors);
  const courseFront =
    courseSource === undefined
      ? undefined
      : parseFrontmatter(CourseFrontmatter, courseSource, courseFile);
  errors.push(...(courseFront?.errors ?? []));

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
      errors.push(
        fileError(
          file,
          "lesson file names start with a number for their order, e.g. `03-handling-returns.mdx`",
        ),
      );
      continue;
    }
    const number = Number(match[1]);
    const other = byNumber.get(number);
    if (other) {
      errors.push(
        fileError(
          file,
          `two lessons share the number ${match[1]} (also ${other}): give each its own`,
        ),
      );
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
        line: front.keys.get("id")?.line ?? 1,
        column: 1,
        message: `duplicate lesson id \`${id}\` (also in ${seen}): ids must be unique within a course`,
      });
    } else if (id !== undefined) byId.set(id, name);
    // Lessons with frontmatter errors are still compiled, so every body error is reported too.
    lessons.push({
      file,
      position,
      slug: front.data?.id ?? "",
      title: front.data?.title ?? "",
      minutes: front.data?.minutes ?? 0,
      retakeRequired: front.data?.retake === "required",
      maxAttempts: front.data?.attempts ?? null,
      source,
      key: compileKey(source),
    });
  }
  if (courseSource === undefined) return undefined;
  return {
    slug,
    file: courseFile,
    title: courseFront?.data?.title ?? "",
    summary: courseFront?.data?.summary ?? "",
    order: courseFront?.data?.order ?? 0,
    source: courseSource,
    key: compileKey(courseSource),
    lessons,
  };
}

/**
 * One course folder of a courses folder, read and checked like `courses sync` reads it (no
 * compiling): for the editor, which publishes into the same files.
 */
export function readCourseFolder(dir: string, slug: string): CourseFolder {
  const base = path.basename(path.resolve(dir));
  const folder: CourseFolder = { slug, errors: [] };
  if (!fs.lstatSync(path.join(dir, slug), { throwIfNoEntry: false })?.isDirectory()) {
    folder.errors.push(fileError(path.join(base, slug), "is not a course folder"));
    return folder;
  }
  folder.course = readCourse(dir, base, slug, folder.errors);
  return folder;
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

/** What the database already knows about these cache keys (sync only; `check` has no database). */
interface CompileCache {
  compiled: (keys: string[]) => Promise<Map<string, CompiledEntry>>;
  failures: (keys: string[]) => Promise<Map<string, StoredSourceError[]>>;
}

export interface Checked extends CheckResult {
  /** The courses folder itself could not be read: nothing may change. */
  unreadable: boolean;
  fresh: Map<string, CompiledMdx>;
  /** Compiles that failed now, by cache key, to remember. */
  failures: Map<string, StoredSourceError[]>;
}

const withoutFile = ({ file: _file, ...at }: SourceError): StoredSourceError => at;

async function checkAndCompile(dir: string, cache?: CompileCache): Promise<Checked> {
  const read = readCourses(dir);
  const fresh = new Map<string, CompiledMdx>();
  const failures = new Map<string, StoredSourceError[]>();
  const warnings: CourseError[] = [];
  let reused = 0;
  let knownFailures = 0;
  const sources = read.folders.flatMap((folder) =>
    folder.course
      ? [folder.course, ...folder.course.lessons].map((s) => ({
          folder,
          file: s.file,
          source: s.source,
          key: s.key,
          intro: s === folder.course,
        }))
      : [],
  );
  const keys = sources.map((s) => s.key);
  const compiledCache = cache ? await cache.compiled(keys) : new Map<string, CompiledEntry>();
  const failureCache = cache ? await cache.failures(keys) : new Map<string, StoredSourceError[]>();
  for (const s of sources) {
    let compiled: CompiledEntry | undefined = compiledCache.get(s.key) ?? fresh.get(s.key);
    const failed = failureCache.get(s.key) ?? failures.get(s.key);
    if (compiled) reused++;
    else if (failed) {
      if (failureCache.has(s.key)) knownFailures++;
      s.folder.errors.push(...failed.map((at) => ({ file: s.file, ...at })));
    } else {
      try {
        const result = await compileMdx(s.source, { file: s.file });
        fresh.set(s.key, result);
        compiled = result;
      } catch (error) {
        // Only the file's own problems are remembered; a compile worker that could not start is not.
        if (error instanceof MdxError) {
          failures.set(s.key, error.errors.map(withoutFile));
          s.folder.errors.push(...error.errors);
        } else {
          s.folder.errors.push(
            fileError(s.file, `could not compile: ${(error as Error)?.message ?? String(error)}`),
          );
        }
      }
    }
    // Quiz-quality warnings come with fresh compiles (`courses check` compiles everything).
    for (const w of fresh.get(s.key)?.warnings ?? []) warnings.push({ ...w, file: s.file });
    if (compiled && s.intro) {
      for (const island of compiled.islands) {
        if (island.kind === "widget") continue;
        const tag = island.kind === "quiz" ? "Quiz" : "Acknowledge";
        s.folder.errors.push({
          file: s.file,
          line: lineOf(s.source, new RegExp(`<${tag}\\b`)),
          column: 1,
          message: `\`<${tag}>\` belongs in a lesson, not in course.mdx`,
        });
      }
    }
  }
  return {
    courses: read.folders.flatMap((f) => f.course ?? []),
    errors: dedupe([...read.errors, ...read.folders.flatMap((f) => f.errors)]),
    warnings: dedupe(warnings),
    refused: read.folders.filter((f) => f.errors.length > 0).map((f) => f.slug),
    compiled: fresh.size,
    reused,
    knownFailures,
    unreadable: read.errors.length > 0,
    fresh,
    failures,
  };
}

const DATABASE_CACHE: CompileCache = { compiled: getCompiledMany, failures: getCompileFailures };

/**
 * Checks and compiles a courses folder as `courses sync` does (the compile cache included), for
 * a staged copy of one course that the editor is about to publish. Nothing is written.
 */
export function checkStagedCourses(dir: string): Promise<Checked> {
  return checkAndCompile(dir, DATABASE_CACHE);
}

/** Checks a courses folder and compiles everything. Needs no database. */
export async function checkCourses(dir: string): Promise<CheckResult> {
  const {
    unreadable: _unreadable,
    fresh: _fresh,
    failures: _failures,
    ...result
  } = await checkAndCompile(dir);
  return result;
}

/**
 * Only a change to what is assessed (questions, answers, pass mark, statements) or a version
 * published with `retake: required` makes earlier completions stale; a typo fix does not.
 */
export const makesCompletionsStale = (
  change: Pick<ReplacedVersion, "previousAssessedHash" | "nextAssessedHash" | "retakeRequired">,
) => change.previousAssessedHash !== change.nextAssessedHash || change.retakeRequired;

const runSerially = serialQueue();

/**
 * Runs work that reads and writes the courses folder (a sync, an editor's publish) after any such
 * work this process has started, never beside it.
 */
export function withCoursesFolder<T>(work: () => Promise<T>): Promise<T> {
  return runSerially(work);
}

/**
 * Publishes the courses folder: compiles what the caches do not know, then applies every change
 * in one write transaction, with the completions it makes stale, the assignments it adds and
 * its audit entry. Courses with errors are refused whole and stay as they were.
 */
export function syncCourses(dir: string, actor: Actor = SYSTEM_ACTOR): Promise<SyncSummary> {
  return runSerially(() => syncNow(dir, actor));
}

async function syncNow(dir: string, actor: Actor): Promise<SyncSummary> {
  const checked = await checkAndCompile(dir, DATABASE_CACHE);
  const refused = new Set(checked.refused);
  const accepted = checked.courses.filter((c) => !refused.has(c.slug));
  const summary: SyncSummary = {
    courses: accepted.length,
    lessons: accepted.reduce((n, c) => n + c.lessons.length, 0),
    compiled: checked.compiled,
    reused: checked.reused,
    knownFailures: checked.knownFailures,
    published: 0,
    unchanged: 0,
    archived: 0,
    reopened: 0,
    refused: checked.refused,
    errors: checked.errors,
  };
  if (checked.unreadable) return summary;

  // Runs again from the start if it loses a race on PostgreSQL: it changes nothing outside.
  const outcome = await writeTransaction(async () => {
    const applied = await applyCheckedCourses(checked, accepted, actor, { wholeFolder: true });
    const { published, unchanged, archived, restored, reopened } = applied;
    if (published + archived + restored > 0) {
      await appendAudit(actor, [
        {
          action: "courses.synced",
          subject: dir,
          after: { published, archived, restored, reopened },
        },
      ]);
    }
    return { published, unchanged, archived, reopened };
  });
  return { ...summary, ...outcome };
}

export interface AppliedCourses {
  published: number;
  unchanged: number;
  /** Courses and lessons archived. */
  archived: number;
  restored: number;
  /** Completions made stale. */
  reopened: number;
  /** The new versions that replaced earlier ones (and whether each made completions stale). */
  replaced: (ReplacedVersion & { stale: boolean })[];
}

/**
 * Publishes checked courses: new versions, the completions they make stale, recounts and the
 * assignments of new courses. Call it inside the write transaction of the change (sync, or the
 * editor's publish). With `wholeFolder`, courses missing from `accepted` (and not refused) are
 * archived; otherwise only the courses given are touched.
 */
export async function applyCheckedCourses(
  checked: Pick<Checked, "refused" | "fresh" | "failures">,
  accepted: ParsedCourse[],
  actor: Actor,
  options: { wholeFolder: boolean },
): Promise<AppliedCourses> {
  // One publish at a time across servers (the sync, the editor).
  await exclusively("course-sync");
  const applied = await applyCourseSync({
    courses: accepted.map(desiredCourse),
    keep: checked.refused,
    compiled: checked.fresh,
    failures: checked.failures,
    publishedBy: actor.id,
    wholeFolder: options.wholeFolder,
  });
  let reopened = 0;
  for (const change of applied.replaced.filter(makesCompletionsStale)) {
    await setValidFrom(change.lessonId, change.versionId);
    reopened += await reopenLessons(change.courseId, { lessonIds: [change.lessonId] }, "stale");
  }
  for (const courseId of applied.reshaped) await recountCourseProgress(courseId);
  // A newly published course is assigned at once, in the same write.
  if (applied.published + applied.archivedCourses + applied.restored > 0) {
    await recomputeAssignments();
  }
  return {
    published: applied.published,
    unchanged: applied.unchanged,
    archived: applied.archivedCourses + applied.archivedLessons,
    restored: applied.restored,
    reopened,
    replaced: applied.replaced.map((change) => ({
      ...change,
      stale: makesCompletionsStale(change),
    })),
  };
}

const desiredCourse = (c: ParsedCourse): DesiredCourse => ({
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
});

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

/** What a sync's errors meant: which courses were refused (their published versions stay live). */
export function describeRefusal(summary: Pick<SyncSummary, "errors" | "refused">): string {
  const errors = `${summary.errors.length} error${summary.errors.length === 1 ? "" : "s"}`;
  return summary.refused.length > 0
    ? `${errors}: refused ${summary.refused.join(", ")} (any version published before stays live); the other courses were published.`
    : `${errors}: nothing was changed; the published versions stay live.`;
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
 * inside COURSES_DIR/<course>/, with a safe name and an image extension, reached without a
 * symbolic link (neither the course folder nor the file may be one); undefined otherwise.
 */
export async function readCourseAsset(
  course: string,
  file: string,
): Promise<{ body: Buffer; contentType: string } | undefined> {
  const ext = COURSE_ASSET_FILE.exec(file)?.[1];
  if (!KEBAB.test(course) || !ext) return undefined;
  const folder = path.join(env().coursesDir, course);
  try {
    if (!(await fs.promises.lstat(folder)).isDirectory()) return undefined;
    const handle = await fs.promises.open(path.join(folder, file), NO_FOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > MAX_ASSET_BYTES) return undefined;
      return { body: await handle.readFile(), contentType: IMAGE_TYPES[ext]! };
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
