// Invariants that must hold whoever writes, and however writes interleave: sessions outside
// other people's transactions, at least one active admin, no manager cycles, append-only evidence.
import { sql } from "kysely";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { editPerson, PersonError, setPersonStatus } from "~/services/people.server";
import { createSessionCookie, getViewerOrNull } from "~/services/session.server";
import { db, writeTransaction } from "~/utils/db.server";
import { migratedDatabase } from "./helpers/db";
import { seedPeople } from "./helpers/people";

let sqlite: Awaited<ReturnType<typeof migratedDatabase>>["sqlite"];
let ids: Map<string, number>;
const actor = (key: string) => ({ id: ids.get(key)!, label: `${key}@test.example` });
const requestWith = (cookie: string) =>
  new Request("http://localhost/", { headers: { Cookie: cookie.split(";")[0]! } });

async function valuesOf(key: string) {
  const u = sqlite
    .prepare(
      `select u.email, u.name, u.title, u.is_admin, u.is_leader, u.hired_on, m.email manager
       from users u left join users m on m.id = u.manager_id where u.id = ?`,
    )
    .get(ids.get(key)) as Record<string, string | number | null>;
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

const activeAdmins = () =>
  (
    sqlite
      .prepare("select count(*) n from users where is_admin = 1 and status = 'active'")
      .get() as {
      n: number;
    }
  ).n;

beforeAll(async () => {
  ({ sqlite } = await migratedDatabase());
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
    expect(sqlite.prepare("select title from users where id = ?").get(ids.get("eve"))).toEqual({
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
      expect(activeAdmins()).toBeGreaterThanOrEqual(1);
      // Exactly one of the two wins; the other is told why.
      const refused = [a, b].filter((r) => r.status === "rejected");
      expect(refused).toHaveLength(1);
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(PersonError);
      // Make both admins again for the next round.
      sqlite
        .prepare("update users set is_admin = 1 where id in (?, ?)")
        .run(ids.get("ana"), ids.get("ben"));
    }
  });

  test("the database itself refuses to demote or deactivate the last active admin", async () => {
    sqlite.prepare("update users set is_admin = 0 where id = ?").run(ids.get("ben"));
    expect(() =>
      sqlite.prepare("update users set is_admin = 0 where id = ?").run(ids.get("ana")),
    ).toThrow(/invariant: at least one active administrator/);
    expect(() =>
      sqlite.prepare("update users set status = 'deactivated' where id = ?").run(ids.get("ana")),
    ).toThrow(/invariant: at least one active administrator/);
    await expect(setPersonStatus(actor("ben"), ids.get("ana")!, "deactivated")).rejects.toThrow(
      /last active admin/,
    );
    sqlite.prepare("update users set is_admin = 1 where id = ?").run(ids.get("ben"));
  });
});

describe("no manager cycles", () => {
  // Each test starts from the same chain: Cat manages Dan, who manages Eve.
  beforeEach(() => {
    const set = sqlite.prepare("update users set manager_id = ? where id = ?");
    set.run(null, ids.get("cat"));
    set.run(ids.get("cat"), ids.get("dan"));
    set.run(ids.get("dan"), ids.get("eve"));
  });

  test("the database refuses a cycle through a chain, and a person managing themselves", () => {
    const update = (key: string, manager: string) =>
      sqlite
        .prepare("update users set manager_id = ? where id = ?")
        .run(ids.get(manager), ids.get(key));
    expect(() => update("cat", "eve")).toThrow(/invariant: no manager cycles/);
    expect(() => update("cat", "cat")).toThrow(/invariant: no manager cycles/);
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
    const loop = sqlite
      .prepare(
        `with recursive chain(id, depth) as (
           select manager_id, 1 from users where id = ?
           union all select u.manager_id, depth + 1 from users u join chain on u.id = chain.id
           where u.manager_id is not null and depth < 20)
         select max(depth) d from chain`,
      )
      .get(ids.get("cat")) as { d: number };
    expect(loop.d).toBeLessThan(20);
    expect([a.status, b.status]).toContain("fulfilled");
  });
});

describe("evidence is append-only", () => {
  test.each(["certificates", "quiz_attempts", "progress_events", "acknowledgements", "audit_log"])(
    "%s refuses UPDATE and DELETE",
    (table) => {
      sqlite.exec("savepoint probe");
      try {
        const columns = sqlite.prepare(`pragma table_info(${table})`).all() as {
          name: string;
          notnull: number;
          pk: number;
        }[];
        const values = columns
          .filter((c) => !c.pk)
          .map((c) => [c.name, c.name.endsWith("_id") ? ids.get("ana")! : c.notnull ? "x" : null]);
        // Foreign keys are checked at the end of the savepoint, which is rolled back below.
        sqlite.pragma("defer_foreign_keys = ON");
        sqlite
          .prepare(
            `insert into ${table} (${values.map(([n]) => n).join(", ")}) values (${values.map(() => "?").join(", ")})`,
          )
          .run(...values.map(([, v]) => v));
        expect(() => sqlite.prepare(`update ${table} set id = id`).run()).toThrow(/append-only/);
        expect(() => sqlite.prepare(`delete from ${table}`).run()).toThrow(/append-only/);
      } finally {
        sqlite.exec("rollback to probe; release probe");
      }
    },
  );
});
