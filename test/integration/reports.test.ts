import { sql } from "kysely";
import { spawnSync } from "node:child_process";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { email, loggedIn, seedPeople } from "../helpers/people";
import { startServer, type RunningServer } from "../helpers/server";

const DAY_MS = 24 * 60 * 60 * 1000;
let server: RunningServer;
let ids: Map<string, number>;

// Lee leads; Mia manages Max and Ann; Max manages Bo and Cy; Xena manages Dee; Sam administers.
// Eve's department name and Zed's name are spreadsheet formulas (CSV injection attempts).
const PEOPLE = [
  { key: "lee", name: "Lee Leader", dept: "Board", leader: true },
  { key: "sam", name: "Sam Admin", dept: "Board", admin: true, manager: "lee" },
  { key: "mia", name: "Mia Manager", dept: "Sales", manager: "lee" },
  { key: "max", name: "Max Middle", dept: "Sales", manager: "mia" },
  { key: "ann", name: "Ann Able", dept: "Sales", manager: "mia" },
  { key: "bo", name: "Bo Baker", dept: "Sales", manager: "max" },
  { key: "cy", name: "Cy Cole", dept: "Sales", manager: "max" },
  { key: "xena", name: "Xena Other", dept: "Warehouse", manager: "lee" },
  { key: "dee", name: "Dee Dunn", dept: "Warehouse", manager: "xena" },
  { key: "eve", name: "Eve Evans", dept: "@SUM(1+1)", manager: "xena" },
  { key: "zed", name: '=HYPERLINK("http://x")', dept: "Warehouse", manager: "xena" },
] as const;
// People of one test each, outside the teams above: Kai manages Wyn (waived) and Ola (overdue).
const OWN = [
  { key: "kai", name: "Kai Keeper", dept: "Board", manager: "lee" },
  { key: "wyn", name: "Wyn Waived", dept: "Board", manager: "kai" },
  { key: "ola", name: "Ola Overdue", dept: "Board", manager: "kai" },
] as const;
/** The rows of PEOPLE, whom no test changes. */
const ofPeople = (rows: Record<string, string>[]) =>
  rows.filter((r) => PEOPLE.some((p) => r.email === email(p.key)));
const keysOf = (emails: string[]) => [...new Set(emails)].map((e) => e.split("@")[0]).sort();
const as = (key: string) => loggedIn(server.url, key);

async function csv(browser: Browser, path: string) {
  const res = await browser.get(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/csv");
  return parse(await res.text(), { columns: true }) as Record<string, string>[];
}

function staffroom(args: string[], offsetDays = 0) {
  const result = spawnSync(process.execPath, ["bin/staffroom.js", ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      COURSES_DIR: "test/fixtures/courses-integration",
      STAFFROOM_CLOCK_OFFSET_MS: String(offsetDays * DAY_MS),
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The id of the assignment of `key` to the course `slug`. */
const assignmentOf = async (key: string, slug: string) =>
  (
    (await one(
      sql`select a.id from assignments a join courses c on c.id = a.course_id where a.user_id = ${ids.get(key)} and c.slug = ${slug}`,
    )) as { id: number }
  ).id;

beforeAll(async () => {
  await migratedDatabase();
  ids = await seedPeople([...PEOPLE, ...OWN]);
  // The server's start loads the courses and assigns them by the default rule.
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-integration" });
});

afterAll(async () => {
  await server?.stop();
});

describe("a manager sees exactly their subtree", () => {
  const teamPage = async (key: string, query = "") => {
    const res = await (await as(key)).get(`/team${query}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const table = html.slice(html.indexOf('data-testid="team-table"'), html.indexOf("</table>"));
    // The people's emails as the cells show them (forms in the table carry the filter's too).
    return keysOf([...table.matchAll(/>([a-z]+@test\.example)</g)].map((m) => m[1]!));
  };

  test("the team page and the team CSV list their direct and indirect reports, nobody else", async () => {
    expect(await teamPage("mia")).toEqual(["ann", "bo", "cy", "max"]);
    expect(await teamPage("max")).toEqual(["bo", "cy"]);
    expect(await teamPage("xena")).toEqual(["dee", "eve", "zed"]);
    for (const [key, team] of [
      ["mia", ["ann", "bo", "cy", "max"]],
      ["max", ["bo", "cy"]],
    ] as const) {
      const rows = await csv(await as(key), "/team.csv");
      expect(keysOf(rows.map((r) => r.email!))).toEqual(team);
      // Every assigned course of each person: 2 courses each.
      expect(rows).toHaveLength(team.length * 2);
    }
  });

  test("a sub-team inside the manager's own team can be chosen; another team cannot", async () => {
    const mia = await as("mia");
    expect(
      keysOf((await csv(mia, `/team.csv?manager=${email("max")}`)).map((r) => r.email!)),
    ).toEqual(["bo", "cy"]);
    expect(await teamPage("mia", `?manager=${email("max")}`)).toEqual(["bo", "cy"]);
    expect((await mia.get(`/team.csv?manager=${email("xena")}`)).status).toBe(403);
    expect((await mia.get(`/team?manager=${email("xena")}`)).status).toBe(403);
    expect((await mia.get(`/team?manager=${email("lee")}`)).status).toBe(403);
    const max = await as("max");
    expect((await max.get(`/team.csv?manager=${email("mia")}`)).status).toBe(403);
  });
});

describe("leadership", () => {
  test("the page shows the headline figures, both charts and the list", async () => {
    const res = await (await as("lee")).get("/reports");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("completed by the due date");
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain("Completed, by department");
    expect(html).toContain("Completed, by course");
    expect(html).toContain('data-testid="not-finished"');
  });

  test("the full matrix: every active person × course, cells neutralised", async () => {
    const rows = await csv(await as("lee"), "/reports/matrix.csv");
    expect(Object.keys(rows[0]!)).toEqual([
      "email",
      "name",
      "department",
      "manager_email",
      "course",
      "status",
      "due_date",
      "completed_date",
    ]);
    expect(rows).toHaveLength((PEOPLE.length + OWN.length) * 2);
    // Nobody has started anything; only the waiver tests' own people may have a course waived.
    expect(ofPeople(rows)).toHaveLength(PEOPLE.length * 2);
    expect(ofPeople(rows).every((r) => r.status === "not_started")).toBe(true);
    expect(rows.find((r) => r.email === email("zed"))!.name).toBe(`'=HYPERLINK("http://x")`);
    expect(rows.find((r) => r.email === email("eve"))!.department).toBe("'@SUM(1+1)");
  });

  test("filters narrow the not-finished CSV; a bad filter is a 400 that names it", async () => {
    const lee = await as("lee");
    const rows = await csv(
      lee,
      `/reports/not-finished.csv?course=quizzed&manager=${email("xena")}&status=not_started`,
    );
    expect(rows.map((r) => r.email).sort()).toEqual(["dee", "eve", "zed"].map(email));
    expect(rows.every((r) => r.course === "quizzed" && r.due_date)).toBe(true);
    const department = await csv(lee, "/reports/not-finished.csv?department=Warehouse");
    expect(keysOf(department.map((r) => r.email!))).toEqual(["dee", "xena", "zed"]);
    const bad = await lee.get("/reports/not-finished.csv?status=completed_on_time");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('"status"');
    expect((await lee.get("/reports?status=bogus")).status).toBe(400);
  });
});

describe("waivers", () => {
  test("an admin waives one assignment with a reason; others cannot", async () => {
    const wyn = ids.get("wyn")!;
    const assignmentId = String(await assignmentOf("wyn", "quizzed"));
    // Not even their manager.
    const kai = await as("kai");
    expect((await kai.post(`/people/${wyn}`, { assignmentId, reason: "No" })).status).toBe(403);

    const sam = await as("sam");
    const blank = await sam.post(`/people/${wyn}`, {
      assignmentId,
      reason: "",
    });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain("Give a reason of at least 3 characters.");
    // Another person's assignment through this person's URL: nothing happens.
    const wrong = await sam.post(`/people/${ids.get("bo")}`, {
      assignmentId,
      reason: "Trying the wrong person",
    });
    expect(wrong.status).toBe(404);

    const ok = await sam.post(`/people/${wyn}`, {
      assignmentId,
      reason: "Certified elsewhere in 2025",
    });
    expect(ok.status).toBe(302);
    const page = await (await sam.get(`/people/${wyn}`)).text();
    expect(page).toContain("Waived");
    expect(page).toContain("Certified elsewhere in 2025");
    const rows = await csv(await as("lee"), "/reports/matrix.csv");
    expect(rows.find((r) => r.email === email("wyn") && r.course === "quizzed")!.status).toBe(
      "waived",
    );
  });
});

describe("the CLI report", () => {
  test("--overdue lists what is past due, with due_date and manager_email", async () => {
    const sam = await as("sam");
    const waived = await sam.post(`/people/${ids.get("ola")}`, {
      assignmentId: String(await assignmentOf("ola", "quizzed")),
      reason: "Certified elsewhere in 2025",
    });
    expect(waived.status).toBe(302);
    const now = staffroom(["report", "not-finished", "--overdue", "--format", "json"]);
    expect(now.code).toBe(0);
    expect(JSON.parse(now.stdout)).toEqual([]);

    const later = staffroom(["report", "not-finished", "--overdue", "--format", "json"], 31);
    expect(later.code).toBe(0);
    const rows = JSON.parse(later.stdout) as Record<string, string>[];
    // Everyone on both courses, except Ola's waived one.
    expect(ofPeople(rows)).toHaveLength(PEOPLE.length * 2);
    expect(rows.filter((r) => r.email === email("ola")).map((r) => r.course)).toEqual(["basics"]);
    expect(rows.find((r) => r.email === email("bo"))).toMatchObject({
      status: "overdue",
      manager_email: email("max"),
      due_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });
});
