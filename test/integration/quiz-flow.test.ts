import { sql, type RawBuilder } from "kysely";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { loggedIn, seedPeople } from "../helpers/people";
import { completeQuizCourse } from "../helpers/quiz-course";
import { startServer, type RunningServer } from "../helpers/server";

// test/fixtures/courses-quiz: `safety` (welcome; check = five questions + a statement, pass mark
// 0.8, three attempts; policy = a statement) and `other` (one quiz).
const ALL_RIGHT = { q1: "q1-b", q2: "q2-a", q3: ["q3-a", "q3-c"], q4: "q4-c", q5: "q5-a" };
const ALL_WRONG = { q1: "q1-a", q2: "q2-b", q3: "q3-b", q4: "q4-a", q5: "q5-b" };
/** The correct choice ids of each question: they must never travel together with "correct". */
const KEY = { q1: ["q1-b"], q2: ["q2-a"], q3: ["q3-a", "q3-c"], q4: ["q4-c"], q5: ["q5-a"] };

let server: RunningServer;
let ids: Map<string, number>;

/** The page's HTML without React's text separators (`You scored <!-- -->80%`). */
const pageText = async (res: Response) => (await res.text()).replace(/<!-- -->/g, "");

const count = async (query: RawBuilder<unknown>) => ((await one(query)) as { n: number }).n;

const as = (key: string) => loggedIn(server.url, key, "quiz.example");

const LESSON_AND_COURSE_ROUTES = [
  "/",
  "/courses/safety",
  "/courses/safety/welcome",
  "/courses/safety/check",
  "/courses/safety/policy",
  "/courses/other",
  "/courses/other/other-quiz",
];

/** Every HTML and single-fetch data response of the lesson and course routes. */
async function scanForAnswerKey(browser: Browser) {
  const paths = LESSON_AND_COURSE_ROUTES.flatMap((p) => [
    p,
    `${p === "/" ? "/_root" : p}.data`,
    `${p === "/" ? "/_root" : p}.data?_routes=root,routes/courses.$course.$lesson`,
  ]);
  for (const path of paths) {
    const res = await browser.get(path);
    expect(res.status, path).toBe(200);
    const body = await res.text();
    expect(body, path).not.toMatch(/EXPLANATION-MARKER/);
    expect(body, path).not.toMatch(/\\?"correct\\?"|\bcorrect=|data-correct|answerKey|answer_key/);
    expect(body, path).not.toMatch(/MDXContent|getMDXComponent|_jsx\(|new Function/);
    for (const ids of Object.values(KEY)) {
      expect(body, path).not.toContain(JSON.stringify(ids));
    }
  }
  // The correct choices are on the page (they are choices) and look exactly like the others.
  const html = await (await browser.get("/courses/safety/check")).text();
  expect(html).toContain("CORRECT-MARKER-Q1");
  const inputs = [...html.matchAll(/<input[^>]*class="quiz-choice__input"[^>]*>/g)].map((m) =>
    m[0].replace(/(id|value)="[^"]*"/g, '$1=""'),
  );
  expect(inputs).toHaveLength(13);
  const byQuestion = new Map<string, Set<string>>();
  for (const input of inputs) {
    const name = /name="([^"]+)"/.exec(input)![1]!;
    byQuestion.set(name, (byQuestion.get(name) ?? new Set()).add(input));
  }
  for (const [name, shapes] of byQuestion) expect(shapes.size, name).toBe(1);
}

async function versionOf(browser: Browser, path: string) {
  const html = await (await browser.get(path)).text();
  return /name="version" value="(\d+)"/.exec(html)![1]!;
}

function quizPost(version: string, answers: Record<string, string | string[]>) {
  return { intent: "quiz", quiz: "quiz-1", version, ...answers };
}

beforeAll(async () => {
  await migratedDatabase();
  // Each learner is used by one test only: Tia tries the quiz, Ann earns a certificate over
  // HTTP, Amy holds one to be viewed, Bo tampers.
  ids = await seedPeople(
    [
      { key: "mia", name: "Mia Manager" },
      { key: "tia", name: "Tia Trier" },
      { key: "ann", name: "Ann Able", manager: "mia" },
      { key: "amy", name: "Amy Able", manager: "mia" },
      { key: "bo", name: "Bo Baker" },
      { key: "cy", name: "Cy Cole" },
      { key: "lee", name: "Lee Leader", leader: true },
    ],
    "quiz.example",
  );
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-quiz" });
});

afterAll(async () => {
  await server?.stop();
});

describe("a quiz that gates completion, over HTTP", () => {
  test("no response of the lesson and course routes carries an answer key, before or after attempts", async () => {
    const tia = await as("tia");
    await scanForAnswerKey(tia);
    const version = await versionOf(tia, "/courses/safety/check");

    // A failed attempt as a plain form post: the score and the questions to revisit, with the
    // author's link back to the section; neither the correct choices nor the explanations.
    const failed = await tia.post("/courses/safety/check", quizPost(version, ALL_WRONG));
    expect(failed.status).toBe(200);
    const page = await pageText(failed);
    expect(page).toContain("You scored 0%");
    expect(page).toContain("You need 80% to pass.");
    expect(page).not.toContain("EXPLANATION-MARKER");
    expect(page).toContain('<h2 id="spills-and-hazards">');
    expect(page).toContain('<a href="#spills-and-hazards">Read the section about this again</a>');
    expect(page).toContain("2 attempts left");
    expect(page.match(/quiz-question--incorrect/g)).toHaveLength(5);
    // The same as data: the verdicts, never the explanations or the correct choices.
    const data = await tia.post("/courses/safety/check.data", quizPost(version, ALL_WRONG));
    const text = await data.text();
    expect(text).toContain('"revisit"');
    expect(text).not.toContain("EXPLANATION-MARKER");
    for (const correct of Object.values(KEY).flat()) expect(text).not.toContain(correct);
    await scanForAnswerKey(tia);

    // A pass brings every explanation.
    const passed = await tia.post("/courses/safety/check", quizPost(version, ALL_RIGHT));
    const review = await pageText(passed);
    expect(review).toContain("You scored 100%. You passed.");
    for (const n of [1, 2, 3, 4, 5]) expect(review).toContain(`EXPLANATION-MARKER-Q${n}`);
    await scanForAnswerKey(tia);
  });

  test("tampered submissions get 400 with a clear message and are recorded nowhere", async () => {
    const bo = await as("bo");
    const version = await versionOf(bo, "/courses/safety/check");
    const otherVersion = await versionOf(bo, "/courses/other/other-quiz");
    const before = await count(sql`select count(*) n from progress_events where type != 'started'`);
    const attempts = await count(sql`select count(*) n from quiz_attempts`);
    for (const [fields, message] of [
      [
        { ...quizPost(version, ALL_RIGHT), quiz: "quiz-2" },
        "That quiz is not part of this lesson.",
      ],
      [quizPost(otherVersion, ALL_RIGHT), "That quiz is not part of this lesson."],
      [quizPost(version, { ...ALL_RIGHT, q9: "q9-a" }), "This quiz has no question"],
      [quizPost(version, { ...ALL_RIGHT, q2: "q1-a" }), "has no choice"],
      [quizPost(version, { ...ALL_RIGHT, q1: ["q1-a", "q1-b"] }), "takes one answer"],
    ] as const) {
      const res = await bo.post("/courses/safety/check", fields);
      expect(res.status).toBe(400);
      expect(await pageText(res)).toContain(message.replace(/"/g, "&quot;"));
    }
    expect(await count(sql`select count(*) n from progress_events where type != 'started'`)).toBe(
      before,
    );
    expect(await count(sql`select count(*) n from quiz_attempts`)).toBe(attempts);
    // And no hand-marking a quiz lesson complete.
    expect((await bo.post("/courses/safety/check", { intent: "complete" })).status).toBe(400);
  });

  test("passing, confirming and finishing the course issues a certificate linked from the course page", async () => {
    const ann = await as("ann");
    const checkVersion = await versionOf(ann, "/courses/safety/check");
    let course = await (await ann.get("/courses/safety")).text();
    expect(course).not.toContain("View your certificate");

    const passed = await ann.post("/courses/safety/check", quizPost(checkVersion, ALL_RIGHT));
    expect(await pageText(passed)).toContain("You passed.");

    expect((await ann.post("/courses/safety/welcome", { intent: "complete" })).status).toBe(302);
    const ack = await ann.post("/courses/safety/check", {
      intent: "acknowledge",
      island: "ack-1",
      version: checkVersion,
    });
    expect(ack.status).toBe(400);
    expect(await pageText(ack)).toContain("Tick the box to confirm you agree.");
    for (const lesson of ["check", "policy"]) {
      const res = await ann.post(`/courses/safety/${lesson}`, {
        intent: "acknowledge",
        island: "ack-1",
        version: await versionOf(ann, `/courses/safety/${lesson}`),
        confirm: "yes",
      });
      expect(res.status).toBe(200);
    }
    course = await pageText(await ann.get("/courses/safety"));
    const link = /href="\/certificates\/([a-z2-7]{24})"/.exec(course);
    expect(link).not.toBeNull();
    const certificate = link![1]!;
    const page = await (await ann.get(`/certificates/${certificate}`)).text();
    expect(page).toContain("Ann Able");
    expect(page).toContain("Safety basics");
    expect(page).toContain(`/verify/${certificate}`);
    expect(page).toContain(certificate.replace(/(.{4})(?=.)/g, "$1-"));
  });

  test("the certificate is for the holder and whoever may view them; verification is public and minimal", async () => {
    expect((await completeQuizCourse(ids.get("amy")!)).courseCompleted).toBe(true);
    const { code: certificate } = (await one(
      sql`select code from certificates where user_id = ${ids.get("amy")}`,
    )) as { code: string };
    for (const key of ["amy", "mia", "lee"]) {
      expect((await (await as(key)).get(`/certificates/${certificate}`)).status).toBe(200);
    }
    expect((await (await as("cy")).get(`/certificates/${certificate}`)).status).toBe(404);
    const anonymous = new Browser(server.url);
    expect((await anonymous.get(`/certificates/${certificate}`)).status).toBe(302);

    const verify = await anonymous.get(`/verify/${certificate}`);
    expect(verify.status).toBe(200);
    const html = await verify.text();
    expect(html).toContain("Valid certificate");
    expect(html).toContain("Amy Able");
    expect(html).toContain("Safety basics");
    expect(html).not.toContain("amy@quiz.example");
    const { course_version } = (await one(
      sql`select course_version from certificates where code = ${certificate}`,
    )) as { course_version: string };
    expect(html).not.toContain(course_version);
    expect(html).not.toContain("Course version");
    const data = await (await anonymous.get(`/verify/${certificate}.data`)).text();
    expect(data).not.toContain("amy@quiz.example");
    expect(data).not.toMatch(/userId|courseVersion|courseSlug/);

    const wrong = await anonymous.get(`/verify/${"a".repeat(24)}`);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).toContain("Not a valid certificate");
  });
});

describe("course images", () => {
  test("are served from the course folder with the right type, and nothing else is", async () => {
    const bo = await as("bo");
    const lesson = await (await bo.get("/courses/safety/welcome")).text();
    expect(lesson).toContain('src="/course-assets/safety/sign.png"');
    const image = await bo.get("/course-assets/safety/sign.png");
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await image.arrayBuffer())).toEqual(
      fs.readFileSync("test/fixtures/courses-quiz/safety/sign.png"),
    );
    for (const path of [
      "/course-assets/safety/notes.txt",
      "/course-assets/safety/course.mdx",
      "/course-assets/safety/missing.png",
      "/course-assets/Safety/sign.png",
      "/course-assets/safety/..%2Fother%2Fcourse.mdx",
      "/course-assets/safety/..%2F..%2Fcourses-quiz%2Fsafety%2Fsign.png",
      "/course-assets/safety/.sign.png",
      "/course-assets/other/sign.png",
    ]) {
      expect((await bo.get(path)).status, path).toBe(404);
    }
    expect((await new Browser(server.url).get("/course-assets/safety/sign.png")).status).toBe(302);
  });
});
