import { Migrator, sql, type Kysely, type MigrationProvider } from "kysely";
import { handlesFor, writeTransaction, type DatabaseHandles } from "~/utils/db.server";
import { migrations } from "./migrations/index";
import { postgresMigrations } from "./migrations/postgres/index";

/** A session-level advisory lock (Staffroom's class, key 5) held while PostgreSQL migrates. */
const MIGRATION_LOCK = sql`7262301, 5`;

async function runMigrator(db: Kysely<any>, provider: MigrationProvider): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Migration ${failed} failed: ${String((error as Error).message ?? error)}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * Applies every pending migration in one transaction: all or nothing, and a second process or
 * server starting at the same time waits instead of migrating twice. SQLite: inside one write
 * transaction (the migrator's queries join it). PostgreSQL: the migrator's own transaction
 * (DDL is transactional there), on one connection holding an advisory lock from before the
 * migrator first looks at its tables.
 */
export async function migrateToLatest(on: DatabaseHandles = handlesFor()): Promise<string[]> {
  if (on.engine === "sqlite") {
    const provider: MigrationProvider = { getMigrations: async () => migrations };
    return writeTransaction(() => runMigrator(on.db, provider), { on });
  }
  const provider: MigrationProvider = { getMigrations: async () => postgresMigrations };
  return on.db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(connection);
    try {
      return await runMigrator(connection, provider);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(connection);
    }
  });
}
