// Failed-login counters in the database, so that every worker process shares them. Keys are
// opaque hashes chosen by the login service; times are epoch milliseconds from the app clock.
import { db, writeTransaction } from "~/utils/db.server";

export interface ThrottleState {
  failures: number;
  blockedUntil: number;
}

/** The live (unexpired) counters among these keys. */
export async function readThrottle(keys: string[], nowMs: number) {
  const rows = await db
    .selectFrom("login_throttle")
    .select(["key", "failures", "blocked_until"])
    .where("key", "in", keys)
    .where("expires_at", ">", nowMs)
    .execute();
  return new Map<string, ThrottleState>(
    rows.map((r) => [r.key, { failures: r.failures, blockedUntil: r.blocked_until }]),
  );
}

export interface FailureRule {
  key: string;
  /** How long the count is remembered after the latest failure. */
  windowMs: number;
  /** How long to refuse attempts after the nth failure in a row (0: not at all). */
  delayAfter: (failures: number) => number;
}

/**
 * Counts one more failure under each key, in one transaction: an expired count starts again at
 * one. Expired rows of every key are purged on the way, so the table only holds live counters.
 */
export async function addFailures(rules: FailureRule[], nowMs: number): Promise<void> {
  await writeTransaction(async (trx) => {
    await trx.deleteFrom("login_throttle").where("expires_at", "<=", nowMs).execute();
    const current = new Map(
      (
        await trx
          .selectFrom("login_throttle")
          .select(["key", "failures"])
          .where(
            "key",
            "in",
            rules.map((r) => r.key),
          )
          .execute()
      ).map((r) => [r.key, r.failures]),
    );
    for (const rule of rules) {
      const failures = (current.get(rule.key) ?? 0) + 1;
      const values = {
        failures,
        blocked_until: nowMs + rule.delayAfter(failures),
        expires_at: nowMs + rule.windowMs,
      };
      await trx
        .insertInto("login_throttle")
        .values({ key: rule.key, ...values })
        .onConflict((oc) => oc.column("key").doUpdateSet(values))
        .execute();
    }
  });
}

/** Remembers a key without failures (a known account and address pair) until `expiresAt`. */
export async function rememberKey(key: string, expiresAt: number): Promise<void> {
  const values = { failures: 0, blocked_until: 0, expires_at: expiresAt };
  await db
    .insertInto("login_throttle")
    .values({ key, ...values })
    .onConflict((oc) => oc.column("key").doUpdateSet(values))
    .execute();
}

export async function forgetKey(key: string): Promise<void> {
  await db.deleteFrom("login_throttle").where("key", "=", key).execute();
}
