import { sql, type Kysely } from "kysely";

// Frozen once landed. The audit log of admin actions, the mail outbox, and roster files staged
// between their preview and their application.
export async function up(db: Kysely<any>): Promise<void> {
  // Append-only. Actor and subject are snapshots (id and email at the time) without foreign keys,
  // so the log outlives the people it names.
  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("actor_id", "integer")
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("subject_id", "integer")
    .addColumn("subject", "text")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .execute();
  await db.schema.createIndex("audit_log_action").on("audit_log").column("action").execute();
  await db.schema.createIndex("audit_log_subject").on("audit_log").column("subject_id").execute();
  // SQLite-only: triggers enforce the append-only rule in the database itself.
  await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);

  // Mail that was not sent through SMTP (no SMTP_URL, or the server refused it).
  await db.schema
    .createTable("outbox")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("delivery_error", "text")
    .execute();

  // A validated roster file waiting for the admin who previewed it to apply it.
  await db.schema
    .createTable("roster_uploads")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("uploaded_by", "integer", (c) =>
      c.notNull().references("users.id").onDelete("cascade"),
    )
    .addColumn("file_name", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
