import type { Kysely } from "kysely";

// Frozen once landed. A completion can be re-opened (the lesson changed in what it assesses, or a
// recurring assignment started a new cycle); these columns say since when, for the summary rows.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("lesson_progress").addColumn("stale_since", "text").execute();
  await db.schema.alterTable("course_progress").addColumn("stale_since", "text").execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
