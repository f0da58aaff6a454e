// Authoring in the browser (issue 12), over HTTP against the built server: drafts, the preview,
// the impact preview against what publishing really does, broken drafts, concurrent edits, files
// changed on disk, history and restore, and the course pages. Each test works on its own copy
// of the quiz fixture course, so that the tests do not depend on each other's order.
import { sql } from "kysely";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { syncCourses } from "~/services/courses.server";
import { openLesson, submitQuiz } from "~/services/lessons.server";
import { completeLesson } from "~/services/progress.server";
import { all, migratedDatabase, one } from "../helpers/db";
import type { Browser } from "../helpers/http";
import { loggedIn, seedPeople } from "../helpers/people";
import { ALL_WRONG, completeQuizCourse } from "../helpers/quiz-course";
import { startServer, type RunningServer } from "../helpers/server";

const PEOPLE = [
  { key: "ada", name: "Ada Admin", dept: "Office", admin: true },
  { key: "bea", name: "Bea Admin", dept: "Office", admin: true },
  { key: "ann", name: "Ann Able", dept: "Sales" },
  { key: "bo", name: "Bo Baker", dept: "Sales" },
  { key: "cy", name: "Cy Clark", dept: "Warehouse" },
  { key: "dee", name: "Dee Dunn", dept: "Warehouse" },
  { key: "eve", name: "Eve Early", dept: "Warehouse" },
  { key: "gil", name: "Gil Gray", dept: "Sales" },
] as const;

let server: RunningServer;
let ids: Map<string, number>;
let coursesDir: string;
let copies = 0;

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople(PEOPLE);
  coursesDir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-authoring-"));
  server = await startServer({ COURSES_DIR: coursesDir });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(coursesDir, { recursive: true, force: true });
});

/**
 * A course of its own for one test, published from a copy of the quiz fixture, with people at
 * every stage of its `check` lesson: Ann, Bo and Cy completed the whole course; Dee opened
 * `check` and failed the quiz once (part-way); Gil completed `welcome` only; Eve never started.
 */
async function freshCourse(): Promise<string> {
  const slug = `safety-${++copies}`;
  fs.cpSync("test/fixtures/courses-quiz/safety", path.join(coursesDir, slug), { recursive: true });
  expect((await syncCourses(coursesDir)).errors).toEqual([]);
  for (const key of ["ann", "bo", "cy"]) await completeQuizCourse(ids.get(key)!, slug);
  const dee = ids.get("dee")!;
  const check = await openLesson(dee, slug, "check");
  await submitQuiz(dee, slug, "check", {
    quizId: "quiz-1",
    versionId: check.versionId,
    answers: ALL_WRONG,
  });
  const welcome = await openLesson(ids.get("gil")!, slug, "welcome");
  const lesson = await lessonRow(slug, "welcome");
  await completeLesson(ids.get("gil")!, {
    courseId: lesson.course_id,
    lessonId: lesson.id,
    versionId: welcome.versionId,
  });
  return slug;
}

async function lessonRow(course: string, lesson: string) {
  return (await one(sql`select l.id, l.course_id, l.current_version_id, l.title, l.position, l.status
       from lessons l join courses c on c.id = l.course_id where c.slug = ${course} and l.slug = ${lesson}`)) as {
    id: number;
    course_id: number;
    current_version_id: number;
    title: string;
    position: number;
    status: string;
  };
}

const versionCount = async (lessonId: number) =>
  (
    (await one(sql`select count(*) n from lesson_versions where lesson_id = ${lessonId}`)) as {
      n: number;
    }
  ).n;

const draftRevision = async (course: string, lesson: string) =>
  (
    (await one(
      sql`select revision from lesson_drafts where course_slug = ${course} and lesson_slug = ${lesson}`,
    )) as { revision: number } | undefined
  )?.revision ?? 0;

const fileOf = (course: string, name: string) =>
  fs.readFileSync(path.join(coursesDir, course, name), "utf8");

const audit = async (action: string, subject: string) =>
  (await all(
    sql`select actor, before, after from audit_log where action = ${action} and subject = ${subject} order by id`,
  )) as { actor: string; before: string | null; after: string | null }[];

const editUrl = (course: string, lesson: string) => `/admin/courses/${course}/${lesson}/edit`;

/** Posts the editor form as the page would: the text, and what the page was loaded with. */
async function postEditor(
  admin: Browser,
  course: string,
  lesson: string,
  intent: "preview" | "save" | "publish",
  source: string,
  based: { base?: number | null; revision?: number } = {},
) {
  return admin.post(editUrl(course, lesson), {
    intent,
    source,
    base: String(based.base ?? (await lessonRow(course, lesson)).current_version_id),
    revision: String(based.revision ?? (await draftRevision(course, lesson))),
  });
}

/** Publishes the saved draft from the impact page's form. */
async function publishDraft(admin: Browser, course: string, lesson: string) {
  return admin.post(`/admin/courses/${course}/${lesson}/publish`, {
    base: String((await lessonRow(course, lesson)).current_version_id),
    revision: String(await draftRevision(course, lesson)),
  });
}

const text = async (res: Response) => (await res.text()).replace(/<!-- -->/g, "");

describe("draft, preview and publish", () => {
  test("a draft is previewed by the server, saved, published to the file and a new version, and learners see it", async () => {
    const course = await freshCourse();
    const admin = await loggedIn(server.url, "ada");
    const before = fileOf(course, "01-welcome.mdx");
    const lesson = await lessonRow(course, "welcome");

    const page = await text(await admin.get(editUrl(course, "welcome")));
    expect(page).toMatch(/<label[^>]*for="source"[^>]*>Lesson source<\/label>/);
    expect(page).toMatch(/<textarea[^>]*name="source"/);
    expect(page).toContain("Hazzards are everywhere");

    const edited = before.replace(
      "Hazzards are everywhere.",
      "Hazards are *everywhere*, EDITED-7c1.",
    );
    const preview = await text(await postEditor(admin, course, "welcome", "preview", edited));
    expect(preview).toContain("Hazards are <em>everywhere</em>, EDITED-7c1.");
    expect(await draftRevision(course, "welcome")).toBe(0);

    expect((await postEditor(admin, course, "welcome", "save", edited)).status).toBe(200);
    expect(await draftRevision(course, "welcome")).toBe(1);
    // Learners still see the published lesson.
    const ann = await loggedIn(server.url, "ann");
    expect(await text(await ann.get(`/courses/${course}/welcome`))).not.toContain("EDITED-7c1");

    const toImpact = await postEditor(admin, course, "welcome", "publish", edited);
    expect(toImpact.status).toBe(302);
    expect(toImpact.headers.get("location")).toBe(`/admin/courses/${course}/welcome/publish`);
    const impact = await text(await admin.get(`/admin/courses/${course}/welcome/publish`));
    expect(impact).toContain("does not touch what is assessed");
    expect(impact).toContain("EDITED-7c1");

    const published = await publishDraft(admin, course, "welcome");
    expect(published.status).toBe(302);
    expect(await versionCount(lesson.id)).toBe(2);
    expect(fileOf(course, "01-welcome.mdx")).toBe(edited);
    expect(await draftRevision(course, "welcome")).toBe(0);
    expect(await text(await ann.get(`/courses/${course}/welcome`))).toContain(
      "Hazards are <em>everywhere</em>, EDITED-7c1.",
    );
    // A typo fix keeps completions; the same folder synced again changes nothing.
    expect(
      await one(
        sql`select count(*) n from lesson_progress where lesson_id = ${lesson.id} and completed_at is not null`,
      ),
    ).toEqual({ n: 4 });
    expect((await syncCourses(coursesDir)).published).toBe(0);
    const entry = (await audit("lesson.published", `${course}/welcome`)).at(-1)!;
    expect(entry.actor).toBe("ada@test.example");
    expect(JSON.parse(entry.after!)).toMatchObject({ reopened: 0 });
  });

  test("the impact preview's count equals the completions publishing makes stale, and learners are asked to retake", async () => {
    const course = await freshCourse();
    const admin = await loggedIn(server.url, "ada");
    const lesson = await lessonRow(course, "check");
    const edited = fileOf(course, "02-check.mdx").replace(
      "Who may use the forklift?",
      "Who may drive the forklift?",
    );
    expect((await postEditor(admin, course, "check", "save", edited)).status).toBe(200);

    const impact = await text(await admin.get(`/admin/courses/${course}/check/publish`));
    const count = Number(/(\d+) people will be asked to retake this lesson/.exec(impact)?.[1]);
    expect(count).toBe(3);
    expect(impact).toContain("1 person is part-way through it");
    const list = await text(await admin.get(`/admin/courses/${course}/check/publish?people=1`));
    for (const name of ["Ann Able", "Bo Baker", "Cy Clark"]) expect(list).toContain(name);
    for (const name of ["Dee Dunn", "Gil Gray", "Eve Early"]) expect(list).not.toContain(name);

    const at = new Date().toISOString();
    expect((await publishDraft(admin, course, "check")).status).toBe(302);
    const stale = (await all(
      sql`select user_id from lesson_progress where lesson_id = ${lesson.id} and stale_since >= ${at} order by user_id`,
    )) as { user_id: number }[];
    expect(stale).toHaveLength(count);
    expect(stale.map((r) => r.user_id)).toEqual(["ann", "bo", "cy"].map((k) => ids.get(k)));
    expect(
      JSON.parse((await audit("lesson.published", `${course}/check`)).at(-1)!.after!),
    ).toMatchObject({
      reopened: count,
    });

    const ann = await loggedIn(server.url, "ann");
    const page = await text(await ann.get(`/courses/${course}/check`));
    expect(page).toContain("Who may drive the forklift?");
    expect(page).toContain("Updated since you completed it");
    expect(page).toContain("retake the quiz");
  });

  test("a broken draft cannot be published: errors at their line, the live lesson unchanged", async () => {
    const course = await freshCourse();
    const admin = await loggedIn(server.url, "ada");
    const lesson = await lessonRow(course, "check");
    const before = fileOf(course, "02-check.mdx");
    const broken = before
      .replace("<Acknowledge>", "<Acknowledg>")
      .replace("</Acknowledge>", "</Acknowledg>");
    const line = broken.split("\n").findIndex((l) => l.startsWith("<Acknowledg>")) + 1;

    const saved = await text(await postEditor(admin, course, "check", "save", broken));
    expect(saved).toContain(`${line}:1`);
    expect(saved).toContain("unknown element `&lt;Acknowledg&gt;`");
    const refused = await postEditor(admin, course, "check", "publish", broken);
    expect(refused.status).toBe(400);
    expect(await text(refused)).toContain(
      "cannot be published; the published lesson stays as it is",
    );

    const impact = await text(await admin.get(`/admin/courses/${course}/check/publish`));
    expect(impact).toMatch(/<button type="submit" class="button" disabled="">Publish now/);
    expect((await publishDraft(admin, course, "check")).status).toBe(400);
    expect(fileOf(course, "02-check.mdx")).toBe(before);
    expect(await versionCount(lesson.id)).toBe(1);
    const ann = await loggedIn(server.url, "ann");
    expect(await text(await ann.get(`/courses/${course}/check`))).toContain(
      "I will report every hazard",
    );
  });
});

describe("concurrent edits", () => {
  test("the second save of the same draft is refused with the other change to compare; saving again keeps yours", async () => {
    const course = await freshCourse();
    const [ada, bea] = [await loggedIn(server.url, "ada"), await loggedIn(server.url, "bea")];
    const original = fileOf(course, "03-policy.mdx");
    const opened = { base: (await lessonRow(course, "policy")).current_version_id, revision: 0 };

    const beas = original.replace(
      "Please read the safety policy.",
      "Please read the safety policy. BEA-WROTE-THIS",
    );
    expect((await postEditor(bea, course, "policy", "save", beas, opened)).status).toBe(200);
    const adas = original.replace(
      "Please read the safety policy.",
      "Please read the safety policy. ADA-WROTE-THIS",
    );
    const refused = await postEditor(ada, course, "policy", "save", adas, opened);
    expect(refused.status).toBe(409);
    const page = await text(refused);
    expect(page).toContain("Bea Admin saved this draft");
    expect(page).toContain("BEA-WROTE-THIS");
    expect(page).toContain("ADA-WROTE-THIS");
    expect(await one(sql`select source from lesson_drafts where course_slug = ${course}`)).toEqual({
      source: beas,
    });

    // Having seen it, Ada saves over it (the page now carries the latest revision).
    expect(
      (await postEditor(ada, course, "policy", "save", adas, { ...opened, revision: 1 })).status,
    ).toBe(200);
    expect(await draftRevision(course, "policy")).toBe(2);
  });

  test("a publish from another editor, or a file synced from disk, while a draft is open is detected the same way", async () => {
    const course = await freshCourse();
    const ada = await loggedIn(server.url, "ada");
    const lesson = await lessonRow(course, "policy");
    const opened = { base: lesson.current_version_id, revision: 0 };
    const adas = fileOf(course, "03-policy.mdx").replace(
      "Please read the safety policy.",
      "Please read the safety policy. ADA-DRAFT",
    );

    // git pull, then `courses sync`: a new version from the folder.
    const pulled = fileOf(course, "03-policy.mdx").replace(
      "Please read the safety policy.",
      "Please read the safety policy. FROM-GIT",
    );
    fs.writeFileSync(path.join(coursesDir, course, "03-policy.mdx"), pulled);
    expect((await syncCourses(coursesDir)).published).toBe(1);

    const refused = await postEditor(ada, course, "policy", "save", adas, opened);
    expect(refused.status).toBe(409);
    const page = await text(refused);
    expect(page).toContain("The published lesson changed after you started");
    expect(page).toContain("a sync of the courses folder");
    expect(page).toContain("FROM-GIT");
    expect(await draftRevision(course, "policy")).toBe(0);
  });

  test("a file changed on disk and not synced yet is never overwritten by a publish", async () => {
    const course = await freshCourse();
    const ada = await loggedIn(server.url, "ada");
    const adas = fileOf(course, "03-policy.mdx").replace(
      "Please read the safety policy.",
      "Please read the safety policy. ADA-DRAFT",
    );
    expect((await postEditor(ada, course, "policy", "save", adas)).status).toBe(200);
    const pulled = fileOf(course, "03-policy.mdx").replace(
      "Please read the safety policy.",
      "Please read the safety policy. FROM-GIT",
    );
    fs.writeFileSync(path.join(coursesDir, course, "03-policy.mdx"), pulled);

    const refused = await publishDraft(ada, course, "policy");
    expect(refused.status).toBe(409);
    expect(await text(refused)).toContain("differs from the published version");
    expect(fileOf(course, "03-policy.mdx")).toBe(pulled);
    expect(await versionCount((await lessonRow(course, "policy")).id)).toBe(1);
  });
});

describe("history and restore", () => {
  test("every version with who and when, a diff between any two, and restore publishes it again as a new version", async () => {
    const course = await freshCourse();
    const ada = await loggedIn(server.url, "ada");
    const v1 = fileOf(course, "01-welcome.mdx");
    const v2 = v1.replace("Welcome to the safety basics.", "Welcome to the SECOND version.");
    await postEditor(ada, course, "welcome", "save", v2);
    expect((await publishDraft(ada, course, "welcome")).status).toBe(302);
    const lesson = await lessonRow(course, "welcome");
    const [first, second] = (
      (await all(
        sql`select id from lesson_versions where lesson_id = ${lesson.id} order by id`,
      )) as {
        id: number;
      }[]
    ).map((r) => r.id);

    const history = await text(await ada.get(`/admin/courses/${course}/welcome/history`));
    expect(history).toContain("Ada Admin");
    expect(history).toContain("A sync of the courses folder");
    expect(history).toMatch(/<del>Welcome to the safety basics\..*<\/del>/);
    expect(history).toMatch(/<ins>Welcome to the SECOND version\..*<\/ins>/);
    const reversed = await text(
      await ada.get(`/admin/courses/${course}/welcome/history?from=${second}&to=${first}`),
    );
    expect(reversed).toMatch(/<del>Welcome to the SECOND version\..*<\/del>/);

    const impact = await text(
      await ada.get(`/admin/courses/${course}/welcome/publish?restore=${first}`),
    );
    expect(impact).toContain("Restore a version");
    expect(impact).toContain("does not touch what is assessed");
    const restored = await ada.post(`/admin/courses/${course}/welcome/publish`, {
      restore: String(first),
      base: String(second),
      revision: "0",
    });
    expect(restored.status).toBe(302);
    expect(await versionCount(lesson.id)).toBe(3);
    expect(fileOf(course, "01-welcome.mdx")).toBe(v1);
    expect(
      await one(
        sql`select source from lesson_versions where lesson_id = ${lesson.id} order by id desc`,
      ),
    ).toEqual({ source: v1 });
    expect(
      JSON.parse((await audit("lesson.restored", `${course}/welcome`)).at(-1)!.after!),
    ).toMatchObject({
      restoredFrom: first,
    });
  });
});

describe("course pages", () => {
  test("a new course is a draft learners cannot see until it is published whole, with its folder", async () => {
    const ada = await loggedIn(server.url, "ada");
    const created = await ada.post("/admin/courses", {
      title: "Handling Cash Safely",
      summary: "Counting, storing and banking cash.",
      order: "40",
    });
    expect(created.status).toBe(302);
    const slug = created.headers.get("location")!.split("/").pop()!;
    expect(slug).toMatch(/^handling-cash-safely(-\d+)?$/);
    expect(fs.existsSync(path.join(coursesDir, slug))).toBe(false);
    const list = await text(await ada.get("/admin/courses"));
    expect(list).toContain("Handling Cash Safely");
    expect(list).toContain("Draft");

    const added = await ada.post(`/admin/courses/${slug}`, {
      intent: "add",
      title: "Counting the till",
    });
    expect(added.headers.get("location")).toBe(`/admin/courses/${slug}/counting-the-till/edit`);
    const ann = await loggedIn(server.url, "ann");
    expect((await ann.get(`/courses/${slug}`)).status).toBe(404);
    expect((await syncCourses(coursesDir)).errors).toEqual([]);
    expect((await ann.get(`/courses/${slug}`)).status).toBe(404);

    expect((await ada.post(`/admin/courses/${slug}`, { intent: "publish" })).status).toBe(302);
    expect(fs.readdirSync(path.join(coursesDir, slug)).sort()).toEqual([
      "01-counting-the-till.mdx",
      "course.mdx",
    ]);
    expect(await text(await ann.get(`/courses/${slug}`))).toContain("Counting the till");
    expect(await audit("course.published", slug)).toHaveLength(1);
  });

  test("lessons are added, renamed, reordered and archived through the folder, keeping every completion", async () => {
    const course = await freshCourse();
    const ada = await loggedIn(server.url, "ada");
    const order = async () =>
      Promise.all(
        ["welcome", "check", "policy"].map(async (l) => (await lessonRow(course, l)).position),
      );
    const seen = ["welcome", "check", "policy"];

    const moved = await ada.post(`/admin/courses/${course}`, {
      intent: "move",
      lesson: "policy",
      direction: "up",
      order: seen,
    });
    expect(moved.status).toBe(302);
    expect(await order()).toEqual([1, 3, 2]);
    expect(
      fs
        .readdirSync(path.join(coursesDir, course))
        .filter((n) => n.endsWith(".mdx"))
        .sort(),
    ).toEqual(["01-welcome.mdx", "02-policy.mdx", "03-check.mdx", "course.mdx"]);
    // The order the page showed is stale now: refused, nothing moves.
    expect(
      (
        await ada.post(`/admin/courses/${course}`, {
          intent: "move",
          lesson: "policy",
          direction: "up",
          order: seen,
        })
      ).status,
    ).toBe(409);

    const check = await lessonRow(course, "check");
    const renamed = await ada.post(`/admin/courses/${course}`, {
      intent: "rename",
      lesson: "check",
      title: "Check what you know",
      base: String(check.current_version_id),
    });
    expect(renamed.status).toBe(302);
    expect((await lessonRow(course, "check")).title).toBe("Check what you know");
    expect(fileOf(course, "03-check.mdx")).toContain('title: "Check what you know"');
    const completed = async (lessonId: number) =>
      (
        (await one(
          sql`select count(*) n from lesson_progress where lesson_id = ${lessonId} and completed_at is not null`,
        )) as { n: number }
      ).n;
    expect(await completed(check.id)).toBe(3);

    const archived = await ada.post(`/admin/courses/${course}`, {
      intent: "archive",
      lesson: "check",
      base: String((await lessonRow(course, "check")).current_version_id),
      confirm: "yes",
    });
    expect(archived.status).toBe(302);
    expect((await lessonRow(course, "check")).status).toBe("archived");
    expect(fs.existsSync(path.join(coursesDir, course, "_archive", "03-check.mdx"))).toBe(true);
    expect(await completed(check.id)).toBe(3);
    expect(await versionCount(check.id)).toBe(2);
    expect((await syncCourses(coursesDir)).errors).toEqual([]);
    expect((await lessonRow(course, "check")).status).toBe("archived");
    const ann = await loggedIn(server.url, "ann");
    expect((await ann.get(`/courses/${course}/check`)).status).toBe(404);

    const added = await ada.post(`/admin/courses/${course}`, { intent: "add", title: "Check" });
    expect(added.headers.get("location")).toBe(`/admin/courses/${course}/check-2/edit`);
  });

  test("images: type from the bytes, a safe name, no overwrite without confirming", async () => {
    const course = await freshCourse();
    const ada = await loggedIn(server.url, "ada");
    const png = fs.readFileSync("test/fixtures/courses-quiz/safety/sign.png");
    const upload = (name: string, bytes: Buffer, replace = false) => {
      const form = new FormData();
      form.set("image", new Blob([new Uint8Array(bytes)]), name);
      if (replace) form.set("replace", "yes");
      return fetch(`${server.url}/admin/course-images/${course}`, {
        method: "POST",
        body: form,
        headers: { Origin: server.url, Cookie: ada.cookie },
      });
    };
    expect((await upload("../../Team Photo (1).SVG", png)).status).toBe(200);
    const saved = path.join(coursesDir, course, "team-photo-1.png");
    expect(fs.readFileSync(saved)).toEqual(png);
    expect(fs.existsSync(path.join(coursesDir, "team-photo-1.png"))).toBe(false);

    expect((await upload("notes.png", Buffer.from("<svg onload=alert(1)>"))).status).toBe(400);
    const gif = Buffer.concat([Buffer.from("GIF89a"), Buffer.alloc(20)]);
    expect((await upload("team-photo-1.gif", gif)).status).toBe(200);
    expect((await upload("Team Photo 1.png", png.subarray(0, 100))).status).toBe(409);
    expect(fs.readFileSync(saved)).toEqual(png);
    expect((await upload("Team Photo 1.png", png.subarray(0, 100), true)).status).toBe(200);
    expect(fs.readFileSync(saved)).toEqual(png.subarray(0, 100));
    expect(await audit("course.image_uploaded", `${course}/team-photo-1.png`)).toHaveLength(2);
  });
});
