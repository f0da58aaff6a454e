import { sql, type RawBuilder } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { syncCourses } from "~/services/courses.server";
import {
  acknowledgeStatement,
  markLessonComplete,
  openLesson,
  submitQuiz,
} from "~/services/lessons.server";
import { SubmissionError } from "~/services/quiz.server";
import { all, exec, migratedDatabase, one } from "./helpers/db";
import { ALL_RIGHT, ALL_WRONG } from "./helpers/quiz-course";
import { DomainError } from "~/utils/domain-errors.server";

let people = 0;
const newPerson = () =>
  createUser({ email: `p${++people}@example.com`, name: `Person ${people}`, departmentId: null });

async function submit(
  userId: number,
  answers: Record<string, string[]>,
  override: { quizId?: string; versionId?: number; lesson?: string } = {},
) {
  const page = await openLesson(userId, "safety", "check");
  return submitQuiz(userId, "safety", override.lesson ?? "check", {
    quizId: override.quizId ?? "quiz-1",
    versionId: override.versionId ?? page.versionId,
    answers,
  });
}

const count = async (query: RawBuilder<unknown>) => ((await one(query)) as { n: number }).n;

const lessonDone = async (userId: number, lesson: string) =>
  (await count(
    sql`select count(*) n from lesson_progress lp join lessons l on l.id = lp.lesson_id
      where lp.user_id = ${userId} and l.slug = ${lesson} and lp.completed_at is not null`,
  )) === 1;

beforeAll(async () => {
  await migratedDatabase();
  const sync = await syncCourses("test/fixtures/courses-quiz");
  expect(sync.errors).toEqual([]);
});

describe("grading on the server", () => {
  test("all correct passes; the lesson completes once its statement is confirmed too", async () => {
    const me = await newPerson();
    const result = await submit(me, ALL_RIGHT);
    expect(result).toMatchObject({ score: 1, passed: true, attemptsLeft: 2 });
    expect(result.lessonCompleted).toBe(false);
    expect(await lessonDone(me, "check")).toBe(false);

    const page = await openLesson(me, "safety", "check");
    expect(page.quizState["quiz-1"]).toEqual({ passed: true, attemptsLeft: 2 });
    const ack = await acknowledgeStatement(me, "safety", "check", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    expect(ack.lessonCompleted).toBe(true);
    expect(await lessonDone(me, "check")).toBe(true);
  });

  test("confirming first and passing second also completes the lesson", async () => {
    const me = await newPerson();
    const page = await openLesson(me, "safety", "check");
    await acknowledgeStatement(me, "safety", "check", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    expect(await lessonDone(me, "check")).toBe(false);
    expect((await submit(me, ALL_RIGHT)).lessonCompleted).toBe(true);
    expect(await lessonDone(me, "check")).toBe(true);
  });

  test("all wrong or empty fails, naming the questions to revisit without explaining them", async () => {
    const me = await newPerson();
    const wrong = await submit(me, ALL_WRONG);
    expect(wrong).toMatchObject({ score: 0, passed: false, reveal: "revisit" });
    expect(wrong.questions.map((q) => q.correct)).toEqual([false, false, false, false, false]);
    expect(wrong.questions.map((q) => q.explanationHtml)).toEqual([null, null, null, null, null]);
    expect(wrong.questions[0]!.selected).toEqual(["q1-a"]);
    expect(await submit(me, {})).toMatchObject({ score: 0, passed: false, attemptsLeft: 1 });
    expect(await lessonDone(me, "check")).toBe(false);
    // The last permitted attempt shows every explanation.
    const last = await submit(me, ALL_WRONG);
    expect(last).toMatchObject({ attemptsLeft: 0, reveal: "review" });
    expect(last.questions[0]!.explanationHtml).toContain("EXPLANATION-MARKER-Q1");
  });

  test("exactly at the pass mark passes; one below fails", async () => {
    const atMark = await submit(await newPerson(), { ...ALL_RIGHT, q5: ["q5-b"] });
    expect(atMark).toMatchObject({ score: 0.8, passed: true });
    const below = await submit(await newPerson(), { ...ALL_RIGHT, q4: [], q5: ["q5-b"] });
    expect(below).toMatchObject({ score: 0.6, passed: false });
    // A multiple-choice question needs exactly the correct set.
    const partial = await submit(await newPerson(), { ...ALL_RIGHT, q3: ["q3-a"], q5: ["q5-b"] });
    expect(partial).toMatchObject({ score: 0.6, passed: false });
  });

  test("every attempt is recorded with its answers, score, version and time", async () => {
    const me = await newPerson();
    await submit(me, ALL_WRONG);
    await submit(me, ALL_RIGHT);
    const rows = (await all(
      sql`select answers, score, passed, version_id, created_at from quiz_attempts where user_id = ${me} order by id`,
    )) as { answers: string; score: number; passed: number; version_id: number }[];
    expect(rows.map((r) => [JSON.parse(r.answers), r.score, r.passed])).toEqual([
      [ALL_WRONG, 0, 0],
      [ALL_RIGHT, 1, 1],
    ]);
    const events = (await all(
      sql`select type, data from progress_events where user_id = ${me} order by id`,
    )) as { type: string; data: string }[];
    expect(events.map((e) => e.type)).toEqual([
      "started",
      "quiz_attempted",
      "quiz_attempted",
      "quiz_passed",
    ]);
    expect(JSON.parse(events[1]!.data)).toMatchObject({ quiz: "quiz-1", answers: ALL_WRONG });
  });
});

describe("the attempt limit", () => {
  test("is enforced on the server: the fourth submission is refused and recorded nowhere", async () => {
    const me = await newPerson();
    expect((await openLesson(me, "safety", "check")).quizState["quiz-1"]!.attemptsLeft).toBe(3);
    for (const left of [2, 1, 0]) {
      expect(await submit(me, ALL_WRONG)).toMatchObject({ passed: false, attemptsLeft: left });
    }
    const before = await count(sql`select count(*) n from progress_events where user_id = ${me}`);
    // Even a correct answer: the limit is a limit.
    await expect(submit(me, ALL_RIGHT)).rejects.toThrow(/used all 3 attempts/);
    expect(await count(sql`select count(*) n from quiz_attempts where user_id = ${me}`)).toBe(3);
    expect(await count(sql`select count(*) n from progress_events where user_id = ${me}`)).toBe(
      before,
    );
    expect((await openLesson(me, "safety", "check")).quizState["quiz-1"]).toEqual({
      passed: false,
      attemptsLeft: 0,
    });
    expect(await lessonDone(me, "check")).toBe(false);
  });
});

describe("tampered submissions", () => {
  test.each([
    [
      "a quiz this lesson does not have",
      { quizId: "quiz-2" },
      ALL_RIGHT,
      /not part of this lesson/,
    ],
    ["another lesson's version", { lesson: "other" }, ALL_RIGHT, /not part of this lesson/],
    ["a version that does not exist", { versionId: 999_999 }, ALL_RIGHT, /not part/],
    ["an unknown question", {}, { ...ALL_RIGHT, q9: ["q9-a"] }, /no question "q9"/],
    ["an unknown choice", {}, { ...ALL_RIGHT, q1: ["q1-z"] }, /no choice "q1-z"/],
    ["another question's choice", {}, { ...ALL_RIGHT, q1: ["q2-a"] }, /no choice "q2-a"/],
    ["two answers to a one-answer question", {}, { ...ALL_RIGHT, q1: ["q1-a", "q1-b"] }, /one/],
    ["an inherited property name", {}, { ...ALL_RIGHT, constructor: ["x"] }, /no question/],
  ])("naming %s is refused and recorded nowhere", async (_, override, answers, message) => {
    const me = await newPerson();
    await openLesson(me, "safety", "check");
    const otherVersion = (await openLesson(me, "other", "other-quiz")).versionId;
    const before = {
      events: await count(sql`select count(*) n from progress_events`),
      attempts: await count(sql`select count(*) n from quiz_attempts`),
      done: await count(sql`select count(*) n from lesson_progress where completed_at is not null`),
    };
    const { lesson, ...rest } = override as {
      lesson?: string;
      quizId?: string;
      versionId?: number;
    };
    const attempt = submit(me, answers, lesson ? { versionId: otherVersion } : rest);
    await expect(attempt).rejects.toBeInstanceOf(SubmissionError);
    await expect(attempt).rejects.toThrow(message);
    expect({
      events: await count(sql`select count(*) n from progress_events`),
      attempts: await count(sql`select count(*) n from quiz_attempts`),
      done: await count(sql`select count(*) n from lesson_progress where completed_at is not null`),
    }).toEqual(before);
  });
});

describe("acknowledgements and hand-marked completion", () => {
  test("a lesson with a quiz or an unconfirmed statement cannot be marked complete", async () => {
    const me = await newPerson();
    for (const lesson of ["check", "policy"]) {
      const refused = await markLessonComplete(me, "safety", lesson).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect((refused as DomainError).kind).toBe("invalid");
      expect(await lessonDone(me, lesson)).toBe(false);
    }
    await markLessonComplete(me, "safety", "welcome");
    expect(await lessonDone(me, "welcome")).toBe(true);
  });

  test("a confirmation stores the exact statement and version, once, and completes the lesson", async () => {
    const me = await newPerson();
    const page = await openLesson(me, "safety", "policy");
    const first = await acknowledgeStatement(me, "safety", "policy", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    expect(first.lessonCompleted).toBe(true);
    await acknowledgeStatement(me, "safety", "policy", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    expect(
      await all(
        sql`select island_id, statement_text, version_id from acknowledgements where user_id = ${me}`,
      ),
    ).toEqual([
      {
        island_id: "ack-1",
        statement_text: "I have read the safety policy and will follow it.",
        version_id: page.versionId,
      },
    ]);
    const event = (await all(
      sql`select data, version_id from progress_events where user_id = ${me} and type = 'acknowledged'`,
    )) as { data: string; version_id: number }[];
    expect(event).toHaveLength(1);
    expect(JSON.parse(event[0]!.data)).toEqual({
      island: "ack-1",
      statement: "I have read the safety policy and will follow it.",
    });
    expect((await openLesson(me, "safety", "policy")).acknowledged["ack-1"]).toBeTruthy();
    // Marking it complete by hand is now allowed (and changes nothing).
    await markLessonComplete(me, "safety", "policy");
  });

  test("confirming a statement the lesson does not have, or another lesson's version, is refused", async () => {
    const me = await newPerson();
    const page = await openLesson(me, "safety", "policy");
    const other = await openLesson(me, "safety", "check");
    await expect(
      acknowledgeStatement(me, "safety", "policy", {
        islandId: "ack-2",
        versionId: page.versionId,
      }),
    ).rejects.toThrow(/not part of this lesson/);
    await expect(
      acknowledgeStatement(me, "safety", "policy", {
        islandId: "ack-1",
        versionId: other.versionId,
      }),
    ).rejects.toThrow(/not part of this lesson/);
    expect(await count(sql`select count(*) n from acknowledgements where user_id = ${me}`)).toBe(0);
  });

  test("the acknowledgement table is append-only", async () => {
    // A row of its own: the triggers fire per row, so an empty table would prove nothing.
    const me = await newPerson();
    const page = await openLesson(me, "safety", "policy");
    await acknowledgeStatement(me, "safety", "policy", {
      islandId: "ack-1",
      versionId: page.versionId,
    });
    await expect(exec(sql`update acknowledgements set statement_text = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(exec(sql`delete from acknowledgements`)).rejects.toThrow(/append-only/);
  });
});
