import { db, handlesFor } from "~/utils/db.server";
import {
  classifyDatabaseError,
  DatabaseUnavailable,
  noteDatabaseHealthy,
} from "~/utils/db-errors.server";

export type DatabaseHealth = { status: "ok" } | { status: "unavailable"; reason: string };

const PROBE_INTERVAL_MS = 1000;
let last: { at: number; health: DatabaseHealth } | undefined;

/**
 * Can the database take a write right now? A one-row write at most once a second; the answer
 * names the reason without details (the log has them).
 */
export async function databaseHealth(now = Date.now()): Promise<DatabaseHealth> {
  if (last && now - last.at < PROBE_INTERVAL_MS) return last.health;
  let health: DatabaseHealth = { status: "ok" };
  try {
    const at = new Date(now).toISOString();
    await db
      .insertInto("health_probe")
      .values({ id: 1, checked_at: at })
      .onConflict((oc) => oc.column("id").doUpdateSet({ checked_at: at }))
      .execute();
    noteDatabaseHealthy();
  } catch (error) {
    const file = (() => {
      try {
        return handlesFor().location;
      } catch {
        return "the database";
      }
    })();
    const classified = classifyDatabaseError(error, file);
    if (!(classified instanceof DatabaseUnavailable)) console.error(classified);
    health = {
      status: "unavailable",
      reason:
        classified instanceof DatabaseUnavailable
          ? classified.reason.replace("_", " ")
          : "database unavailable",
    };
  }
  last = { at: now, health };
  return health;
}
