import fs from "node:fs";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { writeFaultCourses } from "./helpers/courses";
import { logInAll, quizVersion, seedLearners, submitQuiz } from "./helpers/learners";
import { sleep } from "./helpers/load";
import { buildOrg } from "./helpers/org";
import { slowDownload } from "./helpers/slow-reader";
import { figure } from "./helpers/sets";

// F7: a long CSV export (the whole organisation, read by a slow client) must not hold a read
// snapshot for its whole length, or the WAL could not be checkpointed and would grow with every
// write made meanwhile. The control shows that a reader that does hold one makes it grow.

const file = process.env.DATABASE_PATH!;
const wal = `${file}-wal`;
const PEOPLE = 10_000;
const WRITERS = 8;
/** Twice the WAL that SQLite's automatic checkpoint (1,000 pages) lets build up. */
const WAL_BOUND = 8 * 1024 * 1024;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
let server: RunningServer;
let sessions: Map<string, Browser>;
let version: string;

beforeAll(async () => {
  await migratedDatabase();
  const ids = await seedLearners(WRITERS, [
    { key: "ada", name: "Ada Admin", admin: true },
    { key: "lee", name: "Lee Leader", leader: true },
  ]);
  const coursesDir = writeFaultCourses(6);
  await buildOrg(coursesDir, PEOPLE, { wide: true });
  server = await startServer({ COURSES_DIR: coursesDir });
  sessions = await logInAll(server.url, [...ids.keys()]);
  version = await quizVersion(sessions.get("learner1")!);
});

afterAll(async () => {
  await server?.stop();
});

const exportUrl = () => `${server.url}/reports/matrix.csv`;
const leaderCookie = () => sessions.get("lee")!.cookie;

/** Folds the WAL into the database and empties it, so that each test starts from nothing. */
async function emptyWal() {
  const db = new Database(file);
  try {
    for (;;) {
      const [result] = db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      if (result!.busy === 0) return;
      await sleep(20);
    }
  } finally {
    db.close();
  }
}

/** Quiz attempts from every learner as fast as they are answered, and the WAL's largest size. */
function writeAndWatch() {
  let running = true;
  let largest = 0;
  const acknowledged: number[] = [];
  const watcher = setInterval(() => {
    largest = Math.max(largest, fs.statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
  }, 25);
  const writers = Array.from({ length: WRITERS }, async (_, i) => {
    const learner = sessions.get(`learner${i + 1}`)!;
    while (running) {
      const res = await submitQuiz(learner, version, false);
      await res.arrayBuffer();
      if (res.status === 200) acknowledged.push(Date.now());
    }
  });
  return {
    largest: () => largest,
    written: () => acknowledged.length,
    async stop() {
      running = false;
      await Promise.all(writers);
      clearInterval(watcher);
      return { written: acknowledged.length, acknowledged, largest };
    },
  };
}

describe("F7 WAL stays bounded during a long export", () => {
  test("the whole organisation's CSV read slowly while writes go on", async (context) => {
    // The control first: a reader that holds one snapshot lets the WAL grow past the bound.
    await emptyWal();
    const reader = new Database(file, { readonly: true });
    reader.exec("BEGIN");
    reader.prepare("select count(*) from users").get();
    const control = writeAndWatch();
    const controlStarted = Date.now();
    while (control.largest() < WAL_BOUND && Date.now() - controlStarted < 60_000) await sleep(50);
    const held = await control.stop();
    reader.exec("COMMIT");
    reader.close();
    expect(held.largest).toBeGreaterThanOrEqual(WAL_BOUND);

    // The export read at a trickle (64 KB/s, a poor mobile line) until the writes meanwhile reach
    // 2.5 times the control's, which would fill the bound twice over if the server held one
    // snapshot for the whole response. Pacing by writes, not by the clock, holds on a slow machine.
    await emptyWal();
    const load = writeAndWatch();
    const target = held.written * 2.5;
    const TRICKLE = 64 * 1024;
    const started = Date.now();
    const download = await slowDownload(exportUrl(), leaderCookie(), () =>
      load.written() >= target ? Infinity : (TRICKLE * (Date.now() - started)) / 1000,
    );
    const { acknowledged, largest } = await load.stop();
    expect(download.status).toBe(200);
    expect(download.text.trimEnd().split("\n").length).toBeGreaterThan(PEOPLE * 2);
    const producingMs = download.producingUntil - started;
    const written = acknowledged.filter((at) => at <= download.producingUntil).length;
    expect(written).toBeGreaterThanOrEqual(held.written * 2);
    expect(largest).toBeLessThan(WAL_BOUND);
    await figure(
      context,
      `export of ${mb(download.bytes)} read over ${(download.ms / 1000).toFixed(1)} s, the server ` +
        `producing it for ${(producingMs / 1000).toFixed(1)} s with ${written} writes meanwhile: WAL at most ${mb(largest)} (bound ${mb(WAL_BOUND)}); control: one held ` +
        `snapshot, ${held.written} writes: WAL ${mb(held.largest)}`,
    );
  });
});
