/**
 * The signed-in pages of the demo organisation that P1 and P6 measure, requested as a browser
 * requests them (document GET, compressed, with the session cookie), and the floor they are
 * measured against: the benchmark-only page of the same build, through the same root.
 */
import { DEMO_COURSES_DIR, demoDatabase, sessionCookies } from "./demo-org";
import { browserHeaders, type Target } from "./load";
import { getJson, startBenchServer, type BenchServer } from "./server";

const MANAGER = "priya.shah@harbour.example";
const LEADER = "margaret.okafor@harbour.example";
const LESSON = "/courses/e-commerce-is-business/costs-and-benefits";

export interface Page {
  name: string;
  path: string;
  who: string;
  /** Text the page must contain: the bench measures the page, not a redirect or an error. */
  shows: string;
  /** Its share of the P6 mix, in connections (adding up to 50). */
  mix?: number;
  /** A `.data` request (client-side navigation) rather than a document. */
  data?: boolean;
}

export const FLOOR = "floor";

export const PAGES: Page[] = [
  { name: FLOOR, path: "/benchmark/floor", who: MANAGER, shows: "Hello." },
  {
    name: "lesson page",
    path: LESSON,
    who: MANAGER,
    shows: "Counting the costs and the benefits",
    mix: 20,
  },
  { name: "learner home", path: "/", who: MANAGER, shows: "My training", mix: 14 },
  { name: "team page", path: "/team", who: MANAGER, shows: "My team", mix: 8 },
  {
    name: "leadership report",
    path: "/reports",
    who: LEADER,
    shows: "Who has not finished",
    mix: 8,
  },
  {
    name: "lesson .data",
    path: `${LESSON}.data`,
    who: MANAGER,
    shows: "Counting the costs and the benefits",
    data: true,
  },
];

/**
 * The demo database with fresh sessions for the people the pages are requested as, and a way to
 * start servers on it and to make each page's load target.
 */
export async function demoPages() {
  const databasePath = demoDatabase();
  process.env.DATABASE_PATH = databasePath;
  const cookies = await sessionCookies([MANAGER, LEADER]);
  const { closeDatabase } = await import("~/utils/db.server");
  await closeDatabase();
  const headersOf = (page: Page) =>
    page.data
      ? { ...browserHeaders(cookies.get(page.who)), accept: "*/*" }
      : browserHeaders(cookies.get(page.who));
  return {
    start: (workers = 1) =>
      startBenchServer({ databasePath, coursesDir: DEMO_COURSES_DIR, workers }),
    target: (page: Page, connections: number): Target => ({
      name: page.name,
      path: page.path,
      connections,
      headers: headersOf(page),
    }),
    /** Fails unless every page answers 200 with its text on `server`. */
    async check(server: BenchServer) {
      for (const page of PAGES) {
        const res = await fetch(server.url + page.path, { headers: headersOf(page) });
        const text = await res.text();
        if (res.status !== 200 || !text.includes(page.shows)) {
          throw new Error(`${page.path} answered ${res.status} without "${page.shows}".`);
        }
      }
    },
  };
}

/** The compiles run so far by every worker of `server` (each answers with its own count). */
export async function compiles(server: BenchServer, workers: number): Promise<number> {
  const seen = new Map<number, number>();
  for (let i = 0; i < 50 && seen.size < workers; i++) {
    const { body } = await getJson<{ pid: number; compiles: number }>(
      `${server.url}/benchmark/stats`,
    );
    seen.set(body.pid, body.compiles);
  }
  if (seen.size < workers) throw new Error(`Only ${seen.size} of ${workers} workers answered.`);
  return [...seen.values()].reduce((a, b) => a + b, 0);
}
