import { departmentIdFor } from "~/models/departments.server";
import { createUser } from "~/models/users.server";
import { db } from "~/utils/db.server";
import { hashPassword } from "~/utils/password.server";
import { Browser } from "./http";

/** The password every seeded person shares. */
export const PASSWORD = "integration-pass-1";
const DOMAIN = "test.example";

/** A seeded person's email (seeded without another domain): `key@test.example`. */
export const email = (key: string) => `${key}@${DOMAIN}`;

export interface TestPerson {
  key: string;
  name: string;
  /** A department name; no department when left out. */
  dept?: string;
  /** Their manager's key: the manager comes earlier in the list. */
  manager?: string;
  leader?: boolean;
  admin?: boolean;
  /** Invited but without a password yet. */
  invited?: boolean;
}

/** Creates these people in order, all with PASSWORD; returns key → user id. */
export async function seedPeople(people: readonly TestPerson[], domain = DOMAIN) {
  const passwordHash = await hashPassword(PASSWORD);
  const ids = new Map<string, number>();
  for (const p of people) {
    ids.set(
      p.key,
      await createUser({
        email: `${p.key}@${domain}`,
        name: p.name,
        departmentId: p.dept ? await departmentIdFor(p.dept) : null,
        managerId: p.manager ? ids.get(p.manager)! : null,
        isLeader: p.leader,
        isAdmin: p.admin,
        passwordHash: p.invited ? null : passwordHash,
      }),
    );
  }
  return ids;
}

let teams = 0;

/**
 * Seeds `people` under a domain no other call in this test file uses (`key@tN.test.example`),
 * so a test owns every row it writes or counts: each person's id and email by key.
 */
export async function seedTeam(people: readonly TestPerson[]) {
  const domain = `t${++teams}.${DOMAIN}`;
  const ids = await seedPeople(people, domain);
  return {
    domain,
    id: (key: string) => ids.get(key)!,
    email: (key: string) => `${key}@${domain}`,
  };
}
export type Team = Awaited<ReturnType<typeof seedTeam>>;

/**
 * Demotes every active admin but these: a test of the rule that one admin must remain cannot
 * count the admins other tests seeded.
 */
export async function keepOnlyAdmins(...userIds: number[]) {
  await db
    .updateTable("users")
    .set({ is_admin: 0 })
    .where("is_admin", "=", 1)
    .where("id", "not in", userIds)
    .execute();
}

/** A Browser logged in to the server at `base` as the seeded person `key`. */
export async function loggedIn(base: string, key: string, domain = DOMAIN) {
  const browser = new Browser(base);
  await browser.login(`${key}@${domain}`, PASSWORD);
  return browser;
}
