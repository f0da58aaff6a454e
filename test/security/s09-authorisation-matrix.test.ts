import { sql } from "kysely";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { syncCourses } from "~/services/courses.server";
import { issueSetPasswordLink } from "~/services/invitations.server";
import { unsubscribeUrl } from "~/services/reminder-settings.server";
import { migratedDatabase, one } from "../helpers/db";
import { Browser } from "../helpers/http";
import { email, loggedIn, seedPeople } from "../helpers/people";
import { completeQuizCourse } from "../helpers/quiz-course";
import { startServer, type RunningServer } from "../helpers/server";

// S9: the role × route × object matrix. The routes come from the build's route manifest, so a
// route added without a row in MATRIX fails here until someone decides who may use it.

const ROLES = ["anonymous", "learner", "manager", "leader", "admin"] as const;
type Role = (typeof ROLES)[number];
/** Who plays each role: Ann learns in Mia's team; Dee is in Xena's; Lee leads; Ada administers. */
const PLAYER: Record<Exclude<Role, "anonymous">, string> = {
  learner: "ann",
  manager: "mia",
  leader: "lee",
  admin: "ada",
};
const PEOPLE = [
  { key: "ada", name: "Ada Admin", dept: "Office", admin: true },
  { key: "lee", name: "Lee Leader", dept: "Board", leader: true },
  { key: "mia", name: "Mia Manager", dept: "Sales" },
  { key: "ann", name: "Ann Able", dept: "Sales", manager: "mia" },
  { key: "ivy", name: "Ivy Invited", dept: "Sales", manager: "mia" },
  { key: "xena", name: "Xena Other", dept: "Warehouse" },
  { key: "dee", name: "Dee Dunn", dept: "Warehouse", manager: "xena" },
] as const;

/**
 * The decision a response shows. `allowed` is any answer that is not a refusal: a page, a file,
 * a form error (400), a redirect somewhere other than the login page. A 500 is never a decision.
 */
type Decision = "allowed" | "login" | "forbidden" | "missing";
const CODES: Record<string, Decision> = { A: "allowed", L: "login", F: "forbidden", N: "missing" };

/** "L F A F F": the decision for anonymous, learner, manager, leader and admin, in that order. */
function decisions(row: string): Record<Role, Decision> {
  const codes = row.split(" ");
  expect(codes, row).toHaveLength(ROLES.length);
  return Object.fromEntries(ROLES.map((role, i) => [role, CODES[codes[i]!]!])) as Record<
    Role,
    Decision
  >;
}

interface Objects {
  ids: Map<string, number>;
  certificate: Record<"ann" | "dee", string>;
  setPasswordToken: string;
  unsubscribeToken: string;
}

interface Case {
  /** The URL, built from the seeded objects. */
  url: (o: Objects) => string;
  /** Decisions for GET (and its `.data` variant). */
  get: string;
  /** Decisions for a POST with an unknown intent (and its `.data` variant): routes with actions. */
  post?: string;
}

const id = (o: Objects, key: string) => o.ids.get(key)!;

/**
 * Every route of the app and who may use it, for the objects that matter: one's own, a report's,
 * another team's, and ones that do not exist. "layout" routes have no URL of their own.
 */
const MATRIX: Record<string, Case[] | "layout"> = {
  root: "layout",
  "routes/_index": [{ url: () => "/", get: "L A A A A" }],
  "routes/login": [{ url: () => "/login", get: "A A A A A", post: "A A A A A" }],
  "routes/logout": [{ url: () => "/logout", get: "A A A A A", post: "L L L L L" }],
  "routes/healthz": [{ url: () => "/healthz", get: "A A A A A" }],
  // The benchmark's floor page and compile counter: nobody's, unless STAFFROOM_BENCHMARK=1.
  "routes/benchmark.floor": [{ url: () => "/benchmark/floor", get: "N N N N N" }],
  "routes/benchmark.stats": [{ url: () => "/benchmark/stats", get: "N N N N N" }],
  // Refused without a live first-admin link, and there is none once anyone exists.
  "routes/setup.$token": [
    { url: () => `/setup/${"x".repeat(43)}`, get: "N N N N N", post: "A A A A A" },
  ],
  "routes/set-password.$token": [
    { url: (o) => `/set-password/${o.setPasswordToken}`, get: "A A A A A", post: "A A A A A" },
    { url: () => `/set-password/${"x".repeat(43)}`, get: "N N N N N" },
  ],
  "routes/account._index": [{ url: () => "/account", get: "L A A A A", post: "L A A A A" }],
  "routes/unsubscribe.$token": [
    { url: (o) => `/unsubscribe/${o.unsubscribeToken}`, get: "A A A A A", post: "A A A A A" },
    { url: (o) => `/unsubscribe/${o.unsubscribeToken}x`, get: "N N N N N", post: "N N N N N" },
    { url: () => "/unsubscribe/not-a-token", get: "N N N N N", post: "N N N N N" },
  ],
  "routes/account.password": [
    { url: () => "/account/password", get: "L A A A A", post: "L A A A A" },
  ],
  "routes/courses.$course._index": [
    { url: () => "/courses/safety", get: "L A A A A" },
    { url: () => "/courses/no-such-course", get: "L N N N N" },
  ],
  "routes/courses.$course.$lesson": [
    { url: () => "/courses/safety/welcome", get: "L A A A A", post: "L A A A A" },
    { url: () => "/courses/safety/no-such-lesson", get: "L N N N N", post: "L A A A A" },
  ],
  "routes/course-assets.$course.$file": [
    { url: () => "/course-assets/safety/sign.png", get: "L A A A A" },
    { url: () => "/course-assets/safety/notes.txt", get: "L N N N N" },
  ],
  "routes/certificates.$code": [
    { url: (o) => `/certificates/${o.certificate.ann}`, get: "L A A A A" },
    { url: (o) => `/certificates/${o.certificate.dee}`, get: "L N N A A" },
    { url: () => `/certificates/${"a".repeat(24)}`, get: "L N N N N" },
  ],
  "routes/verify.$code": [
    { url: (o) => `/verify/${o.certificate.dee}`, get: "A A A A A" },
    { url: () => `/verify/${"a".repeat(24)}`, get: "N N N N N" },
  ],
  "routes/people.$personId": [
    { url: (o) => `/people/${id(o, "ann")}`, get: "L A A A A", post: "L F F F A" },
    { url: (o) => `/people/${id(o, "mia")}`, get: "L N A A A" },
    { url: (o) => `/people/${id(o, "dee")}`, get: "L N N A A", post: "L F F F A" },
    { url: () => "/people/999999", get: "L N N N N" },
    { url: () => "/people/not-a-number", get: "L N N N N" },
  ],
  "routes/team": [
    { url: () => "/team", get: "L F A F F", post: "L F A F F" },
    { url: () => `/team?manager=${email("mia")}`, get: "L F A F F" },
    { url: () => `/team?manager=${email("xena")}`, get: "L F F F F" },
    { url: () => "/team?manager=nobody%40test.example", get: "L F F F F" },
  ],
  "routes/team[.csv]": [
    { url: () => "/team.csv", get: "L F A F F" },
    { url: () => `/team.csv?manager=${email("ann")}`, get: "L F A F F" },
    { url: () => `/team.csv?manager=${email("xena")}`, get: "L F F F F" },
    { url: () => "/team.csv?manager=nobody%40test.example", get: "L F F F F" },
  ],
  "routes/reports._index": [
    { url: () => "/reports", get: "L F F A A", post: "L F F A A" },
    { url: () => `/reports?manager=${email("xena")}`, get: "L F F A A" },
  ],
  "routes/reports.not-finished[.csv]": [
    { url: () => "/reports/not-finished.csv", get: "L F F A A" },
    { url: () => `/reports/not-finished.csv?manager=${email("mia")}`, get: "L F F A A" },
  ],
  "routes/reports.matrix[.csv]": [{ url: () => "/reports/matrix.csv", get: "L F F A A" }],
  "routes/admin.people._index": [{ url: () => "/admin/people", get: "L F F F A" }],
  "routes/admin.people.$id": [
    { url: (o) => `/admin/people/${id(o, "ann")}`, get: "L F F F A", post: "L F F F A" },
    { url: () => "/admin/people/999999", get: "L F F F N" },
  ],
  "routes/admin.people.$id_.export": [
    { url: (o) => `/admin/people/${id(o, "dee")}/export`, get: "L F F F A" },
    { url: () => "/admin/people/999999/export", get: "L F F F N" },
  ],
  "routes/admin.import": [{ url: () => "/admin/import", get: "L F F F A", post: "L F F F A" }],
  "routes/admin.reminders": [
    { url: () => "/admin/reminders", get: "L F F F A", post: "L F F F A" },
  ],
  "routes/admin.outbox": [{ url: () => "/admin/outbox", get: "L F F F A" }],
  "routes/admin.audit": [{ url: () => "/admin/audit", get: "L F F F A" }],
  "routes/admin.assignments._index": [{ url: () => "/admin/assignments", get: "L F F F A" }],
  "routes/admin.courses._index": [
    { url: () => "/admin/courses", get: "L F F F A", post: "L F F F A" },
  ],
  "routes/admin.courses.$course._index": [
    { url: () => "/admin/courses/safety", get: "L F F F A", post: "L F F F A" },
    { url: () => "/admin/courses/no-such-course", get: "L F F F N" },
  ],
  "routes/admin.courses.$course.$lesson._index": [
    { url: () => "/admin/courses/safety/check", get: "L F F F A" },
    { url: () => "/admin/courses/safety/no-such-lesson", get: "L F F F N" },
  ],
  "routes/admin.courses.$course.$lesson.edit": [
    { url: () => "/admin/courses/safety/check/edit", get: "L F F F A", post: "L F F F A" },
    { url: () => "/admin/courses/no-such-course/check/edit", get: "L F F F N" },
  ],
  // Without a draft there is nothing to publish yet.
  "routes/admin.courses.$course.$lesson.publish": [
    { url: () => "/admin/courses/safety/check/publish", get: "L F F F N", post: "L F F F A" },
  ],
  "routes/admin.courses.$course.$lesson.history": [
    { url: () => "/admin/courses/safety/check/history", get: "L F F F A" },
    { url: () => "/admin/courses/safety/no-such-lesson/history", get: "L F F F N" },
  ],
  "routes/admin.course-images.$course": [
    { url: () => "/admin/course-images/safety", get: "L F F F A", post: "L F F F A" },
    { url: () => "/admin/course-images/no-such-course", get: "L F F F N" },
  ],
  "routes/admin.assignments.$ruleId": [
    { url: () => "/admin/assignments/1", get: "L F F F A", post: "L F F F A" },
    { url: () => "/admin/assignments/new", get: "L F F F A", post: "L F F F A" },
  ],
};

interface BuiltRoute {
  path?: string;
  index?: boolean;
  parentId?: string;
  module: { loader?: unknown; action?: unknown };
}

let server: RunningServer;
let objects: Objects;
let routes: Record<string, BuiltRoute>;
const browsers = new Map<Role, Browser>();

beforeAll(async () => {
  await migratedDatabase();
  const ids = await seedPeople(PEOPLE);
  const sync = await syncCourses("test/fixtures/courses-quiz");
  expect(sync.errors).toEqual([]);
  const certificate = { ann: "", dee: "" };
  for (const key of ["ann", "dee"] as const) {
    await completeQuizCourse(ids.get(key)!);
  }
  for (const key of ["ann", "dee"] as const) {
    certificate[key] = (
      (await one(sql`select code from certificates where user_id = ${ids.get(key)}`)) as {
        code: string;
      }
    ).code;
  }
  const link = await issueSetPasswordLink({ id: null, label: "test" }, ids.get("ivy")!);
  objects = {
    ids,
    certificate,
    setPasswordToken: link.url.split("/").pop()!,
    unsubscribeToken: (await unsubscribeUrl(ids.get("mia")!, "digest")).split("/").pop()!,
  };
  ({ routes } = (await import(path.resolve("build/server/index.js"))) as {
    routes: Record<string, BuiltRoute>;
  });
  server = await startServer({ COURSES_DIR: "test/fixtures/courses-quiz" });
  for (const role of ROLES) browsers.set(role, await browserFor(role));
});

const browserFor = (role: Role) =>
  role === "anonymous" ? new Browser(server.url) : loggedIn(server.url, PLAYER[role]);

afterAll(async () => {
  await server?.stop();
});

/** The single-fetch data URL of a page URL: `/x?y` → `/x.data?y`, `/` → `/_root.data`. */
function dataUrl(url: string) {
  const [pathname, query] = url.split("?");
  return `${pathname === "/" ? "/_root" : pathname}.data${query ? `?${query}` : ""}`;
}

async function decisionOf(res: Response): Promise<Decision | string> {
  let location = res.headers.get("location");
  if (res.status === 202) {
    // Single fetch answers a redirect with 202 and the target in the body.
    location = /"redirect","([^"]+)"/.exec(await res.text())?.[1] ?? null;
  }
  if (location?.startsWith("/login")) return "login";
  if (res.status === 403) return "forbidden";
  if (res.status === 404) return "missing";
  // A form error (400) got past the authorisation check: the probe's fields are nonsense.
  if (res.status < 500 && res.status !== 401) return "allowed";
  return `unexpected ${res.status}`;
}

const fullPath = (routeId: string): string => {
  const route = routes[routeId]!;
  const parent = route.parentId && route.parentId !== "root" ? fullPath(route.parentId) : "";
  return [parent, route.path ?? ""].filter(Boolean).join("/");
};

describe("S9 role × route × object matrix", () => {
  test("S9 every route in the build has an authorisation decision, and every action a POST row", () => {
    const undecided = Object.keys(routes).filter((routeId) => !Object.hasOwn(MATRIX, routeId));
    expect(undecided, "routes without a row in MATRIX").toEqual([]);
    const gone = Object.keys(MATRIX).filter((routeId) => !Object.hasOwn(routes, routeId));
    expect(gone, "MATRIX rows for routes that no longer exist").toEqual([]);
    for (const [routeId, route] of Object.entries(routes)) {
      const cases = MATRIX[routeId]!;
      if (cases === "layout") {
        expect(route.path ?? "", `${routeId} is a layout without a URL`).toBe("");
        continue;
      }
      for (const c of cases) {
        const { pathname } = new URL(c.url(objects), server.url);
        const pattern = `^/${fullPath(routeId)
          .replace(/[.]/g, "\\.")
          .replace(/:[^/]+/g, "[^/]+")}$`;
        expect(pathname, `${routeId}: the URL belongs to the route`).toMatch(new RegExp(pattern));
      }
      if (route.module.action) {
        expect(
          cases.some((c) => c.post),
          `${routeId} has an action: give it a POST row`,
        ).toBe(true);
      }
    }
  });

  const rows = Object.entries(MATRIX).flatMap(([routeId, cases]) =>
    cases === "layout" ? [] : cases.map((c, i) => ({ routeId, i, c })),
  );

  test.each(rows)(
    "S9 $routeId #$i: GET and .data answer as decided for every role",
    async ({ c }) => {
      const url = c.url(objects);
      const expected = decisions(c.get);
      const got: Record<string, string> = {};
      for (const role of ROLES) {
        const browser = browsers.get(role)!;
        got[role] = await decisionOf(await browser.get(url));
        got[`${role} .data`] = await decisionOf(await browser.get(dataUrl(url)));
      }
      const want = Object.fromEntries(
        ROLES.flatMap((role) => [
          [role, expected[role]],
          [`${role} .data`, expected[role]],
        ]),
      );
      expect(got, url).toEqual(want);
    },
  );

  test.each(rows.filter((r) => r.c.post))(
    "S9 $routeId #$i: a POST (and its .data) answers as decided for every role",
    async ({ c }) => {
      const url = c.url(objects);
      const expected = decisions(c.post!);
      const got: Record<string, string> = {};
      // Fresh sessions: a POST may end the one it came with (logout).
      for (const role of ROLES) {
        const probe = { intent: "matrix-probe" };
        got[role] = await decisionOf(await (await browserFor(role)).post(url, probe));
        got[`${role} .data`] = await decisionOf(
          await (await browserFor(role)).post(dataUrl(url), probe),
        );
      }
      const want = Object.fromEntries(
        ROLES.flatMap((role) => [
          [role, expected[role]],
          [`${role} .data`, expected[role]],
        ]),
      );
      expect(got, url).toEqual(want);
    },
  );
});
