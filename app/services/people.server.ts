// The roster changes one write at a time: an admin's edit, a deactivation or reactivation, an
// import. Each is checked, written, audited, has its sessions ended and its assignments
// recomputed in ONE write transaction; the database itself refuses a manager cycle or a
// roster without an active admin, whoever writes.
import { appendAudit, type Actor, type AuditEntry } from "~/models/audit.server";
import {
  countActiveAdmins,
  findUserByEmail,
  getRosterPerson,
  reportIds,
  writeRoster,
  type PersonUpdate,
  type PersonValues,
  type RosterPerson,
  type RosterWrite,
} from "~/models/users.server";
import { revokeTokens } from "~/models/tokens.server";
import { recomputeAssignments } from "~/services/assignments.server";
import { endAllSessions } from "~/services/session.server";
import { brokenInvariant } from "~/utils/db-errors.server";
import { refreshPlannerStatistics, writeTransaction } from "~/utils/db.server";

export class PersonError extends Error {
  constructor(
    readonly field: keyof PersonValues | "form",
    message: string,
  ) {
    super(message);
  }
}

const LAST_ADMIN = "This is the last active admin; make someone else an admin first.";

const ROSTER_FIELDS: (keyof PersonValues)[] = [
  "name",
  "department",
  "title",
  "managerEmail",
  "isAdmin",
  "isLeader",
  "hiredOn",
];
const ROLE_FIELDS = new Set<keyof PersonValues>(["isAdmin", "isLeader"]);

/** The fields that differ between a person's current and next values (department names ignore case). */
export function diffPerson(
  current: PersonValues,
  next: PersonValues,
  fields: (keyof PersonValues)[] = ROSTER_FIELDS,
): Pick<PersonUpdate, "before" | "after"> | null {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const field of fields) {
    const a = current[field];
    const b = next[field];
    const same =
      field === "department"
        ? String(a ?? "").toLowerCase() === String(b ?? "").toLowerCase()
        : a === b;
    if (!same) {
      before[field] = a;
      after[field] = b;
    }
  }
  return Object.keys(after).length > 0
    ? { before: before as Partial<PersonValues>, after: after as Partial<PersonValues> }
    : null;
}

function pick(values: Partial<PersonValues>, roles: boolean): Partial<PersonValues> | null {
  const entries = Object.entries(values).filter(
    ([key]) => ROLE_FIELDS.has(key as keyof PersonValues) === roles,
  );
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

/** The audit entries of a roster write: one per person created, changed, (de)activated. */
function auditEntries(write: RosterWrite, createdIds: Map<string, number>): AuditEntry[] {
  const entries: AuditEntry[] = write.creates.map((p) => ({
    action: "person.created",
    subjectId: createdIds.get(p.email) ?? null,
    subject: p.email,
    after: { ...p },
  }));
  for (const u of write.updates) {
    const fields = pick(u.after, false);
    if (fields) {
      entries.push({
        action: "person.updated",
        subjectId: u.id,
        subject: u.email,
        before: pick(u.before, false),
        after: fields,
      });
    }
    const roles = pick(u.after, true);
    if (roles) {
      entries.push({
        action: "person.roles_changed",
        subjectId: u.id,
        subject: u.email,
        before: pick(u.before, true),
        after: roles,
      });
    }
  }
  for (const change of write.statusChanges) {
    entries.push({
      action: change.status === "active" ? "person.reactivated" : "person.deactivated",
      subjectId: change.id,
      subject: change.email,
      before: { status: change.status === "active" ? "deactivated" : "active" },
      after: { status: change.status },
    });
  }
  return entries;
}

/** A roster change this large makes PostgreSQL's planner statistics stale (see db.server.ts). */
const MANY_PEOPLE = 500;

/**
 * Writes a roster change with its audit entries, ends the sessions of everyone it deactivates
 * and recomputes assignments: all in the caller's write transaction (or a new one).
 */
export function changeRoster(actor: Actor, write: RosterWrite, summary?: AuditEntry) {
  return writeTransaction(async () => {
    try {
      const created = await writeRoster(write);
      const entries = auditEntries(write, created);
      await appendAudit(actor, summary ? [summary, ...entries] : entries);
    } catch (error) {
      const invariant = brokenInvariant(error);
      if (invariant === "last_admin") throw new PersonError("isAdmin", LAST_ADMIN);
      if (invariant === "manager_cycle")
        throw new PersonError("managerEmail", "These people would manage each other in a circle.");
      throw error;
    }
    const leaving = write.statusChanges.filter((c) => c.status === "deactivated").map((c) => c.id);
    for (const id of leaving) await endAllSessions(id);
    await revokeTokens(leaving);
    if (write.creates.length + write.updates.length >= MANY_PEOPLE) {
      await refreshPlannerStatistics(["users", "departments"]);
    }
    await recomputeAssignments();
  });
}

async function requirePerson(id: number): Promise<RosterPerson> {
  const person = await getRosterPerson(id);
  if (!person) throw new PersonError("form", "There is no such person.");
  return person;
}

/** Saves an admin's edit of one person; returns false when nothing changed. */
export function editPerson(actor: Actor, id: number, next: PersonValues): Promise<boolean> {
  // Every check reads inside the write: what it checks cannot change before the commit.
  return writeTransaction(async () => {
    const person = await requirePerson(id);
    if (next.email !== person.email) {
      const other = await findUserByEmail(next.email);
      if (other) throw new PersonError("email", `${next.email} already belongs to ${other.name}.`);
    }
    if (next.managerEmail) {
      const manager = await findUserByEmail(next.managerEmail);
      if (!manager) {
        throw new PersonError("managerEmail", `No person with the email ${next.managerEmail}.`);
      }
      if (manager.id === id)
        throw new PersonError("managerEmail", "A person cannot manage themselves.");
      if (manager.status !== "active") {
        throw new PersonError(
          "managerEmail",
          `${manager.name} is deactivated; choose an active manager.`,
        );
      }
      if ((await reportIds(id)).includes(manager.id)) {
        throw new PersonError(
          "managerEmail",
          `${manager.name} reports to ${person.name}; they cannot also be ${person.name}'s manager.`,
        );
      }
    }
    if (actor.id === id && person.isAdmin && !next.isAdmin) {
      throw new PersonError("isAdmin", "You cannot remove your own admin role; ask another admin.");
    }
    if (person.isAdmin && !next.isAdmin && person.status === "active") {
      if ((await countActiveAdmins()) <= 1) throw new PersonError("isAdmin", LAST_ADMIN);
    }
    const diff = diffPerson(person, next, ["email", ...ROSTER_FIELDS]);
    if (!diff) return false;
    await changeRoster(actor, {
      creates: [],
      updates: [{ id, email: person.email, ...diff }],
      statusChanges: [],
    });
    return true;
  });
}

/** Deactivates (ending every session at once) or reactivates a person; their history stays. */
export function setPersonStatus(
  actor: Actor,
  id: number,
  status: "active" | "deactivated",
): Promise<void> {
  return writeTransaction(async () => {
    const person = await requirePerson(id);
    if (person.status === status) return;
    if (status === "deactivated") {
      if (actor.id === id) throw new PersonError("form", "You cannot deactivate yourself.");
      if (person.isAdmin && (await countActiveAdmins()) <= 1) {
        throw new PersonError("form", LAST_ADMIN);
      }
    }
    await changeRoster(actor, {
      creates: [],
      updates: [],
      statusChanges: [{ id, email: person.email, status }],
    });
  });
}

export async function deactivateByEmail(actor: Actor, email: string): Promise<RosterPerson> {
  const user = await findUserByEmail(email);
  if (!user) throw new PersonError("email", `No person with the email ${email}.`);
  if (user.status === "deactivated")
    throw new PersonError("email", `${email} is already deactivated.`);
  await setPersonStatus(actor, user.id, "deactivated");
  return requirePerson(user.id);
}
