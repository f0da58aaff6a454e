import { sql } from "kysely";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { SYSTEM_ACTOR } from "~/models/audit.server";
import { FolderChanged, publishStaged, stageChange } from "~/services/course-files.server";
import { syncCourses } from "~/services/courses.server";
import { migratedDatabase, one } from "./helpers/db";

// The editor's publish checks and applies the whole course folder as it was staged: a change to
// any file of the course after staging (another process publishing, git) stops it, and nothing
// changes anywhere — not the database, not the files.

// The editor works in COURSES_DIR, read when the environment is first used.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-course-files-"));
process.env.COURSES_DIR = dir;

beforeAll(async () => {
  await migratedDatabase();
  fs.cpSync("test/fixtures/courses-quiz", dir, { recursive: true });
  expect((await syncCourses(dir)).errors).toEqual([]);
});

const versions = async () =>
  ((await one(sql`select count(*) n from lesson_versions`)) as { n: number }).n;
const listing = () => fs.readdirSync(path.join(dir, "safety")).sort();

describe("publishing a staged course folder", () => {
  test("a sibling file changed after staging stops the publish; nothing changes anywhere", async () => {
    const welcome = path.join(dir, "safety", "01-welcome.mdx");
    const before = fs.readFileSync(welcome, "utf8");
    const staged = await stageChange({
      course: "safety",
      write: { "01-welcome.mdx": before.replace("Welcome", "Welcome, STAGED") },
    });
    expect(staged.checked.errors).toEqual([]);
    const files = listing();
    const count = await versions();
    // Meanwhile another process publishes the policy lesson.
    const policy = path.join(dir, "safety", "03-policy.mdx");
    fs.writeFileSync(policy, fs.readFileSync(policy, "utf8").replace("Please", "Now please"));

    let published = false;
    await expect(
      publishStaged(staged, SYSTEM_ACTOR, async (publish) => {
        await publish();
        published = true;
        return { done: true };
      }),
    ).rejects.toBeInstanceOf(FolderChanged);
    expect(published).toBe(true); // the database write ran, and was rolled back
    expect(await versions()).toBe(count);
    expect(fs.readFileSync(welcome, "utf8")).toBe(before);
    expect(listing()).toEqual(files); // no temporary file left behind
  });

  test("a new lesson file appearing after staging stops it too", async () => {
    const staged = await stageChange({
      course: "safety",
      order: ["02-check.mdx", "01-welcome.mdx", "03-policy.mdx"],
    });
    fs.writeFileSync(
      path.join(dir, "safety", "04-extra.mdx"),
      "---\nid: extra\ntitle: Extra\nminutes: 1\n---\n\nMore.\n",
    );
    await expect(
      publishStaged(staged, SYSTEM_ACTOR, async (publish) => {
        await publish();
        return { done: true };
      }),
    ).rejects.toThrow(/04-extra\.mdx appeared/);
    expect(listing().filter((n) => n.endsWith(".mdx"))).toEqual([
      "01-welcome.mdx",
      "02-check.mdx",
      "03-policy.mdx",
      "04-extra.mdx",
      "course.mdx",
    ]);
  });
});
