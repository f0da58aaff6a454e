/** Session rows: the SHA-256 of the cookie token, its person and its two limits. */
import type { SessionRecord as SessionRow, SessionStore } from "~/utils/auth.server";
import { db } from "~/utils/db.server";

async function insertSession(row: SessionRow): Promise<void> {
  await db
    .insertInto("sessions")
    .values({
      id: row.id,
      user_id: row.userId,
      expires_at: row.expiresAt,
      created_at: row.createdAt,
    })
    .execute();
}

async function findSession(id: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom("sessions")
    .select(["id", "user_id as userId", "expires_at as expiresAt", "created_at as createdAt"])
    .where("id", "=", id)
    .executeTakeFirst();
}

function listUserSessions(userId: number): Promise<SessionRow[]> {
  return db
    .selectFrom("sessions")
    .select(["id", "user_id as userId", "expires_at as expiresAt", "created_at as createdAt"])
    .where("user_id", "=", userId)
    .execute();
}

/** Moves the idle limit forward; never backward, so concurrent requests cannot shorten it. */
async function extendSession(id: string, expiresAt: number): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ expires_at: expiresAt })
    .where("id", "=", id)
    .where("expires_at", "<", expiresAt)
    .execute();
}

async function deleteSession(id: string): Promise<void> {
  await db.deleteFrom("sessions").where("id", "=", id).execute();
}

async function deleteUserSessions(userId: number): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

/** Sessions past their idle limit, or created before `createdBefore` (the absolute limit). */
async function deleteExpiredSessions(now: number, createdBefore: number): Promise<number> {
  const result = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("expires_at", "<=", now), eb("created_at", "<=", createdBefore)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export const sessionStore: SessionStore = {
  insertSession,
  findSession,
  listUserSessions,
  extendSession,
  deleteSession,
  deleteUserSessions,
  deleteExpiredSessions,
};
