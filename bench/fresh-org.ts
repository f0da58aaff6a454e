/**
 * A new, empty organisation (bench/database.ts: a temporary SQLite file, or a new PostgreSQL
 * database under `--engine postgres`): migrated, with the small course fixtures of the
 * integration tests published (two lessons without a quiz, one with). Points this process at it:
 * call it before anything touches the database.
 */
import fs from "node:fs";
import path from "node:path";
import { newBenchDatabase } from "./database";

export const FRESH_COURSES_DIR = path.resolve("test/fixtures/courses-integration");

export async function freshOrganisation(name: string) {
  const location = await newBenchDatabase(name);
  const { migrateToLatest } = await import("#db/migrate");
  const { syncCourses } = await import("~/services/courses.server");
  const { closeDatabase, isPostgresUrl, switchDatabase } = await import("~/utils/db.server");
  await switchDatabase(location);
  await migrateToLatest();
  const sync = await syncCourses(FRESH_COURSES_DIR);
  if (sync.errors.length > 0) throw new Error("The bench courses did not load.");
  return {
    location,
    async remove() {
      await closeDatabase();
      if (!isPostgresUrl(location)) {
        fs.rmSync(path.dirname(location), { recursive: true, force: true });
      }
    },
  };
}
