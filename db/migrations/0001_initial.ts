import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("departments")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .execute();

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("department_id", "integer", (c) => c.references("departments.id"))
    .addColumn("title", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("manager_id", "integer", (c) => c.references("users.id"))
    .addColumn("is_admin", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("is_leader", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("hired_on", "text")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("password_hash", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("users_status", sql`status in ('active', 'deactivated')`)
    .execute();
  await db.schema.createIndex("users_manager").on("users").column("manager_id").execute();
  await db.schema.createIndex("users_department").on("users").column("department_id").execute();

  // Shape required by lucia's SQLite adapter; `id` holds the SHA-256 of the cookie token.
  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  // One-time links (first admin, invitations, password resets); only the hash is stored.
  await db.schema
    .createTable("one_time_tokens")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("cascade"))
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // Compiled MDX keyed by the hash of (source + compiler version): compile once, render once.
  await db.schema
    .createTable("compiled_mdx")
    .addColumn("content_hash", "text", (c) => c.primaryKey())
    .addColumn("html_segments", "text", (c) => c.notNull())
    .addColumn("islands", "text", (c) => c.notNull())
    .addColumn("answer_key", "text", (c) => c.notNull())
    .addColumn("assessed_hash", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("courses")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("slug", "text", (c) => c.notNull().unique())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .addColumn("intro_hash", "text", (c) => c.notNull().references("compiled_mdx.content_hash"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("published"))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint("courses_status", sql`status in ('published', 'archived')`)
    .execute();

  await db.schema
    .createTable("lessons")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("slug", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("minutes", "integer", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("current_version_id", "integer")
    // Quiz attempt limit from the lesson's frontmatter (`attempts`); null = unlimited.
    .addColumn("max_attempts", "integer")
    // Completions made on a version older than this one are stale (assessed content changed,
    // or a version was published with `retake: required`).
    .addColumn("valid_from_version_id", "integer")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("published"))
    .addUniqueConstraint("lessons_course_slug", ["course_id", "slug"])
    .addCheckConstraint("lessons_status", sql`status in ('published', 'archived')`)
    .execute();

  // Every published version is kept.
  await db.schema
    .createTable("lesson_versions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("lesson_id", "integer", (c) => c.notNull().references("lessons.id"))
    .addColumn("content_hash", "text", (c) => c.notNull().references("compiled_mdx.content_hash"))
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("has_quiz", "integer", (c) => c.notNull())
    .addColumn("retake_required", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("published_at", "text", (c) => c.notNull())
    .addColumn("published_by", "integer", (c) => c.references("users.id"))
    .execute();
  await db.schema
    .createIndex("lesson_versions_lesson")
    .on("lesson_versions")
    .columns(["lesson_id", "content_hash"])
    .execute();

  // Append-only ledger: corrections are new events.
  await db.schema
    .createTable("progress_events")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("lesson_id", "integer", (c) => c.references("lessons.id"))
    .addColumn("version_id", "integer", (c) => c.references("lesson_versions.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("data", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("progress_events_user")
    .on("progress_events")
    .columns(["user_id", "course_id"])
    .execute();
  // SQLite-only: triggers enforce the append-only rule in the database itself.
  await sql`CREATE TRIGGER progress_events_no_update BEFORE UPDATE ON progress_events
    BEGIN SELECT RAISE(ABORT, 'progress_events is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER progress_events_no_delete BEFORE DELETE ON progress_events
    BEGIN SELECT RAISE(ABORT, 'progress_events is append-only'); END`.execute(db);

  // Summary rows, written in the same transaction as each event, so reports never scan events.
  await db.schema
    .createTable("lesson_progress")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("lesson_id", "integer", (c) => c.notNull().references("lessons.id"))
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("version_id", "integer", (c) => c.references("lesson_versions.id"))
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .addPrimaryKeyConstraint("lesson_progress_pk", ["user_id", "lesson_id"])
    .execute();

  await db.schema
    .createTable("course_progress")
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("course_id", "integer", (c) => c.notNull().references("courses.id"))
    .addColumn("lessons_completed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("started_at", "text", (c) => c.notNull())
    .addColumn("completed_at", "text")
    .addColumn("last_activity_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("course_progress_pk", ["user_id", "course_id"])
    .execute();
  await db.schema
    .createIndex("course_progress_course")
    .on("course_progress")
    .columns(["course_id", "completed_at"])
    .execute();

  await db.schema
    .createTable("quiz_attempts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("lesson_id", "integer", (c) => c.notNull().references("lessons.id"))
    .addColumn("version_id", "integer", (c) => c.notNull().references("lesson_versions.id"))
    .addColumn("answers", "text", (c) => c.notNull())
    .addColumn("score", "real", (c) => c.notNull())
    .addColumn("passed", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("quiz_attempts_user_lesson")
    .on("quiz_attempts")
    .columns(["user_id", "lesson_id"])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
