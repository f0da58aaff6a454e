import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
// Login throttle counters shared by every worker, and the one door through the append-only rule
// that `staffroom users erase` (and the admin page's erase) may open.
export async function up(db: Kysely<any>): Promise<void> {
  // Keys are SHA-256 hashes of (scope, account, address): no email or address is stored here.
  // Times are milliseconds since the epoch.
  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("blocked_until", "integer", (c) => c.notNull())
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("login_throttle_expires")
    .on("login_throttle")
    .column("expires_at")
    .execute();

  // A row exists only inside the transaction that erases one person (see services/privacy): the
  // append-only triggers below let that transaction, and no other, rewrite its rows.
  await db.schema
    .createTable("erasure_in_progress")
    .addColumn("user_id", "integer", (c) => c.primaryKey())
    .execute();

  // SQLite-only. Recreated with the erasure exception; DROP IF EXISTS, so that this works
  // whichever of the migrations that add certificates and quiz_attempts triggers ran first.
  for (const table of [
    "progress_events",
    "audit_log",
    "acknowledgements",
    "certificates",
    "quiz_attempts",
  ]) {
    for (const [suffix, event] of [
      ["no_update", "UPDATE"],
      ["no_delete", "DELETE"],
    ] as const) {
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${table}_${suffix}`)}`.execute(db);
      await sql`CREATE TRIGGER ${sql.raw(`${table}_${suffix}`)} BEFORE ${sql.raw(event)}
        ON ${sql.raw(table)} WHEN NOT EXISTS (SELECT 1 FROM erasure_in_progress)
        BEGIN SELECT RAISE(ABORT, ${sql.lit(`${table} is append-only`)}); END`.execute(db);
    }
  }
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
