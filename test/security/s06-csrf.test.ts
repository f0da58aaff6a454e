import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { rowIdentity } from "~/utils/db-catalogue.server";
import { all, migratedDatabase } from "../helpers/db";
import { Browser } from "../helpers/http";
import { email, loggedIn, PASSWORD, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let ids: Map<string, number>;

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople([
    { key: "ada", name: "Ada Admin", admin: true },
    { key: "dee", name: "Dee Dunn" },
  ]);
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

/** Everything a refused request could have changed. */
const snapshot = () =>
  Promise.all(
    ["sessions", "progress_events", "lesson_progress", "audit_log", "one_time_tokens", "users"].map(
      (table) => all(sql`select * from ${sql.table(table)} order by ${rowIdentity()}`),
    ),
  );

describe("S6 CSRF: every non-GET from a foreign or missing Origin gets 403 and changes nothing", () => {
  const origins = [
    ["a foreign", "https://evil.example"],
    ["a missing", null],
    ["a look-alike", "http://127.0.0.1.evil.example"],
  ] as const;

  test.each(origins)("S6 %s Origin on /login", async (_, origin) => {
    const before = await snapshot();
    const res = await new Browser(server.url).post(
      "/login",
      { email: email("dee"), password: PASSWORD },
      origin,
    );
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  test.each(origins)("S6 %s Origin on a lesson and its .data action", async (_, origin) => {
    const dee = await loggedIn(server.url, "dee");
    const before = await snapshot();
    for (const path of ["/courses/basics/first", "/courses/basics/first.data"]) {
      const res = await dee.post(path, { intent: "complete" }, origin);
      expect(res.status, path).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  test.each(origins)("S6 %s Origin on an admin action", async (_, origin) => {
    const ada = await loggedIn(server.url, "ada");
    const before = await snapshot();
    const res = await ada.post(`/admin/people/${ids.get("dee")}`, { intent: "deactivate" }, origin);
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  test("S6 the same requests from Staffroom's own origin go through", async () => {
    const dee = await loggedIn(server.url, "dee");
    const res = await dee.post("/courses/basics/first", { intent: "complete" });
    expect(res.status).toBe(302);
  });
});
