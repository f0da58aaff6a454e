import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { DRILL, lessonSlug, writeFaultCourses } from "./helpers/courses";
import { logInAll, seedLearners } from "./helpers/learners";
import { closedLoop, ms, percentile, quietThenLoaded } from "./helpers/load";
import { buildOrg } from "./helpers/org";
import { ALL, figure, slowSetOnly } from "./helpers/sets";

// F10: leaders opening the leadership report on a 10,000-person organisation over and over do
// not slow lesson pages beyond twice their quiet p99.

const PEOPLE = 10_000;
const LESSONS = 6;
const coursesDir = writeFaultCourses(LESSONS);
let server: RunningServer;
let sessions: Map<string, Browser>;

beforeAll(async () => {
  if (!ALL) return; // the slow set only
  await migratedDatabase();
  const ids = await seedLearners(1, [
    { key: "ada", name: "Ada Admin", admin: true },
    { key: "lee", name: "Lee Leader", leader: true },
  ]);
  await buildOrg(coursesDir, PEOPLE);
  server = await startServer({ COURSES_DIR: coursesDir });
  sessions = await logInAll(server.url, [...ids.keys()]);
  const reader = sessions.get("learner1")!;
  for (let n = 1; n <= LESSONS; n++)
    await (await reader.get(`/courses/${DRILL}/${lessonSlug(n)}`)).arrayBuffer();
});

afterAll(async () => {
  await server?.stop();
});

describe("F10 the leadership report under load", () => {
  test("lesson p99 within 2× of quiet while two leaders reload the report", async (context) => {
    slowSetOnly(context);
    const reader = sessions.get("learner1")!;
    const leader = sessions.get("lee")!;
    let page = 0;
    const readLesson = () => reader.get(`/courses/${DRILL}/${lessonSlug(1 + (page++ % LESSONS))}`);
    const {
      quiet,
      loaded,
      result: reports,
    } = await quietThenLoaded(readLesson, { connections: 4, quietMs: 5000 }, () =>
      closedLoop(() => leader.get("/reports"), { connections: 2, ms: 8000 }),
    );
    expect(Object.keys(reports.statuses)).toEqual(["200"]);
    expect(Object.keys(loaded.statuses)).toEqual(["200"]);
    const quietP99 = percentile(quiet.samples, 99);
    const loadedP99 = percentile(loaded.samples, 99);
    await figure(
      context,
      `${reports.samples.length} leadership reports (p50 ${ms(percentile(reports.samples, 50))}) on ` +
        `${PEOPLE.toLocaleString("en")} people: lesson p99 quiet ${ms(quietP99)} (${quiet.samples.length} requests), ` +
        `under the reports ${ms(loadedP99)} (${loaded.samples.length}), ratio ${(loadedP99 / quietP99).toFixed(2)}`,
    );
    expect(loadedP99).toBeLessThanOrEqual(2 * quietP99);
  });
});
