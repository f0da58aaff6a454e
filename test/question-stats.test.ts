import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { getCourseBySlug, getLessonForAdmin } from "~/models/courses.server";
import { syncCourses } from "~/services/courses.server";
import { openLesson, submitQuiz } from "~/services/lessons.server";
import { flagsFor, quizStatistics } from "~/services/question-stats.server";
import { migratedDatabase } from "./helpers/db";
import { seedPeople } from "./helpers/people";
import { ALL_RIGHT } from "./helpers/quiz-course";

// Question statistics against a hand computation. The quiz (test/fixtures/courses-quiz, lesson
// `check`): q1 b · q2 a · q3 a and c · q4 c · q5 a. Eleven people answer once each, in this
// order; two of them then try again (retries count as attempts, never in the first-attempt
// figures).
const FIRST_ATTEMPTS: Record<string, string[]>[] = [
  ALL_RIGHT, // p1 1.0
  ALL_RIGHT, // p2 1.0
  { ...ALL_RIGHT, q1: ["q1-a"] }, // p3 0.8
  { ...ALL_RIGHT, q5: ["q5-b"] }, // p4 0.8
  { ...ALL_RIGHT, q3: ["q3-a"], q4: ["q4-a"] }, // p5 0.6
  { ...ALL_RIGHT, q1: ["q1-c"], q2: ["q2-b"] }, // p6 0.6
  { ...ALL_RIGHT, q3: ["q3-a", "q3-b", "q3-c"], q4: ["q4-b"], q5: ["q5-b"] }, // p7 0.4
  { ...ALL_RIGHT, q1: ["q1-a"], q4: ["q4-a"], q5: ["q5-b"] }, // p8 0.4
  { q1: ["q1-a"], q2: ["q2-b"], q3: ["q3-b"], q4: ["q4-a"], q5: ["q5-a"] }, // p9 0.2
  { q1: ["q1-a"], q2: ["q2-b"], q3: ["q3-b"], q4: ["q4-a"], q5: ["q5-b"] }, // p10 0.0
  { q1: ["q1-c"], q2: ["q2-b"], q3: ["q3-c"], q4: ["q4-b"], q5: ["q5-a"] }, // p11 0.2
];

/*
 * By hand. Ranked by first-attempt score (ties: earlier first): p1 p2 p3 p4 p5 p6 p7 p8 p9 p11
 * p10. Groups of ceil(0.27 × 11) = 3: upper p1 p2 p3, lower p9 p11 p10.
 *   q1 right: p1 p2 p4 p5 p7 = 5/11; upper 2/3, lower 0/3 → D = 0.667; picked a 4, b 5, c 2
 *   q2 right: all but p6 p9 p10 p11 = 7/11; upper 3/3, lower 0/3 → D = 1; a 7, b 4
 *   q3 right: p1 p2 p3 p4 p6 p8 = 6/11; D = 1; a 8, b 3, c 8 (several per person)
 *   q4 right: p1 p2 p3 p4 p6 = 5/11; D = 1; a 4, b 2, c 5
 *   q5 right: p1 p2 p3 p5 p6 p9 p11 = 7/11; upper 3/3, lower 2/3 → D = 0.333; a 7, b 4
 * Attempts 13 (p9 and p10 retry), people 11, passed at the first attempt (4 of 5): p1–p4.
 */
const EXPECTED = [
  { facility: 5 / 11, discrimination: 2 / 3, picked: [4, 5, 2] },
  { facility: 7 / 11, discrimination: 1, picked: [7, 4] },
  { facility: 6 / 11, discrimination: 1, picked: [8, 3, 8] },
  { facility: 5 / 11, discrimination: 1, picked: [4, 2, 5] },
  { facility: 7 / 11, discrimination: 1 / 3, picked: [7, 4] },
];

let dir: string;

async function stats() {
  const course = (await getCourseBySlug("safety"))!;
  return quizStatistics((await getLessonForAdmin(course.id, "check"))!);
}

beforeAll(async () => {
  await migratedDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-stats-"));
  fs.cpSync("test/fixtures/courses-quiz", dir, { recursive: true });
  expect((await syncCourses(dir)).errors).toEqual([]);
  const ids = await seedPeople(
    FIRST_ATTEMPTS.map((_, i) => ({ key: `p${i + 1}`, name: `P${i + 1}` })),
  );
  const answer = async (key: string, answers: Record<string, string[]>) => {
    const userId = ids.get(key)!;
    const { versionId } = await openLesson(userId, "safety", "check");
    await submitQuiz(userId, "safety", "check", { quizId: "quiz-1", versionId, answers });
  };
  for (const [i, answers] of FIRST_ATTEMPTS.entries()) await answer(`p${i + 1}`, answers);
  await answer("p9", ALL_RIGHT);
  await answer("p10", ALL_RIGHT);
});

describe("question statistics", () => {
  test("facility, choices picked and discrimination match the hand computation", async () => {
    const [quiz, ...others] = await stats();
    expect(others).toEqual([]);
    expect(quiz).toMatchObject({ attempts: 13, people: 11, passedFirstTime: 4 });
    expect(quiz!.questions.map((q) => q.people)).toEqual([11, 11, 11, 11, 11]);
    for (const [i, expected] of EXPECTED.entries()) {
      const question = quiz!.questions[i]!;
      expect(question.facility, `q${i + 1} facility`).toBeCloseTo(expected.facility, 10);
      expect(question.discrimination, `q${i + 1} discrimination`).toBeCloseTo(
        expected.discrimination,
        10,
      );
      expect(
        question.choices.map((c) => c.picked),
        `q${i + 1} picks`,
      ).toEqual(expected.picked);
      // Eleven people are too few to flag anything.
      expect(question.flags).toEqual([]);
    }
    expect(quiz!.questions[2]!.choices.map((c) => c.correct)).toEqual([true, false, true]);
  });

  test("a version that changes nothing assessed keeps the figures; a changed question starts afresh", async () => {
    const file = path.join(dir, "safety", "02-check.mdx");
    const original = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, original.replace("Read this, then", "Read this first, then"));
    expect((await syncCourses(dir)).published).toBe(1);
    const [typoFixed] = await stats();
    expect(typoFixed).toMatchObject({ attempts: 13, people: 11 });
    expect(typoFixed!.questions[0]!.facility).toBeCloseTo(5 / 11, 10);

    fs.writeFileSync(file, original.replace("Who may use the forklift?", "Who may drive it?"));
    try {
      expect((await syncCourses(dir)).published).toBe(1);
      const [reworded] = await stats();
      expect(reworded).toMatchObject({ attempts: 0, people: 0, passedFirstTime: 0 });
      expect(reworded!.questions[0]!.facility).toBeNull();
    } finally {
      // Asking the first questions again brings their attempts back (and leaves the fixture as
      // the other tests expect it, whatever their order).
      fs.writeFileSync(file, original);
      expect((await syncCourses(dir)).published).toBe(1);
    }
    expect((await stats())[0]).toMatchObject({ attempts: 13, people: 11 });
  });

  test("flags follow the rules printed on the page", () => {
    expect(flagsFor(19, 1, -0.5)).toEqual([]);
    expect(flagsFor(20, 0.96, 0.1)).toEqual(["easy"]);
    expect(flagsFor(20, 0.95, 0.1)).toEqual([]);
    expect(flagsFor(40, 0.2, -0.1)).toEqual(["hard", "reversed"]);
    expect(flagsFor(40, 0.5, 0)).toEqual([]);
  });
});
