import { migrateToLatest } from "#db/migrate";
import { handlesFor } from "~/utils/db.server";

/** Migrates this test file's own database (see test/setup.ts) and returns its handles. */
export async function migratedDatabase() {
  const handles = handlesFor();
  await migrateToLatest();
  return handles;
}
