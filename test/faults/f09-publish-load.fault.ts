import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { startNode } from "./helpers/cli";
import { DRILL, lessonSlug, reviseDrillLessons, writeFaultCourses } from "./helpers/courses";
import { logInAll, seedLearners } from "./helpers/learners";
import { ms, percentile, quietThenLoaded } from "./helpers/load";
import { ALL, figure, slowSetOnly } from "./helpers/sets";

// F9: twenty changed lessons published at once (`courses sync`) while people read lessons: the
// sync compiles one lesson at a time and the lesson pages stay within twice their quiet p99.

const LESSONS = 24;
const CONNECTIONS = 4;
const coursesDir = writeFaultCourses(LESSONS);
let server: RunningServer;
let reader: Browser;

beforeAll(async () => {
  if (!ALL) return; // the slow set only
  await migratedDatabase();
  const ids = await seedLearners(1);
  server = await startServer({ COURSES_DIR: coursesDir });
  reader = (await logInAll(server.url, [...ids.keys()])).get("learner1")!;
  for (let n = 1; n <= LESSONS; n++)
    await (await reader.get(`/courses/${DRILL}/${lessonSlug(n)}`)).arrayBuffer();
});

afterAll(async () => {
  await server?.stop();
});

describe("F9 twenty lessons published at once", () => {
  test("one compile at a time; lesson p99 within 2× of quiet while the sync runs", async (context) => {
    slowSetOnly(context);
    let page = 0;
    const readLesson = () => reader.get(`/courses/${DRILL}/${lessonSlug(1 + (page++ % LESSONS))}`);
    reviseDrillLessons(coursesDir, 20, "second edition");
    const {
      quiet,
      loaded,
      result: sync,
    } = await quietThenLoaded(
      readLesson,
      { connections: CONNECTIONS, quietMs: 5000 },
      () =>
        startNode(["--import", "tsx", "test/faults/helpers/sync-with-stats.ts"], {
          COURSES_DIR: coursesDir,
        }).done,
    );
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/20 published/);
    const stats = JSON.parse(/compile stats (.*)$/m.exec(sync.stdout)![1]!) as {
      compiles: number;
      maxActive: number;
    };
    expect(stats).toMatchObject({ compiles: 20, maxActive: 1 });
    expect(Object.keys(loaded.statuses)).toEqual(["200"]);
    // Published live: the server shows the new text without a compile of its own.
    expect(
      (await (await reader.get(`/courses/${DRILL}/${lessonSlug(20)}`)).text()).replace(
        /<!-- -->/g,
        "",
      ),
    ).toContain("Step 20 of the drill (second edition).");
    const quietP99 = percentile(quiet.samples, 99);
    const loadedP99 = percentile(loaded.samples, 99);
    await figure(
      context,
      `sync of 20 lessons in ${ms(sync.ms)}: ${stats.compiles} compiles, at most ${stats.maxActive} at once; ` +
        `lesson p99 quiet ${ms(quietP99)} (${quiet.samples.length} requests), during the sync ` +
        `${ms(loadedP99)} (${loaded.samples.length}), ratio ${(loadedP99 / quietP99).toFixed(2)}`,
    );
    expect(loadedP99).toBeLessThanOrEqual(2 * quietP99);
  });
});
