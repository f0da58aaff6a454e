/**
 * P2 while something heavy runs in the same process: the leadership report on the reference
 * organisation (10,000 people × 6 courses × 10 lessons), asked for again and again while a
 * recompute with nothing to change, a roster import that changes everyone, or the full CSV
 * export runs beside it; its server time and the longest event-loop stall.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import {
  openReferenceOrg,
  referenceOrgFile,
  referenceRoster,
  REFERENCE_LEADER,
} from "./reference-org";
import { watchStalls } from "./stalls";
import type { BenchResult } from "./types";
import { stringify } from "csv-stringify/sync";

const REPEATS = 3;

function median(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Builds the reference organisation if need be (in its own process: see bin/bench.js). */
export async function prepare() {
  await openReferenceOrg();
  const { closeDatabase } = await import("~/utils/db.server");
  await closeDatabase();
}

export async function run(): Promise<BenchResult[]> {
  // The import changes people: it runs on a copy of the reference organisation.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "staffroom-bench-background-"));
  process.env.DATABASE_PATH = path.join(dir, "reference.db");
  fs.copyFileSync(referenceOrgFile(), process.env.DATABASE_PATH);
  const { closeDatabase } = await import("~/utils/db.server");

  const { commandLineActor } = await import("~/models/audit.server");
  const { recomputeAssignments } = await import("~/services/assignments.server");
  const { csvExport, leadershipReport, parseReportFilter } =
    await import("~/services/reports.server");
  const { applyRoster } = await import("~/services/roster-import.server");
  const leader = REFERENCE_LEADER;
  const filters = ["", "status=overdue", "course=course-3&department=Warehouse"].map((q) =>
    parseReportFilter(new URLSearchParams(q)),
  );
  const rosterWithTitles = (suffix: string) =>
    Buffer.from(
      stringify(
        referenceRoster().map((row) => ({ ...row, title: `${row.title}${suffix}` })),
        { header: true },
      ),
    );
  const rosters = [rosterWithTitles(" (moved)"), rosterWithTitles("")];

  const background: { name: string; work: (i: number) => Promise<unknown> }[] = [
    { name: "a recompute with nothing to change", work: () => recomputeAssignments() },
    {
      name: "a roster import changing all 10,000 people",
      work: async (i) => {
        const applied = await applyRoster(rosters[i % 2]!, "moved.csv", commandLineActor("bench"));
        if (applied.status !== "applied") throw new Error("The bench roster was not applied.");
      },
    },
    {
      name: "the full CSV export",
      work: async () => {
        const { stream } = await csvExport(
          "matrix",
          parseReportFilter(new URLSearchParams()),
          leader,
        );
        for await (const _chunk of stream as unknown as AsyncIterable<Uint8Array>);
      },
    },
  ];

  try {
    for (const filter of filters) await leadershipReport(filter); // warm the page cache
    const results: BenchResult[] = [];
    for (const { name, work } of background) {
      (globalThis as { gc?: () => void }).gc?.();
      const times: number[] = [];
      let running = true;
      const started = performance.now();
      const stalls = watchStalls();
      const done = (async () => {
        for (let i = 0; i < REPEATS; i++) await work(i);
      })().finally(() => (running = false));
      while (running) {
        for (const filter of filters) {
          const start = performance.now();
          await leadershipReport(filter);
          times.push(performance.now() - start);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await done;
      const longestStall = stalls.stop();
      const took = (performance.now() - started) / REPEATS;
      results.push(
        {
          id: "P2",
          name: `leadership report during ${name} (median)`,
          value: median(times),
          unit: "ms",
          budget: 50,
          detail: `${times.length} reports, slowest ${Math.max(...times).toFixed(0)} ms; the work took ${took.toFixed(0)} ms each time; the organisation's figures are worked out after each commit and kept until the next (the reports module measures them worked out every time)`,
        },
        {
          id: "P2",
          name: `longest event-loop stall during ${name} (main thread's CPU time)`,
          value: longestStall.cpuMs,
          unit: "ms",
          budget: 50,
          detail: `by the clock ${longestStall.wallMs.toFixed(0)} ms (waiting for a CPU included)`,
        },
      );
    }
    return results;
  } finally {
    await closeDatabase();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
