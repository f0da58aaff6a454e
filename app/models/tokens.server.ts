import { db, writeTransaction } from "~/utils/db.server";
import { now, nowIso } from "~/utils/clock.server";
import { newToken, sha256Hex as hashToken } from "~/utils/crypto.server";
import type { OneTimeTokensTable } from "#db/schema";

type Purpose = OneTimeTokensTable["purpose"];

/** Issues a one-time link token; only its hash is stored. Earlier unused ones for the same purpose and person stop working. */
export async function issueToken(purpose: Purpose, userId: number | null, ttlMs: number) {
  const token = newToken();
  const stamp = nowIso();
  await writeTransaction(async () => {
    let expireOld = db
      .updateTable("one_time_tokens")
      .set({ used_at: stamp })
      .where("purpose", "=", purpose)
      .where("used_at", "is", null);
    expireOld =
      userId === null
        ? expireOld.where("user_id", "is", null)
        : expireOld.where("user_id", "=", userId);
    await expireOld.execute();
    await db
      .insertInto("one_time_tokens")
      .values({
        token_hash: hashToken(token),
        purpose,
        user_id: userId,
        expires_at: new Date(now().getTime() + ttlMs).toISOString(),
        used_at: null,
        created_at: stamp,
      })
      .execute();
  });
  return token;
}

/** The live token row, or undefined when it is unknown, used or expired. */
export function findLiveToken(token: string, purpose: Purpose) {
  return db
    .selectFrom("one_time_tokens")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", nowIso())
    .executeTakeFirst();
}

/** Marks a token used; false when another request got there first. */
export async function consumeToken(token: string, purpose: Purpose): Promise<boolean> {
  const result = await db
    .updateTable("one_time_tokens")
    .set({ used_at: nowIso() })
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", nowIso())
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Every unused link of these people stops working (call it in the deactivating write): a
 * deactivated person's invitation or reset link must not come back to life on reactivation.
 */
export async function revokeTokens(userIds: number[]) {
  if (userIds.length === 0) return;
  await db
    .updateTable("one_time_tokens")
    .set({ used_at: nowIso() })
    .where("user_id", "in", userIds)
    .where("used_at", "is", null)
    .execute();
}
