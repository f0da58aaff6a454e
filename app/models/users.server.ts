import { sql } from "kysely";
import type { UserStatus } from "#db/schema";
import { chunks } from "~/utils/chunks";
import { db } from "~/utils/db.server";
import { departmentIdFor } from "./departments.server";
import { containsText } from "./text-match.server";
import { nowIso } from "~/utils/clock.server";

export interface Viewer {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  isLeader: boolean;
  /** Derived from the roster: anyone with an active report. */
  isManager: boolean;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The signed-in person, or null when they no longer exist or were deactivated. */
export async function getViewer(userId: number): Promise<Viewer | null> {
  const row = await db
    .selectFrom("users")
    .select((eb) => [
      "id",
      "email",
      "name",
      "is_admin",
      "is_leader",
      eb
        .exists(
          eb
            .selectFrom("users as r")
            .select("r.id")
            .whereRef("r.manager_id", "=", "users.id")
            .where("r.status", "=", "active"),
        )
        .as("has_reports"),
    ])
    .where("id", "=", userId)
    .where("status", "=", "active")
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    isAdmin: row.is_admin === 1,
    isLeader: row.is_leader === 1,
    isManager: Boolean(row.has_reports),
  };
}

export function findUserByEmail(email: string) {
  return db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
}

export async function countUsers(): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many people (deactivated and erased ones included) have this name, in any case. */
export async function countUsersNamed(name: string): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(sql`lower(name)`, "=", name.toLowerCase())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setPasswordHash(userId: number, passwordHash: string) {
  await db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: nowIso() })
    .where("id", "=", userId)
    .execute();
}

export interface NewPerson {
  email: string;
  name: string;
  departmentId: number | null;
  title?: string;
  managerId?: number | null;
  isAdmin?: boolean;
  isLeader?: boolean;
  hiredOn?: string | null;
  passwordHash?: string | null;
}

export async function createUser(person: NewPerson): Promise<number> {
  const stamp = nowIso();
  const row = await db
    .insertInto("users")
    .values({
      email: normalizeEmail(person.email),
      name: person.name,
      department_id: person.departmentId,
      title: person.title ?? "",
      manager_id: person.managerId ?? null,
      is_admin: person.isAdmin ? 1 : 0,
      is_leader: person.isLeader ? 1 : 0,
      hired_on: person.hiredOn ?? null,
      status: "active",
      password_hash: person.passwordHash ?? null,
      created_at: stamp,
      updated_at: stamp,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Ids of everyone below a manager, at any depth (not the manager). Cycles cannot loop: UNION dedupes. */
export async function reportIds(managerId: number): Promise<number[]> {
  const rows = await db
    .withRecursive("subtree(id)", (qb) =>
      qb
        .selectFrom("users")
        .select("id")
        .where("manager_id", "=", managerId)
        .union((qb2) =>
          qb2
            .selectFrom("users")
            .innerJoin("subtree", "subtree.id", "users.manager_id")
            .select("users.id"),
        ),
    )
    .selectFrom("subtree")
    .select("id")
    .execute();
  return rows.map((r) => r.id).filter((id) => id !== managerId);
}

/** "May this viewer see this person's training?" — self, any manager above them, leader, admin. */
export async function canViewPerson(viewer: Viewer, personId: number): Promise<boolean> {
  if (viewer.id === personId || viewer.isAdmin || viewer.isLeader) return true;
  if (!viewer.isManager) return false;
  const row = await db
    .withRecursive("chain(id, manager_id)", (qb) =>
      qb
        .selectFrom("users")
        .select(["id", "manager_id"])
        .where("id", "=", personId)
        .union((qb2) =>
          qb2
            .selectFrom("users")
            .innerJoin("chain", "chain.manager_id", "users.id")
            .select(["users.id", "users.manager_id"]),
        ),
    )
    .selectFrom("chain")
    .select(sql<number>`1`.as("found"))
    .where("manager_id", "=", viewer.id)
    .executeTakeFirst();
  return Boolean(row);
}

// ---------------------------------------------------------------------------------------------
// The roster: people as admins see and change them (import, edit, deactivate).

/** A person's roster values, with department and manager by name and email. */
export interface PersonValues {
  email: string;
  name: string;
  department: string | null;
  title: string;
  managerEmail: string | null;
  isAdmin: boolean;
  isLeader: boolean;
  hiredOn: string | null;
}

export interface RosterPerson extends PersonValues {
  id: number;
  status: UserStatus;
  hasPassword: boolean;
  managerId: number | null;
  managerName: string | null;
  hasReports: boolean;
}

function rosterQuery() {
  return db
    .selectFrom("users as u")
    .leftJoin("departments as d", "d.id", "u.department_id")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select((eb) => [
      "u.id",
      "u.email",
      "u.name",
      "d.name as department",
      "u.title",
      "u.manager_id as managerId",
      "m.email as managerEmail",
      "m.name as managerName",
      "u.is_admin",
      "u.is_leader",
      "u.hired_on as hiredOn",
      "u.status",
      "u.password_hash",
      eb
        .exists(
          eb
            .selectFrom("users as r")
            .select("r.id")
            .whereRef("r.manager_id", "=", "u.id")
            .where("r.status", "=", "active"),
        )
        .as("has_reports"),
    ]);
}

type RosterRow = Awaited<ReturnType<ReturnType<typeof rosterQuery>["execute"]>>[number];

function toRosterPerson({ is_admin, is_leader, password_hash, has_reports, ...row }: RosterRow) {
  return {
    ...row,
    isAdmin: is_admin === 1,
    isLeader: is_leader === 1,
    hasPassword: password_hash !== null,
    hasReports: Boolean(has_reports),
  } satisfies RosterPerson;
}

/** Everyone, deactivated people included: what an import is compared against. */
/** People per read of a whole-roster snapshot: each read is a few milliseconds' work. */
const SNAPSHOT_PAGE = 1000;

export async function rosterSnapshot(): Promise<RosterPerson[]> {
  const people: RosterPerson[] = [];
  for (let after = 0; ;) {
    const rows = await rosterQuery()
      .where("u.id", ">", after)
      .orderBy("u.id")
      .limit(SNAPSHOT_PAGE)
      .execute();
    people.push(...rows.map(toRosterPerson));
    if (rows.length < SNAPSHOT_PAGE) return people;
    after = rows.at(-1)!.id;
  }
}

export async function getRosterPerson(id: number): Promise<RosterPerson | undefined> {
  const row = await rosterQuery().where("u.id", "=", id).executeTakeFirst();
  return row && toRosterPerson(row);
}

export interface PeopleFilter {
  /** Part of a name or an email. */
  q?: string;
  department?: string;
  managerEmail?: string;
  role?: "admin" | "leader" | "manager";
  status?: UserStatus;
}

export const PEOPLE_PAGE_SIZE = 100;

export async function listPeople(filter: PeopleFilter, page = 1) {
  let query = rosterQuery();
  if (filter.q) {
    const text = filter.q.trim();
    query = query.where((eb) =>
      eb.or([containsText("u.name", text), containsText("u.email", text)]),
    );
  }
  if (filter.department) query = query.where("d.name", "=", filter.department);
  if (filter.managerEmail) query = query.where("m.email", "=", normalizeEmail(filter.managerEmail));
  if (filter.role === "admin") query = query.where("u.is_admin", "=", 1);
  if (filter.role === "leader") query = query.where("u.is_leader", "=", 1);
  if (filter.role === "manager") {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("users as r")
          .select("r.id")
          .whereRef("r.manager_id", "=", "u.id")
          .where("r.status", "=", "active"),
      ),
    );
  }
  if (filter.status) query = query.where("u.status", "=", filter.status);
  const [rows, total] = await Promise.all([
    query
      .orderBy("u.name")
      .orderBy("u.id")
      .limit(PEOPLE_PAGE_SIZE)
      .offset((page - 1) * PEOPLE_PAGE_SIZE)
      .execute(),
    query
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { total: Number(total.n), people: rows.map(toRosterPerson) };
}

/** More managers than this, and the manager filter asks for an email instead of listing them. */
export const MANAGER_CHOICES = 100;

/**
 * Active people who have active reports, for the manager filter; null when there are more than
 * `MANAGER_CHOICES` (a list that long helps nobody, and every page would carry it).
 */
export async function listManagerChoices(): Promise<{ email: string; name: string }[] | null> {
  const managers = await db
    .selectFrom("users as u")
    .select(["u.email", "u.name"])
    .where("u.status", "=", "active")
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom("users as r")
          .select("r.id")
          .whereRef("r.manager_id", "=", "u.id")
          .where("r.status", "=", "active"),
      ),
    )
    .orderBy("u.name")
    .limit(MANAGER_CHOICES + 1)
    .execute();
  return managers.length > MANAGER_CHOICES ? null : managers;
}

/** One person's change: `before` and `after` hold only the fields that change. */
export interface PersonUpdate {
  id: number;
  email: string;
  before: Partial<PersonValues>;
  after: Partial<PersonValues>;
}

/** Everything one roster change writes (the service audits it and runs it in a transaction). */
export interface RosterWrite {
  creates: PersonValues[];
  updates: PersonUpdate[];
  statusChanges: { id: number; email: string; status: UserStatus }[];
}

/**
 * Writes a roster change; call it inside a write transaction. Managers named by email may be
 * created in the same write, in any order (the database refuses cycles). Returns the new ids.
 */
export async function writeRoster(write: RosterWrite): Promise<Map<string, number>> {
  const stamp = nowIso();
  // One lookup per department name, not per person: an import may name the same few thousands of times.
  const departments = new Map<string, Promise<number>>();
  const departmentId = (name: string | null | undefined) => {
    if (!name) return null;
    const key = name.toLowerCase();
    if (!departments.has(key)) departments.set(key, departmentIdFor(name));
    return departments.get(key)!;
  };
  const named = new Set([
    ...write.creates.map((p) => p.managerEmail),
    ...write.updates.map((u) => u.after.managerEmail),
  ]);
  named.delete(null);
  named.delete(undefined);
  const ids = new Map<string, number>();
  for (const batch of chunks([...named] as string[])) {
    const rows = await db
      .selectFrom("users")
      .select(["id", "email"])
      .where("email", "in", batch)
      .execute();
    for (const r of rows) ids.set(r.email, r.id);
  }

  // Insert managers before their reports: each round takes everyone whose manager has an id.
  const created = new Map<string, number>();
  let pending = write.creates;
  while (pending.length > 0) {
    const ready = pending.filter((p) => !p.managerEmail || ids.has(p.managerEmail));
    if (ready.length === 0) throw new Error("The roster write names a manager who does not exist.");
    pending = pending.filter((p) => p.managerEmail && !ids.has(p.managerEmail));
    for (const batch of chunks(ready)) {
      const values = [];
      for (const p of batch) {
        values.push({
          email: p.email,
          name: p.name,
          department_id: await departmentId(p.department),
          title: p.title,
          manager_id: p.managerEmail ? ids.get(p.managerEmail)! : null,
          is_admin: p.isAdmin ? 1 : 0,
          is_leader: p.isLeader ? 1 : 0,
          hired_on: p.hiredOn,
          status: "active" as const,
          password_hash: null,
          created_at: stamp,
          updated_at: stamp,
        });
      }
      const rows = await db.insertInto("users").values(values).returning(["id", "email"]).execute();
      for (const row of rows) {
        ids.set(row.email, row.id);
        created.set(row.email, row.id);
      }
    }
  }

  for (const u of write.updates) {
    const a = u.after;
    await db
      .updateTable("users")
      .set({
        ...(a.email !== undefined && { email: a.email }),
        ...(a.name !== undefined && { name: a.name }),
        ...(a.department !== undefined && { department_id: await departmentId(a.department) }),
        ...(a.title !== undefined && { title: a.title }),
        ...(a.managerEmail !== undefined && {
          manager_id: a.managerEmail ? ids.get(a.managerEmail)! : null,
        }),
        ...(a.isAdmin !== undefined && { is_admin: a.isAdmin ? 1 : 0 }),
        ...(a.isLeader !== undefined && { is_leader: a.isLeader ? 1 : 0 }),
        ...(a.hiredOn !== undefined && { hired_on: a.hiredOn }),
        updated_at: stamp,
      })
      .where("id", "=", u.id)
      .execute();
  }

  for (const change of write.statusChanges) {
    await db
      .updateTable("users")
      .set({ status: change.status, updated_at: stamp })
      .where("id", "=", change.id)
      .execute();
  }
  return created;
}

export async function countActiveAdmins(): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("is_admin", "=", 1)
    .where("status", "=", "active")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface PersonSummary {
  id: number;
  name: string;
  email: string;
  department: string | null;
  status: "active" | "deactivated";
}

/** Names, emails and departments of these people, by name (lists on admin pages). */
export async function describePeople(ids: number[]): Promise<PersonSummary[]> {
  const out: PersonSummary[] = [];
  for (const batch of chunks(ids)) {
    out.push(
      ...(await db
        .selectFrom("users as u")
        .leftJoin("departments as d", "d.id", "u.department_id")
        .select(["u.id", "u.name", "u.email", "d.name as department", "u.status"])
        .where("u.id", "in", batch)
        .execute()),
    );
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}
