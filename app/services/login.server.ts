import {
  addFailures,
  forgetKey,
  readThrottle,
  rememberKey,
  type FailureRule,
} from "~/models/login-throttle.server";
import { findUserByEmail, normalizeEmail } from "~/models/users.server";
import { now } from "~/utils/clock.server";
import { sha256Hex } from "~/utils/crypto.server";
import { dummyPasswordHash, verifyPassword } from "~/utils/password.server";

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

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Failures allowed before attempts wait, the first wait, and its ceiling; each further failure
 * doubles the wait. The pair (one account from one address) is throttled tightly: that is a
 * guesser. The account from anywhere and the address across accounts (spraying) only loosely,
 * so that guessers elsewhere, or one guesser behind a proxy everyone shares (TRUST_PROXY unset),
 * can delay others by a minute at most and never lock them out. The address limit also never
 * delays an account that has logged in from that address before.
 */
export const THROTTLE = {
  pair: { free: 5, firstWaitMs: 30 * SECOND, maxWaitMs: 15 * MINUTE },
  account: { free: 20, firstWaitMs: SECOND, maxWaitMs: MINUTE },
  address: { free: 50, firstWaitMs: SECOND, maxWaitMs: MINUTE },
} as const;
/** A count is forgotten this long after its latest failure. */
const FAILURE_WINDOW_MS = HOUR;
/** How long a successful login keeps its account and address pair "known". */
const KNOWN_PAIR_MS = 30 * 24 * HOUR;

type Scope = keyof typeof THROTTLE;
const SCOPES = Object.keys(THROTTLE) as Scope[];

function waitAfter(scope: Scope, failures: number): number {
  const { free, firstWaitMs, maxWaitMs } = THROTTLE[scope];
  if (failures <= free) return 0;
  return Math.min(maxWaitMs, firstWaitMs * 2 ** Math.min(failures - free - 1, 30));
}

/** Hashed keys: the throttle table holds neither emails nor addresses. */
function throttleKeys(account: string, address: string) {
  const key = (...parts: string[]) => sha256Hex(parts.join("\n"));
  return {
    pair: key("pair", account, address),
    account: key("account", account),
    address: key("address", address),
    known: key("known", account, address),
  };
}

/**
 * Checks a password. Unknown emails, deactivated people and wrong passwords all get the same
 * answer after the same work, and the throttle treats every email alike, so neither the answer
 * nor its timing reveals who has an account.
 */
export async function attemptLogin(
  email: string,
  password: string,
  clientIp: string,
): Promise<LoginResult> {
  const keys = throttleKeys(normalizeEmail(email), clientIp);
  const nowMs = now().getTime();
  const state = await readThrottle(Object.values(keys), nowMs);
  const scopes: Scope[] = state.has(keys.known) ? ["pair", "account"] : SCOPES;
  const retryAfterMs = Math.max(
    0,
    ...scopes.map((s) => (state.get(keys[s])?.blockedUntil ?? 0) - nowMs),
  );
  if (retryAfterMs > 0) return { ok: false, reason: "throttled", retryAfterMs };

  const user = await findUserByEmail(email);
  const storedHash = user?.status === "active" ? user.password_hash : null;
  const valid = await verifyPassword(storedHash ?? (await dummyPasswordHash()), password);
  if (!user || !storedHash || !valid) {
    const rules: FailureRule[] = SCOPES.map((scope) => ({
      key: keys[scope],
      windowMs: FAILURE_WINDOW_MS,
      delayAfter: (failures) => waitAfter(scope, failures),
    }));
    await addFailures(rules, now().getTime());
    return { ok: false, reason: "invalid" };
  }
  await forgetKey(keys.pair);
  await rememberKey(keys.known, now().getTime() + KNOWN_PAIR_MS);
  return { ok: true, userId: user.id };
}

/** "Try again in 30 seconds" / "in 2 minutes": how a throttled login is told to wait. */
export function retryMessage(retryAfterMs: number): string {
  const seconds = Math.ceil(retryAfterMs / SECOND);
  const wait =
    seconds < 90
      ? `${seconds} ${seconds === 1 ? "second" : "seconds"}`
      : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed attempts. Try again in ${wait}.`;
}
