import type { Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
export async function up(db: Kysely<any>): Promise<void> {
  // A source whose compile failed, keyed like compiled_mdx (source + compiler version), so a
  // pathological file is not compiled again at every start. Any edit gives it a new key.
  await db.schema
    .createTable("compile_failures")
    .addColumn("content_hash", "text", (c) => c.primaryKey())
    .addColumn("errors", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
