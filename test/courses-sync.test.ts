import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";

// A database of our own, set before any db module is imported (they are imported dynamically).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-courses-"));
process.env.DATABASE_PATH = path.join(tmp, "courses.db");

const FIXTURES = path.resolve("test/fixtures");

type Courses = typeof import("~/services/courses.server");
type Models = typeof import("~/models/courses.server");
type Compile = typeof import("~/services/mdx-compile.server");
let courses: Courses;
let models: Models;
let compile: Compile;

beforeAll(async () => {
  const { migrateToLatest } = await import("#db/migrate");
  await migrateToLatest();
  courses = await import("~/services/courses.server");
  models = await import("~/models/courses.server");
  compile = await import("~/services/mdx-compile.server");
});

let dir: string;
beforeEach(() => {
  // Each test gets its own copy of the fixture folder, named `courses`.
  dir = path.join(fs.mkdtempSync(path.join(tmp, "run-")), "courses");
  fs.cpSync(path.join(FIXTURES, "courses-good"), dir, { recursive: true });
});

const file = (...parts: string[]) => path.join(dir, ...parts);
const edit = (rel: string, fn: (s: string) => string) => {
  const p = file(rel);
  fs.writeFileSync(p, fn(fs.readFileSync(p, "utf8")));
};

async function resetDatabase() {
  const { db } = await import("~/utils/db.server");
  // Foreign keys: versions and lessons before courses and compiled_mdx.
  await db.deleteFrom("lesson_versions").execute();
  await db.deleteFrom("lessons").execute();
  await db.deleteFrom("courses").execute();
  await db.deleteFrom("compiled_mdx").execute();
  await db.deleteFrom("compile_failures").execute();
}

describe("checkCourses (no database)", () => {
  test("a good folder passes", async () => {
    const result = await courses.checkCourses(dir);
    expect(result.errors).toEqual([]);
    expect(
      result.courses.map((c) => [c.slug, c.lessons.map((l) => `${l.position}:${l.slug}`)]),
    ).toEqual([
      ["alpha", ["1:first-steps", "2:the-policy"]],
      ["beta", ["1:only-lesson"]],
    ]);
    expect(result.courses[1]!.lessons[0]!.maxAttempts).toBe(3);
  });

  test("every error in every file, with file:line:col", async () => {
    const result = await courses.checkCourses(path.join(FIXTURES, "courses-bad"));
    const lines = courses.formatCourseErrors(result.errors).split("\n");
    expect(lines).toEqual([
      "courses-bad/gamma/01-bad-jsx.mdx:11:1 invalid MDX: Unexpected closing tag `</Calout>`, expected corresponding closing tag for `<Callout>` (9:1-9:21)",
      "courses-bad/gamma/02-bad-yaml.mdx:4:1 invalid YAML frontmatter: Flow sequence in block collection must be sufficiently indented and end with a ]",
      "courses-bad/gamma/03-dupe.mdx:2:1 duplicate lesson id `bad-jsx` (also in 01-bad-jsx.mdx): ids must be unique within a course",
      "courses-bad/gamma/03-dupe.mdx:4:1 frontmatter `minutes`: Too big: expected number to be <=60",
      "courses-bad/gamma/03-dupe.mdx:7:7 only literal expressions (text, numbers, true/false/null) are allowed, found `{process.env.SECRET}`",
      "courses-bad/gamma/course.mdx:5:1 unknown frontmatter key `colour`",
    ]);
    // Relative to the working directory when the folder is inside it.
    expect(
      courses.formatCourseErrors(result.errors, { dir: path.join(FIXTURES, "courses-bad") }),
    ).toContain("test/fixtures/courses-bad/gamma/course.mdx:5:1 unknown frontmatter key `colour`");
  });

  test("duplicate lesson ids are reported at the id line", async () => {
    edit("alpha/02-the-policy.mdx", (s) => s.replace("id: the-policy", "id: first-steps"));
    const result = await courses.checkCourses(dir);
    expect(courses.formatCourseErrors(result.errors)).toBe(
      "courses/alpha/02-the-policy.mdx:2:1 duplicate lesson id `first-steps` (also in 01-first-steps.mdx): ids must be unique within a course",
    );
  });

  test("a quiz in course.mdx is refused", async () => {
    edit(
      "beta/course.mdx",
      (s) =>
        `${s}\n<Quiz>\n<Question prompt="p">\n  <Choice>a</Choice>\n  <Choice correct>b</Choice>\n  <Explanation>e</Explanation>\n</Question>\n</Quiz>\n`,
    );
    const result = await courses.checkCourses(dir);
    expect(courses.formatCourseErrors(result.errors)).toBe(
      "courses/beta/course.mdx:9:1 `<Quiz>` belongs in a lesson, not in course.mdx",
    );
  });
});

describe("syncCourses", () => {
  beforeEach(resetDatabase);

  test("publishes, then the second sync compiles nothing", async () => {
    const first = await courses.syncCourses(dir);
    expect(first.errors).toEqual([]);
    expect(first).toMatchObject({
      courses: 2,
      lessons: 3,
      published: 3,
      unchanged: 0,
      archived: 0,
    });

    const before = compile.compileCount();
    const second = await courses.syncCourses(dir);
    expect(compile.compileCount() - before).toBe(0);
    expect(second).toMatchObject({
      compiled: 0,
      reused: 5,
      published: 0,
      unchanged: 3,
      archived: 0,
      errors: [],
    });

    const list = await models.listPublishedCourses();
    expect(list.map((c) => [c.slug, c.lessonCount, c.minutes])).toEqual([
      ["alpha", 2, 8],
      ["beta", 1, 10],
    ]);
    const alpha = (await models.getCourseBySlug("alpha"))!;
    const lessons = await models.listLessons(alpha.id);
    expect(lessons.map((l) => [l.slug, l.position, l.hasQuiz])).toEqual([
      ["first-steps", 1, true],
      ["the-policy", 2, false],
    ]);
    const intro = await models.getCourseIntro(alpha.id);
    expect(intro?.segments.join("")).toContain("Welcome to <strong>Alpha</strong>");
  });

  test("lesson pages read stored HTML: no compile, no answer key", async () => {
    await courses.syncCourses(dir);
    const before = compile.compileCount();
    const page = await models.getLessonPage("alpha", "first-steps");
    expect(compile.compileCount()).toBe(before);
    expect(page).toBeDefined();
    expect(page!.hasQuiz).toBe(true);
    expect(page!.hasAcknowledge).toBe(false);
    expect(page!.prev).toBeNull();
    expect(page!.next).toEqual({ slug: "the-policy", title: "The policy" });
    expect(page!.rendered.segments).toHaveLength(page!.rendered.islands.length + 1);

    const json = JSON.stringify(page);
    expect(json).not.toContain("EXPLAIN-MARKER-7f3a");
    expect(json).not.toContain('"correct"');

    const key = await models.getAnswerKey(page!.versionId);
    expect(key?.["quiz-1"]?.questions.q1?.correct).toEqual(["q1-b"]);
    expect(key?.["quiz-1"]?.questions.q1?.explanationHtml).toContain("EXPLAIN-MARKER-7f3a");

    const policy = await models.getLessonPage("alpha", "the-policy");
    expect(policy!.hasAcknowledge).toBe(true);
    expect(policy!.prev).toEqual({ slug: "first-steps", title: "First steps" });
    expect(await models.getLessonPage("alpha", "nope")).toBeUndefined();
    expect(await models.getLessonPage("nope", "first-steps")).toBeUndefined();
  });

  test("a typo fix makes a new version without staling completions; a quiz edit stales them", async () => {
    await courses.syncCourses(dir);
    const v1 = (await models.getLessonPage("alpha", "first-steps"))!;

    edit("alpha/01-first-steps.mdx", (s) =>
      s.replace("Customers notice", "Customers really notice"),
    );
    const typo = await courses.syncCourses(dir);
    expect(typo).toMatchObject({ published: 1, unchanged: 2, compiled: 1, errors: [] });
    const v2 = (await models.getLessonPage("alpha", "first-steps"))!;
    expect(v2.versionId).not.toBe(v1.versionId);
    expect(v2.assessedHash).toBe(v1.assessedHash);
    expect(v2.lesson.validFromVersionId).toBe(v1.versionId);

    edit("alpha/01-first-steps.mdx", (s) => s.replace("Within a week", "Within a fortnight"));
    await courses.syncCourses(dir);
    const v3 = (await models.getLessonPage("alpha", "first-steps"))!;
    expect(v3.assessedHash).not.toBe(v1.assessedHash);
    expect(v3.lesson.validFromVersionId).toBe(v3.versionId);

    edit("alpha/01-first-steps.mdx", (s) =>
      s.replace("minutes: 5", "minutes: 6\nretake: required"),
    );
    await courses.syncCourses(dir);
    const v4 = (await models.getLessonPage("alpha", "first-steps"))!;
    expect(v4.assessedHash).toBe(v3.assessedHash);
    expect(v4.lesson.validFromVersionId).toBe(v4.versionId);
    expect(v4.lesson.minutes).toBe(6);

    // Every version is kept.
    const versions = await models.listLessonVersions(v4.lesson.id);
    expect(versions.map((v) => v.id)).toEqual([
      v4.versionId,
      v3.versionId,
      v2.versionId,
      v1.versionId,
    ]);
    expect(versions[0]!.retakeRequired).toBe(true);
  });

  test("a broken lesson refuses its whole course: the previous version stays live, other courses publish", async () => {
    await courses.syncCourses(dir);
    const before = (await models.getLessonPage("alpha", "first-steps"))!;
    const betaBefore = (await models.getLessonPage("beta", "only-lesson"))!;

    edit("alpha/01-first-steps.mdx", (s) => s.replace("</Callout>", "</Calout>"));
    edit("beta/01-only.mdx", (s) => s.replace("The phone rings.", "The phone rings twice."));
    fs.writeFileSync(
      file("alpha/03-new.mdx"),
      "---\nid: brand-new\ntitle: New\nminutes: 2\n---\n\nNew lesson.\n",
    );
    fs.rmSync(file("alpha/02-the-policy.mdx"));

    const result = await courses.syncCourses(dir);
    expect(courses.formatCourseErrors(result.errors)).toMatch(
      /^courses\/alpha\/01-first-steps\.mdx:13:1 invalid MDX: Unexpected closing tag/,
    );
    expect(result).toMatchObject({ refused: ["alpha"], published: 1, archived: 0 });

    // alpha is exactly as it was: no new lesson, nothing archived, the same versions.
    const after = (await models.getLessonPage("alpha", "first-steps"))!;
    expect(after.versionId).toBe(before.versionId);
    expect(after.rendered).toEqual(before.rendered);
    const alpha = (await models.getCourseBySlug("alpha"))!;
    expect((await models.listLessons(alpha.id)).map((l) => l.slug)).toEqual([
      "first-steps",
      "the-policy",
    ]);
    // beta is published.
    const beta = (await models.getLessonPage("beta", "only-lesson"))!;
    expect(beta.versionId).not.toBe(betaBefore.versionId);
    expect(beta.rendered.segments.join("")).toContain("The phone rings twice.");
    const { db } = await import("~/utils/db.server");
    const versionCount = await db
      .selectFrom("lesson_versions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(versionCount.n)).toBe(4);
  });

  test("removed lessons and courses are archived with history kept, and come back", async () => {
    await courses.syncCourses(dir);
    const policy = (await models.getLessonPage("alpha", "the-policy"))!;

    fs.rmSync(file("alpha/02-the-policy.mdx"));
    fs.rmSync(file("beta"), { recursive: true });
    const removed = await courses.syncCourses(dir);
    expect(removed).toMatchObject({ archived: 3, published: 0, errors: [] });
    expect((await models.listPublishedCourses()).map((c) => c.slug)).toEqual(["alpha"]);
    expect(await models.getLessonPage("alpha", "the-policy")).toBeUndefined();
    expect(await models.getCourseBySlug("beta")).toBeUndefined();
    expect((await models.getCourseBySlug("beta", { includeArchived: true }))?.status).toBe(
      "archived",
    );
    expect(await models.listLessonVersions(policy.lesson.id)).toHaveLength(1);

    fs.cpSync(path.join(FIXTURES, "courses-good"), dir, { recursive: true });
    const back = await courses.syncCourses(dir);
    expect(back).toMatchObject({ published: 0, unchanged: 3, compiled: 0, errors: [] });
    expect((await models.listPublishedCourses()).map((c) => c.slug)).toEqual(["alpha", "beta"]);
    const restored = (await models.getLessonPage("alpha", "the-policy"))!;
    expect(restored.versionId).toBe(policy.versionId);
    expect(restored.lesson.id).toBe(policy.lesson.id);
  });

  test("renaming a lesson file keeps the lesson (the id is the key)", async () => {
    await courses.syncCourses(dir);
    const before = (await models.getLessonPage("alpha", "the-policy"))!;
    fs.renameSync(file("alpha/02-the-policy.mdx"), file("alpha/00-policy-first.mdx"));
    const result = await courses.syncCourses(dir);
    expect(result).toMatchObject({ published: 0, archived: 0, errors: [] });
    const after = (await models.getLessonPage("alpha", "the-policy"))!;
    expect(after.lesson.id).toBe(before.lesson.id);
    expect(after.lesson.position).toBe(1);
    expect(after.next?.slug).toBe("first-steps");
  });
});
