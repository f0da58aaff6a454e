import { sql } from "kysely";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedDatabase, one } from "../helpers/db";
import { email, loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;

// Leader Lee; Mia manages Max and Ann; Max manages Bo and Cy; Xena manages Dee (another team).
const PEOPLE = [
  { key: "lee", name: "Lee Leader", dept: "Board", leader: true },
  { key: "mia", name: "Mia Manager", dept: "Sales", manager: "lee" },
  { key: "max", name: "Max Middle", dept: "Sales", manager: "mia" },
  { key: "ann", name: "Ann Able", dept: "Sales", manager: "mia" },
  { key: "bo", name: "Bo Baker", dept: "Sales", manager: "max" },
  { key: "cy", name: "Cy Cole", dept: "Sales", manager: "max" },
  { key: "xena", name: "Xena Other", dept: "Warehouse", manager: "lee" },
  { key: "dee", name: "Dee Dunn", dept: "Warehouse", manager: "xena" },
] as const;
const nameOf = (key: string) => PEOPLE.find((p) => p.key === key)!.name;
const as = (key: string) => loggedIn(server.url, key);

async function notFinishedNames(course: string) {
  const leader = await as("lee");
  const res = await leader.get(`/reports/not-finished.csv?course=${course}`);
  expect(res.status).toBe(200);
  const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
  return rows.map((r) => r.name).sort();
}

beforeAll(async () => {
  await migratedDatabase();
  await seedPeople(PEOPLE);
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

describe("the learning loop", () => {
  test("the not-finished list names exactly who has not finished, before and after a completion", async () => {
    const everyone = PEOPLE.map((p) => p.name).sort();
    expect(await notFinishedNames("basics")).toEqual(everyone);

    const bo = await as("bo");
    const page = await bo.get("/courses/basics/first");
    expect(page.status).toBe(200);
    expect(await notFinishedNames("basics")).toEqual(everyone);

    const first = await bo.post("/courses/basics/first", { intent: "complete" });
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/courses/basics/second");
    expect(await notFinishedNames("basics")).toEqual(everyone);

    const second = await bo.post("/courses/basics/second", { intent: "complete" });
    expect(second.status).toBe(302);
    expect(await notFinishedNames("basics")).toEqual(everyone.filter((n) => n !== nameOf("bo")));
    // The other course is untouched.
    expect(await notFinishedNames("quizzed")).toEqual(everyone);

    const home = await (await bo.get("/")).text();
    expect(home).toContain("You have completed 1 of 2 courses.");
  });

  test("a lesson with a quiz cannot be marked complete by hand", async () => {
    const cy = await as("cy");
    const res = await cy.post("/courses/quizzed/check", { intent: "complete" });
    expect(res.status).toBe(400);
    expect(
      await one(
        sql`select count(*) n from lesson_progress where completed_at is not null and user_id = (select id from users where email = ${email("cy")})`,
      ),
    ).toEqual({ n: 0 });
  });

  test("lesson pages carry no compiled MDX and no answer key", async () => {
    const ann = await as("ann");
    for (const path of [
      "/courses/quizzed/check",
      "/courses/quizzed/check.data",
      "/courses/quizzed",
      "/courses/basics/first",
    ]) {
      const body = await (await ann.get(path)).text();
      expect(body).not.toMatch(/MDXContent|getMDXComponent|_jsx\(|jsx_runtime|new Function/);
      expect(body).not.toContain("EXPLANATION-MARKER");
      expect(body).not.toMatch(/\\?"correct\\?"\s*:/);
    }
    const html = await (await ann.get("/courses/quizzed/check")).text();
    expect(html).toContain("Which colour is the sky on a clear day?");
  });
});

describe("who sees whom", () => {
  const teamEmails = async (key: string) => {
    const res = await (await as(key)).get("/team");
    expect(res.status).toBe(200);
    const html = await res.text();
    const table = html.slice(html.indexOf('data-testid="team-table"'), html.indexOf("</table>"));
    return [...new Set(table.match(/[a-z]+@test\.example/g))].sort();
  };

  test("a manager's team page lists exactly their subtree", async () => {
    expect(await teamEmails("mia")).toEqual(["ann", "bo", "cy", "max"].map(email));
    expect(await teamEmails("max")).toEqual(["bo", "cy"].map(email));
    expect(await teamEmails("xena")).toEqual(["dee"].map(email));
  });
});

test("GET /healthz answers ok", async () => {
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok" });
});
