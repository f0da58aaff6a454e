import { consumeToken, findLiveToken } from "~/models/tokens.server";
import { appendAudit, type Actor } from "~/models/audit.server";
import {
  countUsers,
  createUser,
  findUserByEmail,
  normalizeEmail,
  setPasswordHash,
} from "~/models/users.server";
import { endAllSessions } from "~/services/session.server";
import { writeTransaction } from "~/utils/db.server";
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
  const passwordHash = await hashPassword(person.password);
  return writeTransaction(async () => {
    if (!(await isFirstAdminLinkLive(token)) || !(await consumeToken(token, "first-admin"))) {
      throw new AccountError(
        "form",
        "This set-up link has expired or was already used. Restart the server for a new one.",
      );
    }
    const id = await createUser({
      email: person.email,
      name: person.name,
      departmentId: null,
      isAdmin: true,
      passwordHash,
    });
    await appendAudit({ id, label: normalizeEmail(person.email) }, [
      {
        action: "person.created",
        subjectId: id,
        subject: normalizeEmail(person.email),
        after: { name: person.name, isAdmin: true, via: "first-admin link" },
      },
    ]);
    return id;
  });
}

/** Operators and scripts: `staffroom users set-password <email>`. */
export async function setPasswordByEmail(
  actor: Actor,
  email: string,
  password: string,
): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError("password", problem);
  const passwordHash = await hashPassword(password);
  await writeTransaction(async () => {
    const user = await findUserByEmail(email);
    if (!user) throw new AccountError("email", `No person with the email ${email}.`);
    await setPasswordHash(user.id, passwordHash);
    await endAllSessions(user.id);
    await appendAudit(actor, [{ action: "password.set", subjectId: user.id, subject: user.email }]);
  });
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
  const passwordHash = await hashPassword(next);
  await writeTransaction(async () => {
    await setPasswordHash(viewer.id, passwordHash);
    await endAllSessions(viewer.id);
  });
}
