import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createUser } from "~/models/users.server";
import { hashPassword } from "~/utils/password.server";
import { csvOf, databaseDump } from "../fixtures/roster/roster-csv";
import { all, migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

const ADMIN_PASSWORD = "integration-admin-1";
let server: RunningServer;

beforeAll(async () => {
  await migratedDatabase();
  await createUser({
    email: "ada@corp.example",
    name: "Ada Admin",
    departmentId: null,
    isAdmin: true,
    passwordHash: await hashPassword(ADMIN_PASSWORD),
  });
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

async function admin() {
  const browser = new Browser(server.url);
  await browser.login("ada@corp.example", ADMIN_PASSWORD);
  return browser;
}

/** Uploads a roster file the way the import page's form does. */
const upload = (browser: Browser, name: string, content: string) =>
  browser.upload("/admin/import", "file", name, content);

const idOf = async (email: string) =>
  ((await one(sql`select id from users where email = ${email}`)) as { id: number }).id;

const ROSTER = csvOf([
  "kim@corp.example,Kim Kaur,Sales,Advisor,lee@corp.example,,2025-01-06",
  "lee@corp.example,Lee Lead,Sales,Head of Sales,ada@corp.example,leader,",
  "ada@corp.example,Ada Admin,,,,admin,",
]);

describe("import → invite → set password → log in → deactivate", () => {
  test("the whole life of an account, over HTTP", async () => {
    const ada = await admin();

    // Preview, then apply.
    const previewPage = await upload(ada, "staff.csv", ROSTER);
    expect(previewPage.status).toBe(200);
    const preview = await previewPage.text();
    expect(preview).toContain('data-testid="import-preview"');
    expect(preview).toContain("kim@corp.example");
    const uploadId = preview.match(/name="uploadId" value="(\d+)"/)![1]!;
    const digest = preview.match(/name="digest" value="([0-9a-f]{64})"/)![1]!;
    expect(
      await one(
        sql`select count(*) n from users where email in (${"kim@corp.example"}, ${"lee@corp.example"})`,
      ),
    ).toEqual({ n: 0 });

    const applied = await ada.post("/admin/import", { uploadId, digest });
    expect(applied.status).toBe(200);
    expect(await applied.text()).toMatch(/Import applied\.<\/strong> <!-- -->2<!-- --> created/);
    const kimId = await idOf("kim@corp.example");

    // Not yet accepted: the failed login says what to do, as it does for everyone.
    const early = await new Browser(server.url).post("/login", {
      email: "kim@corp.example",
      password: "anything-at-all",
    });
    expect(early.status).toBe(400);
    expect(await early.text()).toContain("Invited but not set a password yet?");

    // Invite: the admin sees the link once; without SMTP_URL the mail is in the outbox.
    const invited = await ada.post(`/admin/people/${kimId}`, { intent: "link" });
    expect(invited.status).toBe(200);
    const url = (await invited.text()).match(/value="(http[^"]+\/set-password\/[\w-]+)"/)![1]!;
    const path = new URL(url).pathname;
    expect(await (await ada.get("/admin/outbox")).text()).toContain(path);
    const token = path.split("/").pop()!;
    expect(JSON.stringify(await all(sql`select * from one_time_tokens`))).not.toContain(token);

    // Set the password through the link: logged in at once; the link then stops working.
    const kim = new Browser(server.url);
    expect(await (await kim.get(path)).text()).toContain("Welcome to Staffroom, Kim Kaur");
    const mismatch = await kim.post(path, { password: "kim-secret-2026", confirm: "other" });
    expect(mismatch.status).toBe(400);
    const set = await kim.post(path, { password: "kim-secret-2026", confirm: "kim-secret-2026" });
    expect(set.status).toBe(302);
    expect((await kim.get("/")).status).toBe(200);
    expect((await new Browser(server.url).get(path)).status).toBe(404);

    // A normal login works too.
    const kimElsewhere = new Browser(server.url);
    await kimElsewhere.login("KIM@corp.example", "kim-secret-2026");

    // Deactivation ends every live session at once.
    const deactivated = await ada.post(`/admin/people/${kimId}`, { intent: "deactivate" });
    expect(deactivated.status).toBe(200);
    for (const session of [kim, kimElsewhere]) {
      const res = await session.get("/");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/login/);
    }
    expect(await one(sql`select count(*) n from sessions where user_id = ${kimId}`)).toEqual({
      n: 0,
    });
    const again = await new Browser(server.url).post("/login", {
      email: "kim@corp.example",
      password: "kim-secret-2026",
    });
    expect(again.status).toBe(400);

    // Every admin action is in the audit log, with before and after values.
    const audit = await (await ada.get("/admin/audit")).text();
    for (const action of [
      "roster.imported",
      "person.created",
      "link.issued",
      "person.deactivated",
    ]) {
      expect(audit).toContain(action);
    }
    expect(audit).toContain("status: active");
    expect(audit).toContain("status: deactivated");
  });

  test("changing your own password ends your other sessions and keeps this one", async () => {
    await createUser({
      email: "ava@corp.example",
      name: "Ava Admin",
      departmentId: null,
      isAdmin: true,
      passwordHash: await hashPassword(ADMIN_PASSWORD),
    });
    const first = new Browser(server.url);
    await first.login("ava@corp.example", ADMIN_PASSWORD);
    const second = new Browser(server.url);
    await second.login("ava@corp.example", ADMIN_PASSWORD);
    const wrong = await first.post("/account/password", {
      current: "not-it-at-all",
      password: "a brand new phrase",
      confirm: "a brand new phrase",
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That is not your current password.");
    const changed = await first.post("/account/password", {
      current: ADMIN_PASSWORD,
      password: "a brand new phrase",
      confirm: "a brand new phrase",
    });
    expect(changed.status).toBe(302);
    expect((await first.get("/admin/people")).status).toBe(200);
    expect((await second.get("/admin/people")).status).toBe(302);
  });
});

describe("a bad file over HTTP", () => {
  test.each([
    {
      name: "row errors",
      file: csvOf(["ok@corp.example,Okay,,,,,", "broken,,,,,,2024-13-01"]),
      expected: ["3", "A (email)", "B (name)", "G (hired_on)"],
    },
    {
      // Larger uploads are refused before they are read (test/security/s15-bounded-requests).
      name: "a file just over 10 MB",
      file: `${csvOf([])}${"x".repeat(10 * 1024 * 1024 + 1024)}`,
      expected: ["the limit is 10.0 MB"],
    },
  ])("$name: an error page naming the lines, and the database exactly as before", async (c) => {
    const ada = await admin();
    const before = await databaseDump();
    const res = await upload(ada, "bad.csv", c.file);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("nothing was imported");
    for (const text of c.expected) expect(html).toContain(text);
    const after = await databaseDump();
    // Logging in adds a session; nothing else may change.
    expect({ ...after, sessions: [] }).toEqual({ ...before, sessions: [] });
  });
});

describe("who may", () => {
  test("people who are not admins cannot read or change the roster", async () => {
    const leeId = await createUser({
      email: "lee.leader@corp.example",
      name: "Lee Leader",
      departmentId: null,
      isLeader: true,
      passwordHash: await hashPassword("lee-secret-2026"),
    });
    const lee = new Browser(server.url);
    await lee.login("lee.leader@corp.example", "lee-secret-2026");
    for (const path of ["/admin/people", "/admin/import", "/admin/audit", "/admin/outbox"]) {
      expect((await lee.get(path)).status).toBe(403);
    }
    expect((await lee.get(`/admin/people/${await idOf("ada@corp.example")}`)).status).toBe(403);
    const before = await databaseDump();
    expect((await lee.post(`/admin/people/${leeId}`, { intent: "link" })).status).toBe(403);
    expect((await upload(lee, "x.csv", ROSTER)).status).toBe(403);
    expect({ ...(await databaseDump()), sessions: [] }).toEqual({ ...before, sessions: [] });
  });
});
