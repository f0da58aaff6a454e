import type { Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
// Authoring in the browser: drafts (courses not yet published, lesson edits not yet published),
// the quiz each attempt answered, and the indexes the impact preview and question statistics read.
export async function up(db: Kysely<any>): Promise<void> {
  // A course created in the browser and not yet published: nothing is on disk until its first
  // publish writes COURSES_DIR/<slug>/, so learners and `courses sync` never see it.
  await db.schema
    .createTable("course_drafts")
    .addColumn("slug", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("sort_order", "integer", (c) => c.notNull())
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  // One draft per lesson. `base_version_id` is the published version the draft started from
  // (null: a lesson not published yet); `revision` counts saves. Publishing checks both inside
  // its write, so a second editor or a sync from disk in between is refused, never overwritten.
  await db.schema
    .createTable("lesson_drafts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("course_slug", "text", (c) => c.notNull())
    .addColumn("lesson_slug", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("base_version_id", "integer", (c) => c.references("lesson_versions.id"))
    .addColumn("revision", "integer", (c) => c.notNull())
    .addColumn("updated_by", "integer", (c) => c.references("users.id"))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("lesson_drafts_lesson", ["course_slug", "lesson_slug"])
    .execute();

  // Which quiz of the lesson an attempt answered (question ids repeat across quizzes). Earlier
  // attempts have none: a lesson has had one quiz at most so far.
  await db.schema.alterTable("quiz_attempts").addColumn("quiz_id", "text").execute();
  await db.schema
    .createIndex("quiz_attempts_lesson")
    .on("quiz_attempts")
    .columns(["lesson_id", "version_id", "user_id", "id"])
    .execute();

  // Who completed (or is part-way through) one lesson: the impact preview and the re-opening.
  await db.schema
    .createIndex("lesson_progress_lesson")
    .on("lesson_progress")
    .columns(["lesson_id", "completed_at"])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
