// One-time set-password links: invitations for people who have never logged in, resets for people
// who have. Only the token's hash is stored; the link is shown once to the admin and mailed.
import { appendAudit, type Actor } from "~/models/audit.server";
import { consumeToken, findLiveToken, issueToken } from "~/models/tokens.server";
import { findUserByEmail, getRosterPerson, setPasswordHash } from "~/models/users.server";
import { endAllSessions } from "~/services/session.server";
import { now } from "~/utils/clock.server";
import { writeTransaction } from "~/utils/db.server";
import { publicOrigin } from "~/utils/env.server";
import { hashPassword, passwordProblem } from "~/utils/password.server";
import { AccountError } from "./accounts.server";
import { sendMail, type Delivery } from "./mail.server";

const DAY_MS = 24 * 60 * 60 * 1000;
const TTL_MS = { invite: 7 * DAY_MS, reset: DAY_MS } as const;
type LinkPurpose = keyof typeof TTL_MS;

export interface IssuedLink {
  url: string;
  purpose: LinkPurpose;
  expiresAt: string;
  delivery: Delivery;
}

/**
 * Issues a set-password link (an invitation, or a reset for someone who already has a password),
 * audits it and mails it (or puts it in the outbox). Earlier links of the same kind stop working.
 */
export async function issueSetPasswordLink(actor: Actor, userId: number): Promise<IssuedLink> {
  // The link and its audit entry in one write; the mail after it, outside the transaction.
  const { person, purpose, url, expiresAt } = await writeTransaction(async () => {
    const person = await getRosterPerson(userId);
    if (!person) throw new AccountError("form", "There is no such person.");
    if (person.status !== "active") {
      throw new AccountError("form", `${person.name} is deactivated; reactivate them first.`);
    }
    const purpose: LinkPurpose = person.hasPassword ? "reset" : "invite";
    const token = await issueToken(purpose, userId, TTL_MS[purpose]);
    const expiresAt = new Date(now().getTime() + TTL_MS[purpose]).toISOString();
    await appendAudit(actor, [
      {
        action: "link.issued",
        subjectId: userId,
        subject: person.email,
        after: { purpose, expiresAt },
      },
    ]);
    return { person, purpose, url: `${publicOrigin()}/set-password/${token}`, expiresAt };
  });
  const until = `${expiresAt.slice(0, 16).replace("T", " ")} UTC`;
  const delivery = await sendMail(
    purpose === "invite"
      ? {
          to: person.email,
          subject: "Your Staffroom account",
          text: `Hello ${person.name},\n\nYou have been invited to Staffroom, where you will find your training courses.\nSet your password with this link (it works once, until ${until}):\n\n${url}\n`,
        }
      : {
          to: person.email,
          subject: "Reset your Staffroom password",
          text: `Hello ${person.name},\n\nAn administrator issued a link for setting a new Staffroom password.\nIt works once, until ${until}:\n\n${url}\n\nIf you did not ask for this, tell your administrator.\n`,
        },
  );
  return { url, purpose, expiresAt, delivery };
}

export async function inviteByEmail(actor: Actor, email: string): Promise<IssuedLink> {
  const user = await findUserByEmail(email);
  if (!user) throw new AccountError("email", `No person with the email ${email}.`);
  return issueSetPasswordLink(actor, user.id);
}

async function liveLink(token: string) {
  for (const purpose of ["invite", "reset"] as const) {
    const row = await findLiveToken(token, purpose);
    if (row?.user_id) {
      const person = await getRosterPerson(row.user_id);
      if (person?.status === "active") return { purpose, person };
    }
  }
  return null;
}

/** Who a live link is for, or null when it is unknown, used, expired or the person left. */
export async function setPasswordLinkFor(token: string) {
  const link = await liveLink(token);
  return link && { purpose: link.purpose, name: link.person.name, email: link.person.email };
}

/** Sets the password through a link (once), ending every earlier session. Returns the person's id. */
export async function setPasswordWithLink(token: string, password: string): Promise<number> {
  const problem = passwordProblem(password);
  if (problem) throw new AccountError("password", problem);
  const passwordHash = await hashPassword(password);
  return writeTransaction(async () => {
    const link = await liveLink(token);
    if (!link || !(await consumeToken(token, link.purpose))) {
      throw new AccountError(
        "form",
        "This link has expired or was already used. Ask your administrator for a new one.",
      );
    }
    await setPasswordHash(link.person.id, passwordHash);
    await endAllSessions(link.person.id);
    return link.person.id;
  });
}
