// Invariants that must hold whoever writes, and however writes interleave: sessions outside
// other people's transactions, at least one active admin, no manager cycles, append-only evidence.
import { sql } from "kysely";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { editPerson, PersonError, setPersonStatus } from "~/services/people.server";
import { createSessionCookie, getViewerOrNull } from "~/services/session.server";
import { nowIso } from "~/utils/clock.server";
import { db, writeTransaction } from "~/utils/db.server";
import { exec, migratedDatabase, one } from "./helpers/db";
import { seedPeople } from "./helpers/people";

let ids: Map<string, number>;
const actor = (key: string) => ({ id: ids.get(key)!, label: `${key}@test.example` });
const requestWith = (cookie: string) =>
  new Request("http://localhost/", { headers: { Cookie: cookie.split(";")[0]! } });

async function valuesOf(key: string) {
  const u =
    (await one(sql`select u.email, u.name, u.title, u.is_admin, u.is_leader, u.hired_on, m.email manager
       from users u left join users m on m.id = u.manager_id where u.id = ${ids.get(key)}`)) as Record<
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

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople([
    { key: "ana", name: "Ana Admin", admin: true },
    { key: "ben", name: "Ben Admin", admin: true },
    { key: "cat", name: "Cat Boss" },
    { key: "dan", name: "Dan Middle", manager: "cat" },
    { key: "eve", name: "Eve Report", manager: "dan" },
  ]);
});

describe("sessions never ride on someone else's transaction", () => {
  test("a login during a transaction that rolls back still has its session", async () => {
    let opened!: () => void;
    let finish!: () => void;
    const isOpen = new Promise<void>((resolve) => (opened = resolve));
    const mayFinish = new Promise<void>((resolve) => (finish = resolve));
    const rolledBack = writeTransaction(async () => {
      await sql`update users set title = 'temporary' where id = ${ids.get("eve")!}`.execute(db);
      opened();
      await mayFinish;
      throw new Error("roll back");
    }).catch((error: Error) => error.message);
    await isOpen;
    // Another request logs in while that write is open: it must wait for it, not join it.
    const login = createSessionCookie(ids.get("cat")!);
    finish();
    expect(await rolledBack).toBe("roll back");
    const cookie = await login;
    expect((await getViewerOrNull(requestWith(cookie)))?.email).toBe("cat@test.example");
    expect(await one(sql`select title from users where id = ${ids.get("eve")}`)).toEqual({
      title: "",
    });
  });
});

describe("at least one active administrator", () => {
  test("two admins demoting each other at the same moment, 50 times: never zero", async () => {
    for (let round = 0; round < 50; round++) {
      const [a, b] = await Promise.allSettled([
        editPerson(actor("ana"), ids.get("ben")!, { ...(await valuesOf("ben")), isAdmin: false }),
        editPerson(actor("ben"), ids.get("ana")!, { ...(await valuesOf("ana")), isAdmin: false }),
      ]);
      expect(await activeAdmins()).toBeGreaterThanOrEqual(1);
      // Exactly one of the two wins; the other is told why.
      const refused = [a, b].filter((r) => r.status === "rejected");
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(PersonError);
      // Make both admins again for the next round.
      await exec(
        sql`update users set is_admin = 1 where id in (${ids.get("ana")}, ${ids.get("ben")})`,
      );
    }
  });

  test("the database itself refuses to demote or deactivate the last active admin", async () => {
    await exec(sql`update users set is_admin = 0 where id = ${ids.get("ben")}`);
    await expect(
      exec(sql`update users set is_admin = 0 where id = ${ids.get("ana")}`),
    ).rejects.toThrow(/invariant: at least one active administrator/);
    await expect(
      exec(sql`update users set status = 'deactivated' where id = ${ids.get("ana")}`),
    ).rejects.toThrow(/invariant: at least one active administrator/);
    await expect(setPersonStatus(actor("ben"), ids.get("ana")!, "deactivated")).rejects.toThrow(
      /last active admin/,
    );
    await exec(sql`update users set is_admin = 1 where id = ${ids.get("ben")}`);
  });
});

describe("no manager cycles", () => {
  // Each test starts from the same chain: Cat manages Dan, who manages Eve.
  beforeEach(async () => {
    const set = (key: string, manager: number | null) =>
      exec(sql`update users set manager_id = ${manager} where id = ${ids.get(key)}`);
    await set("cat", null);
    await set("dan", ids.get("cat")!);
    await set("eve", ids.get("dan")!);
  });

  test("the database refuses a cycle through a chain, and a person managing themselves", async () => {
    const update = (key: string, manager: string) =>
      exec(sql`update users set manager_id = ${ids.get(manager)} where id = ${ids.get(key)}`);
    await expect(update("cat", "eve")).rejects.toThrow(/invariant: no manager cycles/);
    await expect(update("cat", "cat")).rejects.toThrow(/invariant: no manager cycles/);
  });

  test("two edits that would close a loop at the same moment: one is refused", async () => {
    const [a, b] = await Promise.allSettled([
      editPerson(actor("ana"), ids.get("cat")!, {
        ...(await valuesOf("cat")),
        managerEmail: "eve@test.example",
      }),
      editPerson(actor("ben"), ids.get("eve")!, {
        ...(await valuesOf("eve")),
        managerEmail: null,
      }),
    ]);
    // Whatever the order, the roster has no loop afterwards.
    const loop = (await one(sql`with recursive chain(id, depth) as (
           select manager_id, 1 from users where id = ${ids.get("cat")}
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
    references.user_id = ids.get("ana")!;
  });

  test.each(["certificates", "quiz_attempts", "progress_events", "acknowledgements", "audit_log"])(
    "%s refuses UPDATE and DELETE",
    async (table) => {
      // A row of its own: every required column, references to the rows above.
      const { columns } = (await db.introspection.getTables()).find((t) => t.name === table)!;
      const values = Object.fromEntries(
        columns
          .filter((c) => c.name !== "id" && !c.isNullable && !c.hasDefaultValue)
          .map((c) => [
            c.name,
            references[c.name] ??
              (c.name.endsWith("_at")
                ? nowIso()
                : ["score", "passed"].includes(c.name)
                  ? 1
                  : `probe ${table}`),
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
