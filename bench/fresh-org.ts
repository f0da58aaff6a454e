/**
 * A new, empty organisation in a temporary folder: migrated, with the small course fixtures of
 * the integration tests published (two lessons without a quiz, one with). Points this process's
 * DATABASE_PATH at it: call it before anything touches the database.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const FRESH_COURSES_DIR = path.resolve("test/fixtures/courses-integration");

export async function freshOrganisation(name: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `staffroom-bench-${name}-`));
  const databasePath = path.join(dir, `${name}.db`);
  process.env.DATABASE_PATH = databasePath;
  const { migrateToLatest } = await import("#db/migrate");
  const { syncCourses } = await import("~/services/courses.server");
  const { closeDatabase } = await import("~/utils/db.server");
  await migrateToLatest();
  const sync = await syncCourses(FRESH_COURSES_DIR);
  if (sync.errors.length > 0) throw new Error("The bench courses did not load.");
  return {
    databasePath,
    async remove() {
      await closeDatabase();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
