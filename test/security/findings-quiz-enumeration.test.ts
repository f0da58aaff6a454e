import { beforeAll, describe, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { syncCourses } from "~/services/courses.server";
import { openLesson, submitQuiz } from "~/services/lessons.server";
import { compileMdx, MdxError } from "~/services/mdx-compile.server";
import { migratedDatabase } from "../helpers/db";
import { ALL_RIGHT, ALL_WRONG } from "../helpers/quiz-course";

// Finding (issue 10): "Quiz answers can be enumerated. A failed attempt returns right/wrong per
// question and every explanation, and attempts are unlimited by default, so the second attempt
// always passes."

let people = 0;
const newPerson = () =>
  createUser({ email: `q${++people}@quiz.example`, name: `Quiz ${people}`, departmentId: null });

async function attempt(userId: number, lesson: string, answers: Record<string, string[]>) {
  const page = await openLesson(userId, lesson === "check" ? "safety" : "other", lesson);
  return submitQuiz(userId, lesson === "check" ? "safety" : "other", lesson, {
    quizId: "quiz-1",
    versionId: page.versionId,
    answers,
  });
}

const order = async (userId: number) =>
  (await openLesson(userId, "safety", "check")).rendered.islands.flatMap((i) =>
    i.kind === "quiz" ? i.questions.map((q) => q.choices.map((c) => c.id).join(",")) : [],
  );

beforeAll(async () => {
  await migratedDatabase();
  expect((await syncCourses("test/fixtures/courses-quiz")).errors).toEqual([]);
});

describe("finding: quiz answers can be enumerated", () => {
  test("a failed attempt with attempts left names the questions to revisit, without explanations or the right choices", async () => {
    const result = await attempt(await newPerson(), "check", ALL_WRONG);
    expect(result).toMatchObject({ passed: false, reveal: "revisit", attemptsLeft: 2 });
    const sent = JSON.stringify(result);
    expect(sent).not.toContain("EXPLANATION-MARKER");
    for (const choice of Object.values(ALL_RIGHT).flat()) expect(sent).not.toContain(choice);
  });

  test("the explanations come with the pass, or with the last permitted attempt", async () => {
    const passer = await newPerson();
    await attempt(passer, "check", ALL_WRONG);
    const pass = await attempt(passer, "check", ALL_RIGHT);
    expect(pass.reveal).toBe("review");
    expect(pass.questions.every((q) => q.explanationHtml?.includes("EXPLANATION-MARKER"))).toBe(
      true,
    );
    const struggler = await newPerson();
    await attempt(struggler, "check", ALL_WRONG);
    await attempt(struggler, "check", ALL_WRONG);
    const last = await attempt(struggler, "check", ALL_WRONG);
    expect(last).toMatchObject({ attemptsLeft: 0, reveal: "review" });
  });

  test("choices come in a new order for each attempt, chosen on the server, stable within one", async () => {
    const me = await newPerson();
    const orders = [await order(me)];
    expect(await order(me)).toEqual(orders[0]);
    for (let i = 0; i < 2; i++) {
      await attempt(me, "check", ALL_WRONG);
      orders.push(await order(me));
    }
    expect(new Set(orders.map((o) => o.join("|"))).size).toBeGreaterThan(1);
  });

  test('a practice quiz (feedback="immediate") explains every attempt', async () => {
    const result = await attempt(await newPerson(), "other-quiz", { q1: ["q1-b"] });
    expect(result).toMatchObject({ passed: false, reveal: "review" });
    expect(result.questions[0]!.explanationHtml).toContain("EXPLANATION-MARKER-OTHER");
  });
});

describe("revisit links", () => {
  const lesson = (revisit: string) => `---
id: sample
title: Sample
minutes: 5
---

## Returns at the counter

Take it back there and then.

## Returns at the counter

The same heading again.

<Quiz>
  <Question prompt="Where do web orders come back?" revisit="${revisit}">
    <Choice correct>At the counter</Choice>
    <Choice>By post only</Choice>
    <Explanation>Any branch.</Explanation>
  </Question>
</Quiz>
`;

  test("point at the lesson's own headings, whose ids come from their text", async () => {
    const { segments, islands } = await compileMdx(lesson("#returns-at-the-counter-2"), {
      file: "sample.mdx",
    });
    expect(segments[0]).toContain('<h2 id="returns-at-the-counter">');
    expect(segments[0]).toContain('<h2 id="returns-at-the-counter-2">');
    expect(islands[0]).toMatchObject({
      questions: [{ revisit: "#returns-at-the-counter-2" }],
    });
  });

  test.each([
    ["#no-such-heading", "points to `#no-such-heading`, which is not a heading of this lesson"],
    [
      "https://example.com/",
      'must be a link to a heading of this lesson, like "#returns-at-the-counter"',
    ],
  ])("refuse %s with its line and column", async (revisit, message) => {
    const refused = await compileMdx(lesson(revisit), { file: "sample.mdx" }).catch((e) => e);
    expect(refused).toBeInstanceOf(MdxError);
    expect((refused as MdxError).errors).toEqual([
      expect.objectContaining({
        file: "sample.mdx",
        line: 16,
        message: expect.stringContaining(message),
      }),
    ]);
  });
});
