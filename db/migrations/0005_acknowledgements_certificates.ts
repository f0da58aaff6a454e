import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
export async function up(db: Kysely<any>): Promise<void> {
  // Evidence of a confirmed <Acknowledge>: the exact statement and the version it was shown in.
  await db.schema
    .createTable("acknowledgements")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("lesson_id", "integer", (c) => c.notNull().references("lessons.id"))
    .addColumn("version_id", "integer", (c) => c.notNull().references("lesson_versions.id"))
    .addColumn("island_id", "text", (c) => c.notNull())
    .addColumn("statement_text", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("acknowledgements_user_lesson")
    .on("acknowledgements")
    .columns(["user_id", "lesson_id"])
    .execute();
  // SQLite-only: evidence is append-only, like the progress ledger.
  await sql`CREATE TRIGGER acknowledgements_no_update BEFORE UPDATE ON acknowledgements
    BEGIN SELECT RAISE(ABORT, 'acknowledgements is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER acknowledgements_no_delete BEFORE DELETE ON acknowledgements
    BEGIN SELECT RAISE(ABORT, 'acknowledgements is append-only'); END`.execute(db);

  // One row per course completion. Name, title and versions are a snapshot of what was completed.
  await db.schema
    .createTable("certificates")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("holder_name", "text", (c) => c.notNull())
    .addColumn("course_title", "text", (c) => c.notNull())
    .addColumn("course_version", "text", (c) => c.notNull())
    .addColumn("lesson_versions", "text", (c) => c.notNull())
    .addColumn("completed_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("certificates_user_course")
    .on("certificates")
    .columns(["user_id", "course_id"])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
