/**
 * P1: signed-in pages of the demo organisation, requested as a browser requests them (document
 * GET, compressed, with the session cookie), against the floor (the smallest page of the same
 * build, through the same root) at 50 connections; one worker, the production server.
 * P6: the page mix with one worker and with two, rounds alternating between the two servers.
 * P4 (first half): MDX compiles counted in the serving processes over both.
 */
import type { BenchResult } from "./types";
import { DEMO_COURSES_DIR, demoDatabase, sessionCookies } from "./demo-org";
import {
  benchRounds,
  benchSeconds,
  browserHeaders,
  figures,
  inRounds,
  load,
  loadTogether,
  type Figures,
  type Sample,
  type Target,
} from "./load";
import { getJson, startBenchServer, type BenchServer } from "./server";

const CONNECTIONS = 50;
const MANAGER = "priya.shah@harbour.example";
const LEADER = "margaret.okafor@harbour.example";
const LESSON = "/courses/e-commerce-is-business/costs-and-benefits";

interface Page {
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

const PAGES: Page[] = [
  { name: "floor", path: "/benchmark/floor", who: MANAGER, shows: "Hello." },
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

const BUDGETED = new Set(["lesson page", "learner home"]);
const ms = (n: number) => `${n.toFixed(0)} ms`;
const rate = (f: Figures) => `${f.rps.toFixed(0)} req/s`;
const cpu = (f: Figures) => `${f.cpuMsPerAnswer.toFixed(2)} ms CPU per answer`;

/** The compiles run so far by every worker of `server` (each answers with its own count). */
async function compiles(server: BenchServer, workers: number): Promise<number> {
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

export async function run(): Promise<BenchResult[]> {
  const databasePath = demoDatabase();
  process.env.DATABASE_PATH = databasePath;
  const cookies = await sessionCookies([MANAGER, LEADER]);
  const { closeDatabase } = await import("~/utils/db.server");
  await closeDatabase();
  const targetOf = (page: Page, connections: number): Target => ({
    name: page.name,
    path: page.path,
    connections,
    headers: page.data
      ? { ...browserHeaders(cookies.get(page.who)), accept: "*/*" }
      : browserHeaders(cookies.get(page.who)),
  });

  const servers = {
    one: undefined as BenchServer | undefined,
    two: undefined as BenchServer | undefined,
  };
  try {
    servers.one = await startBenchServer({ databasePath, coursesDir: DEMO_COURSES_DIR });
    servers.two = await startBenchServer({
      databasePath,
      coursesDir: DEMO_COURSES_DIR,
      workers: 2,
    });
    const one = servers.one;
    const two = servers.two;
    const compiledBefore = (await compiles(one, 1)) + (await compiles(two, 2));

    for (const page of PAGES) {
      const res = await fetch(one.url + page.path, { headers: targetOf(page, 1).headers });
      const text = await res.text();
      if (res.status !== 200 || !text.includes(page.shows)) {
        throw new Error(`${page.path} answered ${res.status} without "${page.shows}".`);
      }
    }
    // Warm both servers (JIT, caches) before anything counts.
    for (const server of [one, two]) {
      await loadTogether(
        server.url,
        PAGES.map((p) => targetOf(p, 8)),
        benchSeconds(3),
      );
    }

    // Short runs in several rounds, each target in turn: the neighbours' load drifts over a run,
    // and this spreads it over every target alike.
    const seconds = benchSeconds(3);
    const rounds = benchRounds(5);
    const p1 = await inRounds(rounds, async () => {
      const samples = [];
      for (const page of PAGES) {
        samples.push(await load(one.url, targetOf(page, CONNECTIONS), seconds, one.cpuMs));
      }
      return samples;
    });
    const mix = PAGES.filter((p) => p.mix).map((p) => targetOf(p, p.mix!));
    // Rounds alternate between the two servers; CPU time is what each server used for its mix.
    const mixCpuMs = { one: 0, two: 0 };
    const mixOn = async (server: BenchServer, key: keyof typeof mixCpuMs) => {
      const before = server.cpuMs();
      const samples = await loadTogether(server.url, mix, seconds);
      mixCpuMs[key] += server.cpuMs() - before;
      return samples;
    };
    const p6one = new Map<string, Sample[]>();
    const p6two = new Map<string, Sample[]>();
    for (let round = 0; round < rounds; round++) {
      for (const [byPage, samples] of [
        [p6one, await mixOn(one, "one")],
        [p6two, await mixOn(two, "two")],
      ] as const) {
        for (const sample of samples) {
          byPage.set(sample.name, [...(byPage.get(sample.name) ?? []), sample]);
        }
      }
    }
    const compiledWhileServing =
      (await compiles(one, 1)) + (await compiles(two, 2)) - compiledBefore;

    const results: BenchResult[] = [];
    const floor = figures(p1.get("floor")!);
    results.push({
      id: "P1",
      name: "floor page (benchmark-only, same root), req/s",
      value: floor.rps,
      unit: "req/s",
      detail: `p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}; ${cpu(floor)}; ${floor.failures} failed`,
    });
    for (const page of PAGES.filter((p) => p.name !== "floor")) {
      const f = figures(p1.get(page.name)!);
      const budgeted = BUDGETED.has(page.name);
      const detail = `${rate(f)} vs ${rate(floor)}; p50 ${ms(f.p50)}, p99 ${ms(f.p99)}; ${cpu(f)} (${(f.cpuMsPerAnswer / floor.cpuMsPerAnswer).toFixed(2)}× the floor's); ${(f.bytesPerAnswer / 1024).toFixed(1)} KB sent; ${f.failures} failed`;
      results.push({
        id: "P1",
        name: `${page.name} ÷ floor, req/s`,
        value: f.failures > 0 ? 0 : f.rps / floor.rps,
        unit: "×",
        ...(budgeted ? { budget: 0.9, better: "higher" as const } : {}),
        detail,
      });
      results.push({
        id: "P1",
        name: `${page.name} p99 at ${CONNECTIONS} connections`,
        value: f.p99,
        unit: "ms",
        ...(budgeted ? { budget: 150 } : {}),
      });
    }

    const mixRps = (byPage: typeof p6one) =>
      [...byPage.values()].reduce((n, samples) => n + figures(samples).rps, 0);
    const answers = (byPage: typeof p6one) =>
      [...byPage.values()].flat().reduce((n, sample) => n + sample.latencies.length, 0);
    const oneRps = mixRps(p6one);
    const twoRps = mixRps(p6two);
    const failures = [...p6one.values(), ...p6two.values()]
      .flat()
      .reduce((n, s) => n + s.failures, 0);
    const worst = mix.map((t) => {
      const single = figures(p6one.get(t.name)!);
      const double = figures(p6two.get(t.name)!);
      return { name: t.name, ratio: double.max / single.p99, single, double };
    });
    const slowest = worst.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    results.push({
      id: "P6",
      name: "page mix, two workers ÷ one, req/s",
      value: failures > 0 ? 0 : twoRps / oneRps,
      unit: "×",
      budget: 1.7,
      better: "higher",
      detail: `${twoRps.toFixed(0)} vs ${oneRps.toFixed(0)} req/s; CPU per answer ${(mixCpuMs.two / answers(p6two)).toFixed(2)} vs ${(mixCpuMs.one / answers(p6one)).toFixed(2)} ms; ${failures} failed`,
    });
    results.push({
      id: "P6",
      name: "slowest request with two workers ÷ its page's one-worker p99",
      value: slowest.ratio,
      unit: "×",
      budget: 2,
      detail: worst
        .map(
          (w) =>
            `${w.name}: max ${ms(w.double.max)} (p99 ${ms(w.double.p99)}) vs p99 ${ms(w.single.p99)}`,
        )
        .join("; "),
    });
    results.push({
      id: "P4",
      name: "MDX compiles while serving P1 and P6",
      value: compiledWhileServing,
      unit: "",
      budget: 0,
    });
    return results;
  } finally {
    await servers.one?.stop();
    await servers.two?.stop();
  }
}
