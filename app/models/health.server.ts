import { sql } from "kysely";
import { db } from "~/utils/db.server";

export async function databaseHealth(): Promise<{ status: "ok" | "unavailable"; detail?: string }> {
  try {
    await sql`select count(*) from users`.execute(db);
    return { status: "ok" };
  } catch (error) {
    return {
      status: "unavailable",
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}
