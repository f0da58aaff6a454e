import { sql } from "kysely";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { getCourseBySlug } from "~/models/courses.server";
import { courseStatus } from "~/models/progress.server";
import { courseStatusFromLedger } from "~/services/progress.server";
import { createUser } from "~/models/users.server";
import { syncCourses } from "~/services/courses.server";
import { courseOverview } from "~/services/learner.server";
import {
  acknowledgeStatement,
  markLessonComplete,
  openLesson,
  submitQuiz,
} from "~/services/lessons.server";
import { exec, migratedDatabase, one } from "./helpers/db";
import { ALL_RIGHT, completeQuizCourse } from "./helpers/quiz-course";

let dir: string;
let slug: string;
let people = 0;

const edit = (rel: string, fn: (s: string) => string) => {
  const p = path.join(dir, rel);
  const before = fs.readFileSync(p, "utf8");
  const after = fn(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(p, after);
};

async function sync() {
  const result = await syncCourses(dir);
  expect(result.errors).toEqual([]);
  return result;
}

async function status(userId: number) {
  const course = (await getCourseBySlug(slug))!;
  return courseStatus(userId, course.id);
}

async function lessonStatuses(userId: number) {
  return Object.fromEntries(
    (await courseOverview(userId, slug))!.lessons.map((l) => [l.slug, l.status]),
  );
}

const certificates = async (userId: number) =>
  (
    (await one(sql`select count(*) n from certificates where user_id = ${userId}`)) as {
      n: number;
    }
  ).n;

let runs = 0;
beforeEach(async () => {
  await migratedDatabase();
  // The ledger cannot be emptied (that is the point), so each test publishes its own copy of the
  // fixture course under a new slug; the previous test's course is archived by the sync.
  slug = `safety-${++runs}`;
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-versions-")), "courses");
  fs.cpSync("test/fixtures/courses-quiz/safety", path.join(dir, slug), { recursive: true });
  await sync();
});

async function completedPerson() {
  const id = await createUser({
    email: `v${++people}@example.com`,
    name: `Version Person ${people}`,
    departmentId: null,
  });
  await completeQuizCourse(id, slug);
  expect((await status(id)).status).toBe("completed");
  return id;
}

describe("what makes a completion stale", () => {
  test("a typo fix in the body or in an explanation keeps completions", async () => {
    const me = await completedPerson();
    edit(`${slug}/01-welcome.mdx`, (s) => s.replace("Hazzards", "Hazards"));
    edit(`${slug}/02-check.mdx`, (s) =>
      s.replace("A sign keeps others safe.", "A sign keeps other people safe."),
    );
    const result = await sync();
    expect(result).toMatchObject({ published: 2, reopened: 0 });
    expect((await status(me)).status).toBe("completed");
    expect(await lessonStatuses(me)).toEqual({
      welcome: "completed",
      check: "completed",
      policy: "completed",
    });
    const check = await openLesson(me, slug, "check");
    expect(check).toMatchObject({ staleOn: null, updatedSinceCompleted: true });
    expect(check.completedOn).not.toBeNull();
    const overview = (await courseOverview(me, slug))!;
    expect(overview.lessons.find((l) => l.slug === "welcome")!.updatedSinceCompleted).toBe(true);
    expect(overview.lessons.find((l) => l.slug === "policy")!.updatedSinceCompleted).toBe(false);
  });

  test("a quiz edit makes completions stale and re-opens the course, in the publishing sync", async () => {
    const me = await completedPerson();
    const oldVersion = (await openLesson(me, slug, "check")).versionId;
    edit(`${slug}/02-check.mdx`, (s) => s.replace("Walk around it", "Step over it"));
    expect(await sync()).toMatchObject({ published: 1, reopened: 1 });

    const summary = await status(me);
    expect(summary.status).toBe("stale");
    expect(summary.staleSince).not.toBeNull();
    expect(summary.lessonsCompleted).toBe(2);
    expect(await lessonStatuses(me)).toEqual({
      welcome: "completed",
      check: "stale",
      policy: "completed",
    });
    expect((await courseOverview(me, slug))!).toMatchObject({
      status: "stale",
      certificateCode: null,
    });
    const page = await openLesson(me, slug, "check");
    expect(page.completedOn).toBeNull();
    expect(page.staleOn).not.toBeNull();
    // The earlier pass and confirmation do not count any more: both are needed again.
    expect(page.quizState["quiz-1"]).toEqual({ passed: false, attemptsLeft: 3 });
    expect(page.acknowledged).toEqual({});

    // A submission made on the old version is refused.
    await expect(
      submitQuiz(me, slug, "check", {
        quizId: "quiz-1",
        versionId: oldVersion,
        answers: ALL_RIGHT,
      }),
    ).rejects.toThrow(/changed since you opened it/);

    // Redoing it completes the course again, with a new certificate on the new version.
    await submitQuiz(me, slug, "check", {
      quizId: "quiz-1",
      versionId: page.versionId,
      answers: ALL_RIGHT,
    });
    expect((await status(me)).status).toBe("stale");
    await acknowledgeStatement(me, slug, "check", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    expect(await status(me)).toMatchObject({ status: "completed", staleSince: null });
    expect(await certificates(me)).toBe(2);
  });

  test("an acknowledgement edit makes completions stale", async () => {
    const me = await completedPerson();
    edit(`${slug}/03-policy.mdx`, (s) => s.replace("will follow it", "will always follow it"));
    expect(await sync()).toMatchObject({ reopened: 1 });
    expect((await lessonStatuses(me)).policy).toBe("stale");
  });

  test("`retake: required` makes completions stale once per version that carries it", async () => {
    const me = await completedPerson();
    edit(`${slug}/01-welcome.mdx`, (s) => s.replace("minutes: 2", "minutes: 2\nretake: required"));
    expect(await sync()).toMatchObject({ published: 1, reopened: 1 });
    expect(await status(me)).toMatchObject({ status: "stale" });
    expect((await lessonStatuses(me)).welcome).toBe("stale");

    await markLessonComplete(me, slug, "welcome");
    expect((await status(me)).status).toBe("completed");
    // Syncing again with the line still there publishes nothing and stales nothing.
    expect(await sync()).toMatchObject({ published: 0, reopened: 0 });
    expect((await status(me)).status).toBe("completed");
  });

  test("people who had not completed the lesson are not re-opened, but their old evidence stops counting", async () => {
    const other = await createUser({ email: "half@example.com", name: "Half", departmentId: null });
    const page = await openLesson(other, slug, "check");
    await submitQuiz(other, slug, "check", {
      quizId: "quiz-1",
      versionId: page.versionId,
      answers: ALL_RIGHT,
    });
    edit(`${slug}/02-check.mdx`, (s) => s.replace("passMark={0.8}", "passMark={0.6}"));
    expect(await sync()).toMatchObject({ reopened: 0 });
    const after = await openLesson(other, slug, "check");
    expect(after.quizState["quiz-1"]!.passed).toBe(false);
    expect(after.staleOn).toBeNull();
    // Confirming the statement alone does not complete it: the pass was on the old version.
    await acknowledgeStatement(other, slug, "check", {
      islandId: "ack-1",
      versionId: after.versionId,
    });
    expect((await openLesson(other, slug, "check")).completedOn).toBeNull();
  });
});

describe("the ledger", () => {
  test("course status recomputed from the events alone matches the summary rows", async () => {
    const course = (await getCourseBySlug(slug))!;
    const a = await completedPerson();
    const b = await createUser({ email: "b@example.com", name: "B", departmentId: null });
    const c = await createUser({ email: "c@example.com", name: "C", departmentId: null });
    await markLessonComplete(b, slug, "welcome");
    await openLesson(c, slug, "welcome");
    const matches = async () => {
      for (const id of [a, b, c]) {
        expect(await courseStatusFromLedger(id, course.id)).toEqual(
          await courseStatus(id, course.id),
        );
      }
    };
    await matches();
    edit(`${slug}/02-check.mdx`, (s) => s.replace("Walk around it", "Jump over it"));
    await sync();
    await matches();
    expect((await courseStatus(a, course.id)).status).toBe("stale");
    await completeQuizCourse(a, slug);
    await completeQuizCourse(b, slug);
    await matches();
    expect((await courseStatus(b, course.id)).status).toBe("completed");
    edit(`${slug}/01-welcome.mdx`, (s) => s.replace("minutes: 2", "minutes: 3\nretake: required"));
    await sync();
    await matches();
    await markLessonComplete(a, slug, "welcome");
    await matches();
    expect((await courseStatusFromLedger(a, course.id)).status).toBe("completed");
  });

  test("an UPDATE or DELETE on the ledger fails", async () => {
    await completedPerson();
    await expect(
      exec(sql`update progress_events set type = 'waived' where type = 'lesson_completed'`),
    ).rejects.toThrow(/append-only/);
    await expect(
      exec(sql`delete from progress_events where type = 'course_completed'`),
    ).rejects.toThrow(/append-only/);
    expect(
      (
        (await one(
          sql`select count(*) n from progress_events where type = 'course_completed'`,
        )) as {
          n: number;
        }
      ).n,
    ).toBeGreaterThan(0);
  });
});
