import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { closeDatabase } from "~/utils/db.server";
import type { Browser } from "../helpers/http";
import { migratedDatabase } from "../helpers/db";
import { startServer, type RunningServer } from "../helpers/server";
import { csvOf, manyRows } from "../fixtures/roster/roster-csv";
import { staffroom } from "./helpers/cli";
import { DRILL, lessonSlug, writeFaultCourses } from "./helpers/courses";
import { completeLesson, DOMAIN, logInAll, seedLearners } from "./helpers/learners";
import { sleep, steadyWrites } from "./helpers/load";
import { fillDisk, mountSmallDisk } from "./helpers/small-disk";
import { completion, countOf, inspect, SOUND, soundness } from "./helpers/sqlite";
import { figure } from "./helpers/sets";

// F3: the filesystem holding the database fills up while people write. Users get 503 with a
// message that says so, nothing is half-applied, /healthz says why, the log has the real
// SQLITE_FULL with the path, and once space is freed everything works again without a restart.

const disk = mountSmallDisk(16);
const STORAGE_FULL = /storage is full\. Nothing was changed/;
const IMPORTED = "import.example";
const LEARNERS = 20;
const LESSONS = 30;

let file = "";
let server: RunningServer;
let sessions: Map<string, Browser>;
let userIds: Map<string, number>;

const rosterOf = (domain: string, people: number) =>
  csvOf([...manyRows(people, domain), `ada@${DOMAIN},Ada Admin,Office,,,admin,`]);
const importedPeople = (domain: string) =>
  inspect(file, (db) =>
    countOf(db, "select count(*) from users where email like ?", `%@${domain}`),
  );

beforeAll(async () => {
  if ("unavailable" in disk) return;
  file = path.join(disk.dir, "staffroom.db");
  process.env.DATABASE_PATH = file;
  await migratedDatabase();
  userIds = await seedLearners(LEARNERS, [
    { key: "ada", name: "Ada Admin", dept: "Office", admin: true },
  ]);
  server = await startServer({ COURSES_DIR: writeFaultCourses(LESSONS), DATABASE_PATH: file });
  sessions = await logInAll(server.url, [...userIds.keys()]);
  await closeDatabase(); // this process's own handles: the disk must be unmountable afterwards
});

afterAll(async () => {
  await server?.stop();
  if (!("unavailable" in disk)) disk.unmount();
});

describe("F3 disk full", () => {
  test("writes answer 503 'storage is full', nothing half-applied, /healthz says so; freeing space recovers without a restart", async (context) => {
    if ("unavailable" in disk) {
      console.log(`F3 skipped: ${disk.unavailable}`);
      return context.skip(disk.unavailable);
    }
    const ada = sessions.get("ada")!;
    // A roster import previewed before the disk fills, applied after.
    const upload = await ada.upload("/admin/import", "file", "staff.csv", rosterOf(IMPORTED, 2000));
    const preview = await upload.text();
    expect(upload.status).toBe(200);
    const uploadId = /name="uploadId" value="(\d+)"/.exec(preview)![1]!;
    const digest = /name="digest" value="([0-9a-f]{64})"/.exec(preview)![1]!;

    // Learners complete lessons, 20 a second, while the disk fills.
    const learners = [...userIds.keys()].filter((k) => k !== "ada");
    const acked: string[] = [];
    const failures: { status: number; body: string }[] = [];
    const writer = steadyWrites(20, async (i) => {
      const key = learners[i % learners.length]!;
      const lesson = lessonSlug(1 + (Math.floor(i / learners.length) % LESSONS));
      const res = await completeLesson(sessions.get(key)!, DRILL, lesson);
      const body = await res.text();
      if (res.status === 302) acked.push(completion(userIds.get(key)!, lesson));
      else failures.push({ status: res.status, body });
    });
    await sleep(1000);
    // An empty WAL, so that every write needs new space, then not a byte left.
    const own = new Database(file);
    own.pragma("wal_checkpoint(TRUNCATE)");
    own.close();
    const filled = fillDisk(disk.dir);
    const deadline = Date.now() + 5000;
    while (failures.length < 5 && Date.now() < deadline) await sleep(100);
    const sent = await writer.stop();

    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.status, f.body.slice(0, 200)).toBe(503);
      expect(f.body).toMatch(STORAGE_FULL);
    }

    // The import is refused whole, over HTTP and from the command line.
    const applied = await ada.post("/admin/import", { uploadId, digest });
    const appliedBody = await applied.text();
    expect(applied.status, appliedBody.slice(0, 200)).toBe(503);
    expect(appliedBody).toMatch(STORAGE_FULL);
    expect(importedPeople(IMPORTED)).toBe(0);
    const cliFile = path.join(path.dirname(disk.dir), `f03-${process.pid}.csv`);
    fs.writeFileSync(cliFile, rosterOf("cli.example", 500));
    const cli = await staffroom(["users", "import", cliFile], { DATABASE_PATH: file });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/SQLITE_FULL/);
    expect(importedPeople("cli.example")).toBe(0);

    await sleep(1100); // /healthz probes at most once a second
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "unavailable", reason: "storage full" });
    expect(server.logs()).toContain("SQLITE_FULL");
    expect(server.logs()).toContain(file);

    // Space comes back: the same process recovers.
    const pid = server.pid;
    filled.free();
    await sleep(1100);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(
      (await completeLesson(sessions.get(learners[0]!)!, DRILL, lessonSlug(LESSONS))).status,
    ).toBe(302);
    const reapplied = await ada.post("/admin/import", { uploadId, digest });
    expect(reapplied.status).toBe(200);
    expect(importedPeople(IMPORTED)).toBe(2000);
    expect(server.pid).toBe(pid);
    expect(() => process.kill(pid, 0)).not.toThrow();

    expect(inspect(file, (db) => soundness(db, acked))).toEqual(SOUND);
    await figure(
      context,
      `${(filled.bytes / 1024 / 1024).toFixed(1)} MB filler; ${sent} completions sent: ` +
        `${acked.length} acknowledged (all present), ${failures.length} answered 503 storage full`,
    );
  });
});
