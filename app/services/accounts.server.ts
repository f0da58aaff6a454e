import { consumeToken, findLiveToken } from "~/models/tokens.server";
import { countUsers, createUser, findUserByEmail, setPasswordHash } from "~/models/users.server";
import { endAllSessions } from "~/utils/auth.server";
import { hashPassword, passwordProblem } from "~/utils/password.server";
import { attemptLogin, retryMessage } from "./login.server";

export class AccountError extends Error {
  constructor(
    readonly field: "email" | "password" | "current" | "name" | "form",
    message: string,
  ) {
    super(message);
  }
}

export async function isFirstAdminLinkLive(token: string): Promise<boolean> {
  return Boolean(await findLiveToken(token, "first-admin")) && (await countUsers()) === 0;
}

/** Uses the one-time link printed at first start to create the first administrator. */
export async function createFirstAdmin(
  token: string,
  person: { name: string; email: string; password: string },
): Promise<number> {
  const problem = passwordProblem(person.password);
  if (problem) throw new AccountError("password", problem);
  if (!(await isFirstAdminLinkLive(token)) || !(await consumeToken(token, "first-admin"))) {
    throw new AccountError(
      "form",
      "This set-up link has expired or was already used. Restart the server for a new one.",
    );
  }
  return createUser({
    email: person.email,
    name: person.name,
    departmentId: null,
    isAdmin: true,
    passwordHash: await hashPassword(person.password),
  });
}

/** Operators and scripts: `staffroom users set-password <email>`. */
export async function setPasswordByEmail(email: string, password: string): Promise<void> {
  const user = await findUserByEmail(email);
  if (!user) throw new AccountError("email", `No person with the email ${email}.`);
  const problem = passwordProblem(password);
  if (problem) throw new AccountError("password", problem);
  await setPasswordHash(user.id, await hashPassword(password));
}

/**
 * A signed-in person changes their own password: the current one is checked like a login
 * (and throttled like one), and every session ends; the caller starts a fresh one.
 */
export async function changeOwnPassword(
  viewer: { id: number; email: string },
  current: string,
  next: string,
  clientIp: string,
): Promise<void> {
  const check = await attemptLogin(viewer.email, current, clientIp);
  if (!check.ok) {
    throw new AccountError(
      "current",
      check.reason === "throttled"
        ? retryMessage(check.retryAfterMs)
        : "That is not your current password.",
    );
  }
  const problem = passwordProblem(next);
  if (problem) throw new AccountError("password", problem);
  await setPasswordHash(viewer.id, await hashPassword(next));
  await endAllSessions(viewer.id);
}
