/**
 * P1: each signed-in page of the demo organisation against the floor (bench/demo-pages.ts), one
 * at a time at 50 connections, on the production server with one worker; rounds of short runs,
 * every page in turn; and the lesson page as a returning reader's browser asks for it (with its
 * ETag: 304). P4 (first half): MDX compiles counted in the server over the whole run.
 */
import { compiles, demoPages, FLOOR, PAGES } from "./demo-pages";
import {
  benchRounds,
  benchSeconds,
  figures,
  inRounds,
  load,
  loadTogether,
  type Figures,
} from "./load";
import type { BenchServer } from "./server";
import type { BenchResult } from "./types";

const CONNECTIONS = 50;
const BUDGETED = new Set(["lesson page", "learner home"]);
const REVISITED = "lesson page revisited (If-None-Match → 304)";
const ms = (n: number) => `${n.toFixed(0)} ms`;
const rate = (f: Figures) => `${f.rps.toFixed(0)} req/s`;
const cpu = (f: Figures) => `${f.cpuMsPerAnswer.toFixed(2)} ms CPU per answer`;

export async function run(): Promise<BenchResult[]> {
  const demo = await demoPages();
  let server: BenchServer | undefined;
  try {
    server = await demo.start();
    const one = server;
    await demo.check(one);
    const compiledBefore = await compiles(one, 1);
    // Warm up (JIT, caches) before anything counts.
    await loadTogether(
      one.url,
      PAGES.map((p) => demo.target(p, 8)),
      benchSeconds(3),
    );

    // A reader coming back to the lesson: the browser asks with the tag it was given.
    const lesson = demo.target(
      PAGES.find((p) => p.name === "lesson page")!,
      CONNECTIONS,
    );
    const etag = (await fetch(one.url + lesson.path, { headers: lesson.headers })).headers.get(
      "ETag",
    );
    const revisit = {
      ...lesson,
      name: REVISITED,
      headers: { ...lesson.headers, "if-none-match": etag ?? "" },
      status: 304,
    };

    // Short runs in several rounds, each page in turn: the neighbours' load drifts over a run,
    // and this spreads it over every page alike.
    const seconds = benchSeconds(3);
    const targets = [...PAGES.map((page) => demo.target(page, CONNECTIONS)), revisit];
    const p1 = await inRounds(benchRounds(5), async () => {
      const samples = [];
      for (const target of targets) samples.push(await load(one.url, target, seconds, one.cpuMs));
      return samples;
    });
    const compiledWhileServing = (await compiles(one, 1)) - compiledBefore;

    const floor = figures(p1.get(FLOOR)!);
    const results: BenchResult[] = [
      {
        id: "P1",
        name: "floor page (benchmark-only, same root), req/s",
        value: floor.rps,
        unit: "req/s",
        detail: `p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}; ${cpu(floor)}; ${floor.failures} failed`,
      },
    ];
    for (const name of [...PAGES.map((p) => p.name).filter((n) => n !== FLOOR), REVISITED]) {
      const f = figures(p1.get(name)!);
      const budgeted = BUDGETED.has(name);
      results.push(
        {
          id: "P1",
          name: `${name} ÷ floor, req/s`,
          value: f.failures > 0 ? 0 : f.rps / floor.rps,
          unit: "×",
          ...(budgeted ? { budget: 0.9, better: "higher" as const } : {}),
          detail: `${rate(f)} vs ${rate(floor)}; p50 ${ms(f.p50)}, p99 ${ms(f.p99)}; ${cpu(f)} (the floor's ÷ this: ${(floor.cpuMsPerAnswer / f.cpuMsPerAnswer).toFixed(2)}); ${(f.bytesPerAnswer / 1024).toFixed(1)} KB sent; ${f.failures} failed`,
        },
        {
          id: "P1",
          name: `${name} p99 at ${CONNECTIONS} connections`,
          value: f.p99,
          unit: "ms",
          ...(budgeted ? { budget: 150 } : {}),
        },
      );
    }
    results.push({
      id: "P4",
      name: "MDX compiles while serving P1",
      value: compiledWhileServing,
      unit: "",
      budget: 0,
    });
    return results;
  } finally {
    await server?.stop();
  }
}
