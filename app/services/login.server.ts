import { findUserByEmail, normalizeEmail } from "~/models/users.server";
import { dummyPasswordHash, verifyPassword } from "~/utils/password.server";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "~/utils/rate-limit.server";

export type LoginResult =
  | { ok: true; userId: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterMs: number };

/**
 * The one answer to every failed login. It cannot say "you have not accepted your invitation yet"
 * to that person alone without telling anyone which emails are invited, so it says it to everyone.
 */
export const FAILED_LOGIN_MESSAGE =
  "That email and password do not match an active account. Invited but not set a password yet? " +
  "Use the link in your invitation (or ask your administrator for a new one) first.";

/**
 * Checks a password. Unknown emails, deactivated people and wrong passwords all get the same
 * answer after the same work, so the form does not reveal who has an account.
 */
export async function attemptLogin(
  email: string,
  password: string,
  clientIp: string,
): Promise<LoginResult> {
  const keys = { account: normalizeEmail(email), address: clientIp };
  const retryAfterMs = loginRetryAfter(keys);
  if (retryAfterMs > 0) return { ok: false, reason: "throttled", retryAfterMs };

  const user = await findUserByEmail(email);
  const storedHash = user?.status === "active" ? user.password_hash : null;
  const valid = await verifyPassword(storedHash ?? (await dummyPasswordHash()), password);
  if (!user || !storedHash || !valid) {
    recordLoginFailure(keys);
    return { ok: false, reason: "invalid" };
  }
  clearLoginFailures(keys.account);
  return { ok: true, userId: user.id };
}
