import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { staffroom } from "./helpers/cli";
import {
  DRILL,
  drillLessonPath,
  lessonSlug,
  reviseDrillLessons,
  writeFaultCourses,
} from "./helpers/courses";
import { logInAll, rebase, seedLearners } from "./helpers/learners";
import { countOf, inspect } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// F4: a broken lesson published with `courses sync` is refused with file:line:col, its course
// is refused whole (another lesson changed beside it is not published either), and the running
// server keeps serving the previous version — also after a restart with the broken file there.

const file = process.env.DATABASE_PATH!;
const coursesDir = writeFaultCourses(3);
const serverEnv = { COURSES_DIR: coursesDir };
let server: RunningServer;
let learner: Browser;

const BROKEN = [
  {
    name: "bad JSX",
    edit: (s: string) => s.replace("</Callout>", "</Calout>"),
    where: /drill\/01-step-01\.mdx:9:50 invalid MDX: Unexpected closing tag `<\/Calout>`/,
  },
  {
    name: "bad YAML",
    edit: (s: string) => s.replace("title: Step 1", "title: [unclosed"),
    where: /drill\/01-step-01\.mdx:4:1 invalid YAML frontmatter/,
  },
  {
    name: "a huge file",
    edit: (s: string) => `${s}${"A long line of text. ".repeat(15_000)}\n`,
    where: /drill\/01-step-01\.mdx:1:1 file is too large \(308 KB; the limit is 200 KB\)/,
  },
];

const lessonText = async (n: number) =>
  (
    await (await rebase(learner, server.url).get(`/courses/${DRILL}/${lessonSlug(n)}`)).text()
  ).replace(/<!-- -->/g, "");
const versions = () => inspect(file, (db) => countOf(db, "select count(*) from lesson_versions"));

beforeAll(async () => {
  await migratedDatabase();
  const ids = await seedLearners(1);
  server = await startServer(serverEnv);
  learner = (await logInAll(server.url, [...ids.keys()])).get("learner1")!;
});

afterAll(async () => {
  await server?.stop();
});

describe("F4 broken MDX published with courses sync", () => {
  test.for(BROKEN)(
    "$name: refused with file:line:col, the previous version stays live",
    async (broken, context) => {
      const before = versions();
      // Lesson 2 changes correctly and lesson 1 breaks, in one sync: neither is published.
      reviseDrillLessons(coursesDir, 2, "second edition");
      const lesson1 = drillLessonPath(coursesDir, 1);
      fs.writeFileSync(lesson1, broken.edit(fs.readFileSync(lesson1, "utf8")));
      try {
        const sync = await staffroom(["courses", "sync"], serverEnv);
        expect(sync.code).toBe(1);
        expect(sync.stderr).toMatch(broken.where);
        expect(sync.stderr).toMatch(/refused drill \(any version published before stays live\)/);
        expect(versions()).toBe(before);
        for (const n of [1, 2]) {
          const page = await lessonText(n);
          expect(page).toContain(`Step ${n} of the drill (first edition).`);
          expect(page).not.toContain("second edition");
        }
        await figure(
          context,
          `${broken.name}: ${sync.stderr.split("\n")[0]!.replace(/^.*?drill\//, "drill/")}`,
        );
      } finally {
        reviseDrillLessons(coursesDir, 2, "first edition");
      }
    },
  );

  test("the same change without the broken lesson is published at once (the control)", async () => {
    reviseDrillLessons(coursesDir, 2, "second edition");
    try {
      const sync = await staffroom(["courses", "sync"], serverEnv);
      expect(sync.code, sync.stderr).toBe(0);
      expect(await lessonText(2)).toContain("Step 2 of the drill (second edition).");
    } finally {
      reviseDrillLessons(coursesDir, 2, "first edition");
      expect((await staffroom(["courses", "sync"], serverEnv)).code).toBe(0);
    }
  });

  test("a server restarted with a broken lesson serves the previous version", async () => {
    const lesson1 = drillLessonPath(coursesDir, 1);
    const good = fs.readFileSync(lesson1, "utf8");
    fs.writeFileSync(lesson1, BROKEN[0]!.edit(good.replace("first edition", "second edition")));
    try {
      await server.stop();
      server = await startServer(serverEnv);
      expect(server.logs()).toMatch(/have errors:/);
      expect(server.logs()).toMatch(/refused drill \(any version published before stays live\)/);
      expect(server.logs()).toMatch(BROKEN[0]!.where);
      expect(await lessonText(1)).toContain("Step 1 of the drill (first edition).");
    } finally {
      fs.writeFileSync(lesson1, good);
    }
  });
});
