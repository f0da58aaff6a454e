import { Migrator, type MigrationProvider } from "kysely";
import { handlesFor, writeTransaction, type DatabaseHandles } from "~/utils/db.server";
import { migrations } from "./migrations/index";

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Applies every pending migration in one write transaction: all or nothing, and a second
 * process starting at the same time waits instead of migrating twice. (The migrator runs on
 * the plain handle; inside the transaction's scope its queries join the transaction.)
 */
export async function migrateToLatest(on: DatabaseHandles = handlesFor()): Promise<string[]> {
  return writeTransaction(async () => {
    const { error, results } = await new Migrator({ db: on.db, provider }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
      throw new Error(`Migration ${failed} failed: ${String((error as Error).message ?? error)}`);
    }
    return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
  }, on);
}
