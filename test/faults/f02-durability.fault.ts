import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { SqliteHandles } from "~/utils/db.server";
import { migratedSqlite } from "../helpers/db";
import type { Browser } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";
import { DRILL, lessonSlug, writeFaultCourses } from "./helpers/courses";
import { completeLesson, logInAll, seedLearners } from "./helpers/learners";
import { sleep } from "./helpers/load";
import { figure } from "./helpers/sets";

// F2: the durability setting is WAL with synchronous=NORMAL (README, "Design decisions"): a
// commit is in the WAL when the request is answered (F1 kills the process and finds it there)
// but is not flushed to disk by every commit. Checked on the handle the server code opens and,
// with strace, on a running server: its commits make no fsync.

const COMMITS = 30;
const hasStrace = spawnSync("strace", ["-V"]).status === 0;
const tracesDir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-f02-"));
let server: RunningServer;
let sqlite: SqliteHandles["sqlite"];
let learner: Browser;

beforeAll(async () => {
  ({ sqlite } = await migratedSqlite());
  const ids = await seedLearners(1);
  server = await startServer({ COURSES_DIR: writeFaultCourses(COMMITS) });
  learner = (await logInAll(server.url, [...ids.keys()])).get("learner1")!;
});

afterAll(async () => {
  await server?.stop();
});

/** Runs `during` with strace counting the fsync family of `target` (a pid or a command). */
async function countSyncs(target: { pid: number } | string[], during?: () => Promise<void>) {
  const out = path.join(tracesDir, `trace-${Date.now()}`);
  const args = ["-f", "-qq", "-e", "trace=fsync,fdatasync,sync_file_range", "-o", out];
  const tracer = spawn(
    "strace",
    "pid" in target ? [...args, "-p", String(target.pid)] : [...args, ...target],
    { stdio: "ignore" },
  );
  const ended = new Promise((resolve) => tracer.once("exit", resolve));
  if (during) {
    await sleep(500); // attached
    await during();
    tracer.kill("SIGINT");
  }
  await ended;
  return fs
    .readFileSync(out, "utf8")
    .split("\n")
    .filter((l) => /sync/.test(l)).length;
}

describe("F2 durability setting", () => {
  test("the server code opens the database in WAL mode with synchronous=NORMAL, as README says", async () => {
    expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(sqlite.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
    const readme = fs.readFileSync("README.md", "utf8");
    expect(readme).toMatch(/\*\*SQLite in WAL mode with `synchronous=NORMAL`[^*]*\*\*/);
    // The file a running server uses is a WAL database (header bytes 18–19 are 2).
    const header = Buffer.alloc(20);
    const fd = fs.openSync(process.env.DATABASE_PATH!, "r");
    fs.readSync(fd, header, 0, 20, 0);
    fs.closeSync(fd);
    expect([header[18], header[19]]).toEqual([2, 2]);
  });

  test("a running server's commits make no fsync (a FULL connection's would)", async (context) => {
    if (!hasStrace) context.skip("strace is not installed: cannot watch the server's fsyncs");
    // The control: the same commits with synchronous=FULL sync the WAL every time.
    const control = path.join(tracesDir, "control.db");
    const full = await countSyncs([
      process.execPath,
      "-e",
      `const db = new (require("better-sqlite3"))(${JSON.stringify(control)});
       db.pragma("journal_mode = WAL"); db.pragma("synchronous = FULL");
       db.exec("create table t (n)");
       for (let i = 0; i < ${COMMITS}; i++) db.prepare("insert into t values (?)").run(i);`,
    ]);
    expect(full).toBeGreaterThanOrEqual(COMMITS);

    let acknowledged = 0;
    const serverSyncs = await countSyncs({ pid: server.pid }, async () => {
      for (let n = 1; n <= COMMITS; n++) {
        const res = await completeLesson(learner, DRILL, lessonSlug(n));
        if (res.status === 302) acknowledged++;
      }
    });
    expect(acknowledged).toBe(COMMITS);
    expect(serverSyncs).toBeLessThan(COMMITS / 3);
    await figure(
      context,
      `${COMMITS} acknowledged completions: ${serverSyncs} fsyncs by the server (NORMAL); ` +
        `${full} for ${COMMITS} commits with synchronous=FULL (control)`,
    );
  });
});
