// People admin: edit, deactivate and reactivate one person. Every change is audited and
// followed by afterRosterChange().
import { type Actor } from "~/models/audit.server";
import {
  applyRosterWrite,
  countActiveAdmins,
  findUserByEmail,
  getRosterPerson,
  reportIds,
  type PersonUpdate,
  type PersonValues,
  type RosterPerson,
} from "~/models/users.server";
import { recomputeAssignments } from "~/services/assignments.server";
import { endAllSessions } from "~/services/session.server";

export class PersonError extends Error {
  constructor(
    readonly field: keyof PersonValues | "form",
    message: string,
  ) {
    super(message);
  }
}

/** The one place a roster change (import, edit, deactivation, reactivation) has consequences. */
export async function afterRosterChange(): Promise<void> {
  await recomputeAssignments();
}

/** Deactivated people lose every session at once (getViewer refuses them even before this). */
export async function endSessionsOf(userIds: number[]): Promise<void> {
  for (const id of userIds) await endAllSessions(id);
}

const ROSTER_FIELDS: (keyof PersonValues)[] = [
  "name",
  "department",
  "title",
  "managerEmail",
  "isAdmin",
  "isLeader",
  "hiredOn",
];

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

async function requirePerson(id: number): Promise<RosterPerson> {
  const person = await getRosterPerson(id);
  if (!person) throw new PersonError("form", "There is no such person.");
  return person;
}

/** Saves an admin's edit of one person; returns false when nothing changed. */
export async function editPerson(actor: Actor, id: number, next: PersonValues): Promise<boolean> {
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
  if (
    person.isAdmin &&
    !next.isAdmin &&
    person.status === "active" &&
    (await countActiveAdmins()) <= 1
  ) {
    throw new PersonError(
      "isAdmin",
      "This is the last active admin; make someone else an admin first.",
    );
  }
  const diff = diffPerson(person, next, ["email", ...ROSTER_FIELDS]);
  if (!diff) return false;
  await applyRosterWrite(
    { creates: [], updates: [{ id, email: person.email, ...diff }], statusChanges: [] },
    actor,
  );
  await afterRosterChange();
  return true;
}

/** Deactivates (ending every session at once) or reactivates a person; their history stays. */
export async function setPersonStatus(
  actor: Actor,
  id: number,
  status: "active" | "deactivated",
): Promise<void> {
  const person = await requirePerson(id);
  if (person.status === status) return;
  if (status === "deactivated") {
    if (actor.id === id) throw new PersonError("form", "You cannot deactivate yourself.");
    if (person.isAdmin && (await countActiveAdmins()) <= 1) {
      throw new PersonError(
        "form",
        "This is the last active admin; make someone else an admin first.",
      );
    }
  }
  await applyRosterWrite(
    { creates: [], updates: [], statusChanges: [{ id, email: person.email, status }] },
    actor,
  );
  if (status === "deactivated") await endSessionsOf([id]);
  await afterRosterChange();
}

export async function deactivateByEmail(actor: Actor, email: string): Promise<RosterPerson> {
  const user = await findUserByEmail(email);
  if (!user) throw new PersonError("email", `No person with the email ${email}.`);
  if (user.status === "deactivated")
    throw new PersonError("email", `${email} is already deactivated.`);
  await setPersonStatus(actor, user.id, "deactivated");
  return requirePerson(user.id);
}
