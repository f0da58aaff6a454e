// The assignment-rule form and logout, driven over HTTP against the built server.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { all, exec, migratedDatabase, one } from "../helpers/db";
import { loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let ids: Map<string, number>;

const assignedTo = async (key: string, course: string) =>
  (
    (await one(sql`select count(*) n from assignments a join courses c on c.id = a.course_id
         where a.user_id = ${ids.get(key)} and c.slug = ${course} and a.is_current = 1 and a.removed_at is null`)) as {
      n: number;
    }
  ).n === 1;
const audit = async (action: string) =>
  (await all(
    sql`select actor, before, after from audit_log where action = ${action} order by id`,
  )) as { actor: string; before: string | null; after: string | null }[];

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople([
    { key: "sam", name: "Sam Admin", dept: "Office", admin: true },
    { key: "mia", name: "Mia Manager", dept: "Sales" },
    { key: "bo", name: "Bo Baker", dept: "Sales", manager: "mia" },
    { key: "dee", name: "Dee Dunn", dept: "Warehouse" },
  ]);
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
  // Start from no rules, so that each rule below is the only reason for what it assigns.
  await exec(sql`delete from assignment_rules`);
  const admin = await loggedIn(server.url, "sam");
  // Saving any rule recomputes; removing the default one first leaves nothing assigned.
  expect((await admin.get("/admin/assignments")).status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
});

describe("assignment rules through the form", () => {
  test("create, edit and delete a rule: assignments and the audit log follow each step", async () => {
    const admin = await loggedIn(server.url, "sam");
    const created = await admin.post("/admin/assignments/new", {
      course: "quizzed",
      audience: "managers",
      dueDays: "14",
    });
    expect(created.status).toBe(302);
    expect(await assignedTo("mia", "quizzed")).toBe(true);
    expect(await assignedTo("bo", "quizzed")).toBe(false);
    const ruleId = ((await one(sql`select max(id) id from assignment_rules`)) as { id: number }).id;
    expect((await audit("rule.created")).at(-1)).toMatchObject({ actor: "sam@test.example" });
    expect(JSON.parse((await audit("rule.created")).at(-1)!.after!)).toMatchObject({
      audience: "managers",
      dueDays: 14,
    });

    const edited = await admin.post(`/admin/assignments/${ruleId}`, {
      course: "quizzed",
      audience: "department",
      department: "Warehouse",
      dueDays: "7",
    });
    expect(edited.status).toBe(302);
    expect(await assignedTo("dee", "quizzed")).toBe(true);
    expect(await assignedTo("mia", "quizzed")).toBe(false);
    const change = (await audit("rule.changed")).at(-1)!;
    expect(JSON.parse(change.before!)).toMatchObject({ audience: "managers", dueDays: 14 });
    expect(JSON.parse(change.after!)).toMatchObject({ audience: "department", dueDays: 7 });

    const deleted = await admin.post(`/admin/assignments/${ruleId}`, { intent: "delete" });
    expect(deleted.status).toBe(302);
    expect(await assignedTo("dee", "quizzed")).toBe(false);
    expect(JSON.parse((await audit("rule.deleted")).at(-1)!.before!)).toMatchObject({
      department: "Warehouse",
    });
  });

  test("a bad form is answered beside its fields and changes nothing", async () => {
    const admin = await loggedIn(server.url, "sam");
    const before = await one(sql`select count(*) n from assignment_rules`);
    const res = await admin.post("/admin/assignments/new", {
      course: "no-such-course",
      audience: "department",
      department: "",
      dueDays: "-3",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Enter 0 or more days.");
    // With the fields well formed, what names nothing real is answered field by field.
    const second = await admin.post("/admin/assignments/new", {
      course: "no-such-course",
      audience: "department",
      department: "",
      dueDays: "3",
    });
    expect(second.status).toBe(400);
    const page = await second.text();
    expect(page).toContain("There is no published course");
    expect(page).toContain("Choose a department.");
    expect(await one(sql`select count(*) n from assignment_rules`)).toEqual(before);
  });

  test("only admins may post the form", async () => {
    const learner = await loggedIn(server.url, "bo");
    const res = await learner.post("/admin/assignments/new", {
      course: "",
      audience: "everyone",
      dueDays: "1",
    });
    expect(res.status).toBe(403);
  });
});

describe("logout", () => {
  test("ends the session at once and clears the cookie; a foreign page cannot log anyone out", async () => {
    const learner = await loggedIn(server.url, "bo");
    const session = learner.cookie;
    expect((await learner.get("/")).status).toBe(200);
    expect((await learner.post("/logout", {}, "https://evil.example")).status).toBe(403);
    expect((await learner.get("/")).status).toBe(200);

    const res = await learner.post("/logout", {});
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login");
    expect(res.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    // The old cookie, replayed, is no session any more.
    learner.cookie = session;
    const after = await learner.get("/");
    expect(after.status).toBe(302);
    expect(after.headers.get("location")).toMatch(/^\/login/);
  });
});
