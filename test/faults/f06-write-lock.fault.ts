import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { DRILL, lessonSlug, writeFaultCourses } from "./helpers/courses";
import { completeLesson, logInAll, rebase, seedLearners } from "./helpers/learners";
import { closedLoop, ms, percentile, sleep, timed } from "./helpers/load";
import { holdWriteLock } from "./helpers/lock";
import { completedLessons, completion, inspect } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// F6: another process holds the write lock. Writes wait for it up to the busy timeout (5 s) and
// then answer 503 with a message; reads go on meanwhile; nothing crashes.

const file = process.env.DATABASE_PATH!;
const serverEnv = { COURSES_DIR: writeFaultCourses(12) };
let server: RunningServer;
let sessions: Map<string, Browser>;
let userIds: Map<string, number>;

const as = (key: string) => rebase(sessions.get(key)!, server.url);
/** The lesson page is a pure read once the lesson has been opened. */
const readLesson = () => as("learner1").get(`/courses/${DRILL}/${lessonSlug(1)}`);

beforeAll(async () => {
  await migratedDatabase();
  userIds = await seedLearners(6);
  server = await startServer(serverEnv);
  sessions = await logInAll(server.url, [...userIds.keys()]);
  await (await readLesson()).arrayBuffer();
});

afterAll(async () => {
  await server?.stop();
});

const isCompleted = (key: string, lesson: number) =>
  inspect(file, completedLessons).has(completion(userIds.get(key)!, lessonSlug(lesson)));

/** Completions by learner2…learner6 of lesson `lesson`, sent together. */
function completeTogether(lesson: number) {
  return Promise.all(
    ["learner2", "learner3", "learner4", "learner5", "learner6"].map(async (key) => {
      const sent = Date.now();
      const res = await completeLesson(as(key), DRILL, lessonSlug(lesson));
      return { key, sent, status: res.status, body: await res.text(), answered: Date.now() };
    }),
  );
}

describe("F6 a second process holding the write lock", () => {
  test("held for 3 s: writes wait and succeed, reads go on", async (context) => {
    const lock = holdWriteLock(file, 3000);
    await sleep(200);
    const [writes, reads] = await Promise.all([
      completeTogether(1),
      closedLoop(readLesson, { connections: 2, until: lock.released }),
    ]);
    const releasedAt = await lock.released;
    for (const w of writes) {
      expect(w.status, w.body.slice(0, 200)).toBe(302);
      // It waited for the lock rather than failing or slipping past it.
      expect(w.answered).toBeGreaterThanOrEqual(releasedAt - 50);
      expect(isCompleted(w.key, 1)).toBe(true);
    }
    expect(Object.keys(reads.statuses)).toEqual(["200"]);
    expect(percentile(reads.samples, 100)).toBeLessThan(1000);
    const waited = Math.max(...writes.map((w) => w.answered - w.sent));
    await figure(
      context,
      `3 s lock: ${writes.length} writes waited up to ${ms(waited)} and succeeded; ` +
        `${reads.samples.length} reads meanwhile, slowest ${ms(percentile(reads.samples, 100))}`,
    );
  });

  test("held for 8 s: writes answer 503 after the 5 s busy timeout, reads go on, then all is well", async (context) => {
    const lock = holdWriteLock(file, 8000);
    await sleep(200);
    const [writes, reads] = await Promise.all([
      completeTogether(2),
      closedLoop(readLesson, { connections: 2, until: lock.released }),
    ]);
    for (const w of writes) {
      expect(w.status, w.body.slice(0, 200)).toBe(503);
      expect(w.body).toMatch(/could not save your change in time\. Nothing was changed/);
      const waited = w.answered - w.sent;
      expect(waited).toBeGreaterThanOrEqual(4500);
      expect(waited).toBeLessThan(7500);
      expect(isCompleted(w.key, 2)).toBe(false);
    }
    expect(Object.keys(reads.statuses)).toEqual(["200"]);
    expect(percentile(reads.samples, 100)).toBeLessThan(1000);
    await lock.released;

    // No crash: the same process serves, healthy, and the write goes through now.
    expect(() => process.kill(server.pid, 0)).not.toThrow();
    await sleep(1100); // /healthz probes at most once a second
    const health = await timed(() => fetch(`${server.url}/healthz`));
    expect(health.status).toBe(200);
    const retry = await completeLesson(as("learner2"), DRILL, lessonSlug(2));
    expect(retry.status).toBe(302);
    expect(server.logs()).toMatch(/SQLITE_BUSY/);
    expect(server.logs()).not.toMatch(/exited|Unhandled|uncaught/i);
    await figure(
      context,
      `8 s lock: ${writes.length} writes answered 503 after ` +
        `${ms(Math.min(...writes.map((w) => w.answered - w.sent)))}–` +
        `${ms(Math.max(...writes.map((w) => w.answered - w.sent)))}; ` +
        `${reads.samples.length} reads meanwhile, slowest ${ms(percentile(reads.samples, 100))}`,
    );
  });

  test("a server starts while another process holds the lock for 3 s", async (context) => {
    await server.stop();
    const lock = holdWriteLock(file, 3000);
    const started = Date.now();
    server = await startServer(serverEnv);
    const took = Date.now() - started;
    await lock.released;
    expect((await completeLesson(as("learner3"), DRILL, lessonSlug(3))).status).toBe(302);
    await figure(context, `start beside a 3 s lock: healthy after ${ms(took)}`);
  });
});
