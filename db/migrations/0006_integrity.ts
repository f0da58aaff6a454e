import { sql, type Kysely } from "kysely";

// Frozen once landed: add a new migration instead of editing this one.
// Invariants the database holds itself, whoever writes: at least one active admin, no manager
// cycles, append-only evidence; the "managers" rule audience; bookkeeping for jobs and health.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite-only: the last active admin cannot be demoted, deactivated or deleted.
  const noOtherAdmin = sql`NOT EXISTS (SELECT 1 FROM users
      WHERE is_admin = 1 AND status = 'active' AND id <> OLD.id)`;
  await sql`CREATE TRIGGER users_keep_an_admin BEFORE UPDATE OF is_admin, status ON users
    WHEN OLD.is_admin = 1 AND OLD.status = 'active'
      AND NOT (NEW.is_admin = 1 AND NEW.status = 'active') AND ${noOtherAdmin}
    BEGIN SELECT RAISE(ABORT, 'invariant: at least one active administrator'); END`.execute(db);
  await sql`CREATE TRIGGER users_keep_an_admin_on_delete BEFORE DELETE ON users
    WHEN OLD.is_admin = 1 AND OLD.status = 'active' AND ${noOtherAdmin}
    BEGIN SELECT RAISE(ABORT, 'invariant: at least one active administrator'); END`.execute(db);

  // SQLite-only: nobody manages themselves, directly or through a chain.
  await sql`CREATE TRIGGER users_no_manager_cycle BEFORE UPDATE OF manager_id ON users
    WHEN NEW.manager_id IS NOT NULL AND (NEW.manager_id = NEW.id OR EXISTS (
      WITH RECURSIVE chain(id) AS (
        SELECT NEW.manager_id
        UNION SELECT u.manager_id FROM users u JOIN chain ON u.id = chain.id
          WHERE u.manager_id IS NOT NULL)
      SELECT 1 FROM chain WHERE id = NEW.id))
    BEGIN SELECT RAISE(ABORT, 'invariant: no manager cycles'); END`.execute(db);

  // SQLite-only: certificates and quiz attempts are evidence, like the ledger.
  for (const table of ["certificates", "quiz_attempts"]) {
    await sql`CREATE TRIGGER ${sql.raw(`${table}_no_update`)} BEFORE UPDATE ON ${sql.table(table)}
      BEGIN SELECT RAISE(ABORT, ${sql.lit(`${table} is append-only`)}); END`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`${table}_no_delete`)} BEFORE DELETE ON ${sql.table(table)}
      BEGIN SELECT RAISE(ABORT, ${sql.lit(`${table} is append-only`)}); END`.execute(db);
  }

  // The "managers" audience (everyone with active reports). SQLite cannot alter a CHECK, so the
  // rule tables are rebuilt; the people table first, so no cascade ever fires.
  await db.schema
    .createTable("assignment_rules_next")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("course_id", "integer", (c) => c.references("courses.id"))
    .addColumn("audience", "text", (c) => c.notNull())
    .addColumn("department_id", "integer", (c) => c.references("departments.id"))
    .addColumn("role", "text")
    .addColumn("due_days", "integer", (c) => c.notNull())
    .addColumn("recur_months", "integer")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addCheckConstraint(
      "assignment_rules_audience",
      sql`audience in ('everyone', 'department', 'role', 'managers', 'people')`,
    )
    .addCheckConstraint(
      "assignment_rules_target",
      sql`(audience = 'department') = (department_id is not null)
        and (audience = 'role') = (role is not null)
        and (role is null or role in ('admin', 'leader'))`,
    )
    .addCheckConstraint("assignment_rules_due_days", sql`due_days between 0 and 3650`)
    .addCheckConstraint(
      "assignment_rules_recur",
      sql`recur_months is null or recur_months between 1 and 120`,
    )
    .execute();
  await sql`INSERT INTO assignment_rules_next SELECT * FROM assignment_rules`.execute(db);
  await db.schema
    .createTable("assignment_rule_people_next")
    .addColumn("rule_id", "integer", (c) =>
      c.notNull().references("assignment_rules_next.id").onDelete("cascade"),
    )
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("assignment_rule_people_pk", ["rule_id", "user_id"])
    .execute();
  await sql`INSERT INTO assignment_rule_people_next SELECT * FROM assignment_rule_people`.execute(
    db,
  );
  await db.schema.dropTable("assignment_rule_people").execute();
  await db.schema.dropTable("assignment_rules").execute();
  // Renaming also rewrites the people table's reference to the new name.
  await db.schema.alterTable("assignment_rules_next").renameTo("assignment_rules").execute();
  await db.schema
    .alterTable("assignment_rule_people_next")
    .renameTo("assignment_rule_people")
    .execute();

  // Periodic jobs (recompute, session purge, reminders) run once across all processes.
  await db.schema
    .createTable("job_runs")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("holder", "text", (c) => c.notNull())
    .addColumn("started_at", "text", (c) => c.notNull())
    .execute();

  // A one-row table that /healthz writes, to know that writes still work.
  await db.schema
    .createTable("health_probe")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("checked_at", "text", (c) => c.notNull())
    .execute();

  // Settings the database must remember: the time zone its due instants were computed in.
  await db.schema
    .createTable("settings")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
  // Until now every due instant was midnight UTC.
  await db.insertInto("settings").values({ key: "due_time_zone", value: "UTC" }).execute();
}

export async function down(): Promise<void> {
  throw new Error("Migrations are forward-only: restore a backup to go back.");
}
