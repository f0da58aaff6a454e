// Invariants that must hold whoever writes, and however writes interleave: sessions outside
// other people's transactions, at least one active admin, no manager cycles, append-only evidence.
import { sql } from "kysely";
import { beforeAll, describe, expect, test } from "vitest";
import { editPerson, PersonError, setPersonStatus } from "~/services/people.server";
import { createSessionCookie, getViewerOrNull } from "~/services/session.server";
import { nowIso } from "~/utils/clock.server";
import { db, writeTransaction } from "~/utils/db.server";
import { exec, migratedDatabase, one } from "./helpers/db";
import { keepOnlyAdmins, seedTeam, type Team } from "./helpers/people";

const actor = (t: Team, key: string) => ({ id: t.id(key), label: t.email(key) });
const requestWith = (cookie: string) =>
  new Request("http://localhost/", { headers: { Cookie: cookie.split(";")[0]! } });

async function valuesOf(t: Team, key: string) {
  const u =
    (await one(sql`select u.email, u.name, u.title, u.is_admin, u.is_leader, u.hired_on, m.email manager
       from users u left join users m on m.id = u.manager_id where u.id = ${t.id(key)}`)) as Record<
      string,
      string | number | null
    >;
  return {
    email: u.email as string,
    name: u.name as string,
    department: null,
    title: u.title as string,
    managerEmail: (u.manager as string | null) ?? null,
    isAdmin: u.is_admin === 1,
    isLeader: u.is_leader === 1,
    hiredOn: (u.hired_on as string | null) ?? null,
  };
}

const activeAdmins = async () =>
  (
    (await one(sql`select count(*) n from users where is_admin = 1 and status = 'active'`)) as {
      n: number;
    }
  ).n;

/** Each test's own people: two admins; Cat manages Dan, who manages Eve. */
const team = () =>
  seedTeam([
    { key: "ana", name: "Ana Admin", admin: true },
    { key: "ben", name: "Ben Admin", admin: true },
    { key: "cat", name: "Cat Boss" },
    { key: "dan", name: "Dan Middle", manager: "cat" },
    { key: "eve", name: "Eve Report", manager: "dan" },
  ]);

beforeAll(async () => {
  await migratedDatabase();
});

describe("sessions never ride on someone else's transaction", () => {
  test("a login during a transaction that rolls back still has its session", async () => {
    const t = await team();
    let opened!: () => void;
    let finish!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    const rolledBack = writeTransaction(async () => {
      await sql`update users set title = 'temporary' where id = ${t.id("eve")}`.execute(db);
      opened();
      await mayFinish;
      throw new Error("roll back");
    }).catch((error: Error) => error.message);
    await isOpen;
    // Another request logs in while that write is open: it must wait for it, not join it.
    const login = createSessionCookie(t.id("cat"));
    finish();
    expect(await rolledBack).toBe("roll back");
    const cookie = await login;
    expect((await getViewerOrNull(requestWith(cookie)))?.email).toBe(t.email("cat"));
    expect(await one(sql`select title from users where id = ${t.id("eve")}`)).toEqual({
      title: "",
    });
  });
});

describe("at least one active administrator", () => {
  test("two admins demoting each other at the same moment, 50 times: never zero", async () => {
    const t = await team();
    await keepOnlyAdmins(t.id("ana"), t.id("ben"));
    for (let round = 0; round < 50; round++) {
      // Both forms as loaded before either is saved; then both saved at once.
      const [ben, ana] = [await valuesOf(t, "ben"), await valuesOf(t, "ana")];
      const [a, b] = await Promise.allSettled([
        editPerson(actor(t, "ana"), t.id("ben"), { ...ben, isAdmin: false }),
        editPerson(actor(t, "ben"), t.id("ana"), { ...ana, isAdmin: false }),
      ]);
      expect(await activeAdmins()).toBeGreaterThanOrEqual(1);
      // Exactly one of the two wins; the other is told why.
      const refused = [a, b].filter((r) => r.status === "rejected");
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(PersonError);
      // Make both admins again for the next round.
      await exec(sql`update users set is_admin = 1 where id in (${t.id("ana")}, ${t.id("ben")})`);
    }
  });

  test("the database itself refuses to demote or deactivate the last active admin", async () => {
    const t = await team();
    await keepOnlyAdmins(t.id("ana"), t.id("ben"));
    await exec(sql`update users set is_admin = 0 where id = ${t.id("ben")}`);
    await expect(
      exec(sql`update users set is_admin = 0 where id = ${t.id("ana")}`),
    ).rejects.toThrow(/invariant: at least one active administrator/);
    await expect(
      exec(sql`update users set status = 'deactivated' where id = ${t.id("ana")}`),
    ).rejects.toThrow(/invariant: at least one active administrator/);
    await expect(setPersonStatus(actor(t, "ben"), t.id("ana"), "deactivated")).rejects.toThrow(
      /last active admin/,
    );
  });
});

describe("no manager cycles", () => {
  test("the database refuses a cycle through a chain, and a person managing themselves", async () => {
    const t = await team();
    const update = (key: string, manager: string) =>
      exec(sql`update users set manager_id = ${t.id(manager)} where id = ${t.id(key)}`);
    await expect(update("cat", "eve")).rejects.toThrow(/invariant: no manager cycles/);
    await expect(update("cat", "cat")).rejects.toThrow(/invariant: no manager cycles/);
  });

  test("two edits that would close a loop at the same moment: one is refused", async () => {
    const t = await team();
    const [cat, eve] = [await valuesOf(t, "cat"), await valuesOf(t, "eve")];
    const [a, b] = await Promise.allSettled([
      editPerson(actor(t, "ana"), t.id("cat"), { ...cat, managerEmail: t.email("eve") }),
      editPerson(actor(t, "ben"), t.id("eve"), { ...eve, managerEmail: null }),
    ]);
    // Whatever the order, the roster has no loop afterwards.
    const loop = (await one(sql`with recursive chain(id, depth) as (
           select manager_id, 1 from users where id = ${t.id("cat")}
           union all select u.manager_id, depth + 1 from users u join chain on u.id = chain.id
           where u.manager_id is not null and depth < 20)
         select max(depth) d from chain`)) as { d: number };
    expect(loop.d).toBeLessThan(20);
    expect([a.status, b.status]).toContain("fulfilled");
  });
});

describe("evidence is append-only", () => {
  /** Rows for the evidence tables' references: an archived course nobody else sees. */
  const references: Record<string, number> = {};
  beforeAll(async () => {
    const at = nowIso();
    await db
      .insertInto("compiled_mdx")
      .values({
        content_hash: "append-only-probe",
        html_segments: "[]",
        islands: "[]",
        answer_key: "{}",
        assessed_hash: "probe",
        created_at: at,
      })
      .execute();
    references.course_id = (
      await db
        .insertInto("courses")
        .values({
          slug: "append-only-probe",
          title: "Probe",
          summary: "",
          sort_order: 99,
          intro_hash: "append-only-probe",
          status: "archived",
          updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    references.lesson_id = (
      await db
        .insertInto("lessons")
        .values({
          course_id: references.course_id,
          slug: "probe",
          title: "Probe",
          minutes: 1,
          position: 1,
          current_version_id: null,
          max_attempts: null,
          valid_from_version_id: null,
          status: "archived",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
    references.version_id = (
      await db
        .insertInto("lesson_versions")
        .values({
          lesson_id: references.lesson_id,
          content_hash: "append-only-probe",
          source: "",
          has_quiz: 0,
          published_at: at,
          published_by: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  });

  test.each(["certificates", "quiz_attempts", "progress_events", "acknowledgements", "audit_log"])(
    "%s refuses UPDATE and DELETE",
    async (table) => {
      const t = await team();
      // A row of its own: every required column, references to the rows above.
      const { columns } = (await db.introspection.getTables()).find((c) => c.name === table)!;
      const own: Record<string, number> = { ...references, user_id: t.id("ana") };
      const values = Object.fromEntries(
        columns
          .filter((c) => c.name !== "id" && !c.isNullable && !c.hasDefaultValue)
          .map((c) => [
            c.name,
            own[c.name] ??
              (c.name.endsWith("_at")
                ? nowIso()
                : ["score", "passed"].includes(c.name)
                  ? 1
                  : `probe ${table} ${t.id("ana")}`),
          ]),
      );
      await exec(
        sql`insert into ${sql.table(table)} (${sql.join(Object.keys(values).map((c) => sql.ref(c)))})
          values (${sql.join(Object.values(values))})`,
      );
      await expect(exec(sql`update ${sql.table(table)} set id = id`)).rejects.toThrow(
        /append-only/,
      );
      await expect(exec(sql`delete from ${sql.table(table)}`)).rejects.toThrow(/append-only/);
    },
  );
});
