// A person's right to their data (export) and to be forgotten (erase), for the CLI and the admin
// person page. See README, "Design decisions: erasing a person".
import { appendAudit, type Actor } from "~/models/audit.server";
import { eraseInOneTransaction, personalRows, type Mention } from "~/models/personal-data.server";
import {
  countActiveAdmins,
  countUsersNamed,
  findUserByEmail,
  getRosterPerson,
  type RosterPerson,
} from "~/models/users.server";
import { nowIso } from "~/utils/clock.server";
import { withScrubbedDeletes } from "~/utils/db-maintenance.server";

export class PrivacyError extends Error {}

/** The anonymous row that replaces an erased person; its id keeps organisation records whole. */
export const anonymousPerson = (id: number) => ({
  email: `erased-${id}@erased.invalid`,
  name: `Erased person ${id}`,
});

/** A person by email (the command line) or by id (the admin page). */
async function requirePerson(who: string | number): Promise<RosterPerson> {
  const id = typeof who === "number" ? who : (await findUserByEmail(who))?.id;
  const person = id === undefined ? undefined : await getRosterPerson(id);
  if (!person) {
    throw new PrivacyError(
      typeof who === "number" ? "There is no such person." : `No person with the email ${who}.`,
    );
  }
  return person;
}

/** Everything held about one person, as one JSON-ready object. The export itself is audited. */
export async function exportPerson(actor: Actor, who: string | number) {
  const person = await requirePerson(who);
  const exported = {
    exportedAt: nowIso(),
    person: {
      email: person.email,
      name: person.name,
      department: person.department,
      title: person.title,
      managerEmail: person.managerEmail,
      isAdmin: person.isAdmin,
      isLeader: person.isLeader,
      hiredOn: person.hiredOn,
      status: person.status,
      hasPassword: person.hasPassword,
    },
    tables: await personalRows(person.id, person.email),
  };
  await appendAudit(actor, [
    { action: "person.exported", subjectId: person.id, subject: person.email },
  ]);
  return exported;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** What may not touch a mention on either side: an email inside a longer one is someone else's. */
const BOUNDS = {
  name: { before: "[\\p{L}\\p{N}]", after: "[\\p{L}\\p{N}]" },
  email: { before: "[\\p{L}\\p{N}._%+-]", after: "[\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}]" },
};

/** A whole mention (not part of a longer name or address), in any case, as written and as JSON. */
function mentionsOf(text: string, replacement: string, bounds: keyof typeof BOUNDS): Mention[] {
  const { before, after } = BOUNDS[bounds];
  const forms = [...new Set([text, JSON.stringify(text).slice(1, -1)])];
  return forms.map((form) => {
    const pattern = new RegExp(`(?<!${before})${escapeRegExp(form)}(?!${after})`, "giu");
    return {
      text: form,
      replace: (value) => value.replace(pattern, replacement),
    };
  });
}

export interface ErasureReport {
  anonymous: { email: string; name: string };
  /** Rows deleted or rewritten, per table. */
  touched: Record<string, number>;
  /** False when the person's name is shared with someone else and was left in free text. */
  nameReplaced: boolean;
  /** False when the deleted bytes may still be in the database's files (see withScrubbedDeletes). */
  scrubbed: boolean;
}

/**
 * Erases a person: their own records go, their row becomes anonymous, and their name and email
 * are replaced wherever free text mentions them, the append-only ledger and audit log included,
 * so that the old bytes leave the database's files (db.server.ts, withScrubbedDeletes). Refused for the last active
 * admin, for someone who still manages people, and for oneself.
 */
export async function erasePerson(actor: Actor, who: string | number): Promise<ErasureReport> {
  const person = await requirePerson(who);
  if (actor.id === person.id) throw new PrivacyError("You cannot erase yourself.");
  if (person.isAdmin && person.status === "active" && (await countActiveAdmins()) <= 1) {
    throw new PrivacyError("This is the last active admin; make someone else an admin first.");
  }
  if (person.hasReports) {
    throw new PrivacyError(
      `${person.name} still manages people; give their reports another manager first.`,
    );
  }
  const anonymous = anonymousPerson(person.id);
  // A name someone else also has cannot be told apart in free text: it stays there.
  const nameReplaced = (await countUsersNamed(person.name)) === 1;
  const mentions = [
    ...mentionsOf(person.email, anonymous.email, "email"),
    ...(nameReplaced ? mentionsOf(person.name, anonymous.name, "name") : []),
  ];
  const { result: touched, scrubbed } = await withScrubbedDeletes(() =>
    eraseInOneTransaction(
      {
        userId: person.id,
        anonymous,
        mentions,
        audit: {
          action: "person.erased",
          subjectId: person.id,
          subject: anonymous.email,
          after: { erasedAt: nowIso() },
        },
      },
      actor,
    ),
  );
  return { anonymous, touched, nameReplaced, scrubbed };
}
