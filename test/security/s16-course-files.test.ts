import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getCourseBySlug, listLessons } from "~/models/courses.server";
import { checkCourses, readCourseAsset, syncCourses } from "~/services/courses.server";
import { compileCount } from "~/services/mdx-compile.server";
import { migratedDatabase } from "../helpers/db";
import { hostileLessons, writeHostileCourse } from "../helpers/hostile-courses";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

// S16: no course file can run code or stop the server.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-s16-"));
const canary = path.join(tmp, "canary");
// readCourseAsset reads COURSES_DIR; env() is read when first used, after this line.
const assetsDir = path.join(tmp, "assets-courses");
process.env.COURSES_DIR = assetsDir;

/** A courses folder: the good fixture courses (alpha, beta) and the hostile course. */
function hostileFolder(name: string): string {
  const dir = path.join(tmp, name, "courses");
  fs.cpSync("test/fixtures/courses-good", dir, { recursive: true });
  writeHostileCourse(dir, canary);
  return dir;
}

function staffroom(args: string[]) {
  const result = spawnSync(process.execPath, ["bin/staffroom.js", ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `file:line:col message` line `courses check` and the server print for each hostile file. */
const hostileLines = (prefix: string) =>
  Object.entries(hostileLessons(canary)).map(([name, { at }]) => `${prefix}/hostile/${name}${at}`);

beforeAll(async () => {
  await migratedDatabase();
  await seedPeople([{ key: "reader", name: "Rae Reader" }]);
});

describe("courses check", () => {
  test("S16 courses check exits 1 naming each hostile file with line and column; nothing runs", () => {
    const dir = hostileFolder("check");
    const { code, stderr } = staffroom(["courses", "check", dir]);
    expect(code).toBe(1);
    for (const line of hostileLines("courses")) expect(stderr).toContain(line);
    expect(stderr).not.toMatch(/call stack|object Object/);
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe("the server", () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  test("S16 a server on hostile courses answers /healthz, serves the good courses and logs every refusal; a restart compiles nothing again", async () => {
    const dir = hostileFolder("server");
    server = await startServer({ COURSES_DIR: dir });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const logs = server.logs();
    for (const line of hostileLines("courses")) expect(logs).toContain(line);
    expect(logs).toContain("refused hostile (any version published before stays live)");
    expect(logs).toMatch(/Courses loaded: 2 courses, 3 lessons/);

    const reader = await loggedIn(server.url, "reader");
    const home = await (await reader.get("/")).text();
    expect(home).toContain("Alpha course");
    expect(home).not.toContain("Hostile");
    expect((await reader.get("/courses/alpha/first-steps")).status).toBe(200);
    expect((await reader.get("/courses/hostile")).status).toBe(404);
    await server.stop();

    // The failed compiles are remembered by content: the second start compiles nothing.
    server = await startServer({ COURSES_DIR: dir });
    expect(server.logs()).toContain(
      "0 compiled, 6 from the compile cache, 4 known failures not retried",
    );
    for (const line of hostileLines("courses")) expect(server.logs()).toContain(line);
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe("syncCourses", () => {
  test("S16 a course that turns hostile keeps its published version; its failed compiles are not retried", async () => {
    const dir = path.join(tmp, "sync", "courses");
    fs.cpSync("test/fixtures/courses-good", dir, { recursive: true });
    expect((await syncCourses(dir)).errors).toEqual([]);
    const alpha = (await getCourseBySlug("alpha"))!;
    const before = await listLessons(alpha.id);

    for (const [name, { source }] of Object.entries(hostileLessons(canary)))
      fs.writeFileSync(path.join(dir, "alpha", name), source);
    const first = await syncCourses(dir);
    expect(first.refused).toEqual(["alpha"]);
    expect(first.errors.map((e) => `${e.file}:${e.line}:${e.column}`)).toEqual(
      expect.arrayContaining(
        Object.keys(hostileLessons(canary)).map((n) => expect.stringContaining(`alpha/${n}:`)),
      ),
    );
    expect(await listLessons(alpha.id)).toEqual(before);

    const compiles = compileCount();
    const second = await syncCourses(dir);
    expect(compileCount()).toBe(compiles);
    expect(second).toMatchObject({ compiled: 0, knownFailures: 4, refused: ["alpha"] });
    expect(second.errors).toEqual(first.errors);
    expect(fs.existsSync(canary)).toBe(false);
  });
});

describe("symbolic links", () => {
  test("S16 a symlinked course folder, lesson file or image inside the courses folder is refused", async () => {
    const outside = path.join(tmp, "outside");
    fs.cpSync("test/fixtures/courses-quiz/safety", outside, { recursive: true });
    fs.cpSync("test/fixtures/courses-good", assetsDir, { recursive: true });
    fs.copyFileSync(path.join(outside, "sign.png"), path.join(assetsDir, "alpha", "real.png"));
    fs.symlinkSync(outside, path.join(assetsDir, "linked"));
    fs.symlinkSync(
      path.join(outside, "01-welcome.mdx"),
      path.join(assetsDir, "beta", "02-linked.mdx"),
    );
    fs.symlinkSync(path.join(outside, "sign.png"), path.join(assetsDir, "alpha", "linked.png"));

    const result = await checkCourses(assetsDir);
    expect(result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`)).toEqual([
      "assets-courses/alpha/linked.png:1:1 is a symbolic link: course files must be real files inside the course folder",
      "assets-courses/beta/02-linked.mdx:1:1 is a symbolic link: course files must be real files inside the course folder",
      "assets-courses/linked:1:1 is a symbolic link: course folders must be real folders inside the courses folder",
    ]);
    expect(result.refused).toEqual(["alpha", "beta", "linked"]);

    expect(await readCourseAsset("alpha", "real.png")).toMatchObject({ contentType: "image/png" });
    expect(await readCourseAsset("alpha", "linked.png")).toBeUndefined();
    expect(await readCourseAsset("linked", "sign.png")).toBeUndefined();
  });
});
