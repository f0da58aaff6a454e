import { sql } from "kysely";
import { db } from "~/utils/db.server";
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

export async function setPasswordHash(userId: number, passwordHash: string) {
  await db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: nowIso() })
    .where("id", "=", userId)
    .execute();
}

export async function findOrCreateDepartment(name: string): Promise<number> {
  const existing = await db
    .selectFrom("departments")
    .select("id")
    .where("name", "=", name)
    .executeTakeFirst();
  if (existing) return existing.id;
  const created = await db
    .insertInto("departments")
    .values({ name })
    .returning("id")
    .executeTakeFirstOrThrow();
  return created.id;
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
